"""Nonconformities: a covering index of the register by status and day raised, with the
source and department, so that the management review counts the period's nonconformities by
them from the index alone (not from every row of the period, descriptions and all). Status
leads, as in ix_nonconformity_status_raised, which SQLite's planner otherwise prefers.

Revision ID: 0120
Revises: 0100
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0120"
down_revision: str | Sequence[str] | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_nonconformity_status_raised_source_department"


def upgrade() -> None:
    op.create_index(
        NAME, "nonconformity", ["status", "raised_on", "source", "department_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="nonconformity")
