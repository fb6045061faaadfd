"""Nonconformities: covering indexes for counting the open ones by department and by age.

Revision ID: 0012
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_nonconformity_status_department": ["status", "department_id"],
    "ix_nonconformity_status_raised": ["status", "raised_on"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "nonconformity", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="nonconformity")
