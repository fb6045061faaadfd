"""Nonconformities: covering indexes of the actions (done, due) and of the effectiveness
results by nonconformity, so that the management review counts them from the index.

Revision ID: 0091
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0091"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_corrective_action_nonconformity_done": (
        "corrective_action",
        ["nonconformity_id", "done_on", "due_on"],
    ),
    "ix_effectiveness_check_nonconformity_result": (
        "effectiveness_check",
        ["nonconformity_id", "result"],
    ),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
