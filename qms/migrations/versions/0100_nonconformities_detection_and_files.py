"""Nonconformities: the day each was found, and files attached to the finding itself.

Revision ID: 0100
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0100"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nonconformity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detected_on", sa.Date(), nullable=True))
    # Those raised before the field existed were found, as far as anyone recorded, the day
    # they were raised.
    op.execute("UPDATE nonconformity SET detected_on = raised_on")
    with op.batch_alter_table("nonconformity", schema=None) as batch_op:
        batch_op.alter_column("detected_on", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.alter_column("action_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("nonconformity_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evidence_file_nonconformity_id"), ["nonconformity_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_file_nonconformity_id_nonconformity"),
            "nonconformity",
            ["nonconformity_id"],
            ["id"],
        )


def downgrade() -> None:
    op.execute("DELETE FROM evidence_file WHERE action_id IS NULL")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_file_nonconformity_id_nonconformity"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evidence_file_nonconformity_id"))
        batch_op.drop_column("nonconformity_id")
        batch_op.alter_column("action_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("nonconformity", schema=None) as batch_op:
        batch_op.drop_column("detected_on")
