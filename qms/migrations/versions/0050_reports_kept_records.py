"""Reports: the kept, signed PDF records (kept_record).

Revision ID: 0050
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0050"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("reports",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kept_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kept_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "certificate_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_by_id"],
            ["user_account.id"],
            name=op.f("fk_kept_record_kept_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["kept_record.id"],
            name=op.f("fk_kept_record_replaced_by_id_kept_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_record")),
        sa.UniqueConstraint("sha256", name=op.f("uq_kept_record_sha256")),
    )
    op.create_index(
        "ix_kept_record_record", "kept_record", ["record_kind", "record_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_kept_record_record", table_name="kept_record")
    op.drop_table("kept_record")
