"""Documents: indexes for a person's revisions at one status (their work).

Revision ID: 0011
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_revision_reviewer_status": ["reviewer_id", "status"],
    "ix_revision_approver_status": ["approver_id", "status"],
    "ix_revision_author_status": ["author_id", "status"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "revision", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="revision")
