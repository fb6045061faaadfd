"""Reminders: the trail's last event as of each sweep's plan (a same-day sweep after which
nothing changed has nothing to plan).

Revision ID: 0005a
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005a"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_run") as batch_op:
        batch_op.add_column(sa.Column("trail_seq", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sweep_run") as batch_op:
        batch_op.drop_column("trail_seq")
