"""Reminders: notifications (unique by key) and the record of each sweep.

Revision ID: 0005
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("reminders",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sweep_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("emailed", sa.Integer(), nullable=False),
        sa.Column("email_failures", sa.Integer(), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("host", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_run")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("escalation", sa.Boolean(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=True),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("emailed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("email_claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("email_claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user_account.id"],
            name=op.f("fk_notification_recipient_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("key", name=op.f("uq_notification_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(
            "ix_notification_recipient_read", ["recipient_id", "read_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notification_sweep_id"), ["sweep_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_sweep_id"))
        batch_op.drop_index("ix_notification_recipient_read")
        batch_op.drop_index(batch_op.f("ix_notification_recipient_id"))

    op.drop_table("notification")
    op.drop_table("sweep_run")
