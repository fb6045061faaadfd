"""Management reviews and their outputs; users marked as top management (who may chair).

Revision ID: 0040
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0040"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("reviews",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "management_review",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("attendee_ids", sa.JSON(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("held_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("held_by_id", sa.Integer(), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=True),
        sa.Column("inputs_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("signature_id", sa.Integer(), nullable=True),
        sa.Column("minutes_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("minutes_size", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["user_account.id"],
            name=op.f("fk_management_review_cancelled_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"],
            ["user_account.id"],
            name=op.f("fk_management_review_chair_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_management_review_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["held_by_id"],
            ["user_account.id"],
            name=op.f("fk_management_review_held_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_management_review_signature_id_signature"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_review")),
        sa.UniqueConstraint("code", name=op.f("uq_management_review_code")),
    )
    with op.batch_alter_table("management_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_management_review_chair_id"), ["chair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_management_review_planned_on"), ["planned_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_management_review_status"), ["status"], unique=False)

    op.create_table(
        "management_review_output",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_management_review_output_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_management_review_output_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["management_review.id"],
            name=op.f("fk_management_review_output_review_id_management_review"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_review_output")),
    )
    with op.batch_alter_table("management_review_output", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_management_review_output_due_on"), ["due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_management_review_output_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_management_review_output_review_id"), ["review_id"], unique=False
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("top_management", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("top_management")

    with op.batch_alter_table("management_review_output", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_management_review_output_review_id"))
        batch_op.drop_index(batch_op.f("ix_management_review_output_owner_id"))
        batch_op.drop_index(batch_op.f("ix_management_review_output_due_on"))

    op.drop_table("management_review_output")
    with op.batch_alter_table("management_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_management_review_status"))
        batch_op.drop_index(batch_op.f("ix_management_review_planned_on"))
        batch_op.drop_index(batch_op.f("ix_management_review_chair_id"))

    op.drop_table("management_review")
