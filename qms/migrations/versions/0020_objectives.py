"""Quality objectives, their indicators and each period's measurement.

Revision ID: 0020
Revises: 0001
Depends on: 0003 (the yearly code counters; a missed period raises a nonconformity)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("objectives",)
depends_on: str | Sequence[str] | None = ("0003",)


def upgrade() -> None:
    op.create_table(
        "objective",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("responsible", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("evaluation", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("activated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("evaluated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("evaluation_comment", sa.Text(), nullable=False),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("indicators_numbered", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_objective_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_objective_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_objective_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
        sa.UniqueConstraint("code", name=op.f("uq_objective_code")),
    )
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objective_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_objective_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_year"), ["year"], unique=False)
        batch_op.create_index("ix_objective_year_status", ["year", "status"], unique=False)

    op.create_table(
        "indicator",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("at_risk_margin", sa.Float(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("data_owner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_owner_id"],
            ["user_account.id"],
            name=op.f("fk_indicator_data_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"], ["objective.id"], name=op.f("fk_indicator_objective_id_objective")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("code", name=op.f("uq_indicator_code")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_data_owner_id"), ["data_owner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_indicator_objective_id"), ["objective_id"], unique=False
        )

    op.create_table(
        "measurement",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("period_start_on", sa.Date(), nullable=False),
        sa.Column("period_end_on", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=True),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("nonconformity_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["user_account.id"],
            name=op.f("fk_measurement_entered_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_measurement_indicator_id_indicator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_measurement_indicator_id")),
        sa.UniqueConstraint("nonconformity_id", name=op.f("uq_measurement_nonconformity_id")),
    )
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measurement_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_measurement_period_end_on"), ["period_end_on"], unique=False
        )
        batch_op.create_index(
            "ix_measurement_status_end", ["status", "period_end_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index("ix_measurement_status_end")
        batch_op.drop_index(batch_op.f("ix_measurement_period_end_on"))
        batch_op.drop_index(batch_op.f("ix_measurement_indicator_id"))

    op.drop_table("measurement")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_objective_id"))
        batch_op.drop_index(batch_op.f("ix_indicator_data_owner_id"))

    op.drop_table("indicator")
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.drop_index("ix_objective_year_status")
        batch_op.drop_index(batch_op.f("ix_objective_year"))
        batch_op.drop_index(batch_op.f("ix_objective_status"))
        batch_op.drop_index(batch_op.f("ix_objective_owner_id"))
        batch_op.drop_index(batch_op.f("ix_objective_department_id"))

    op.drop_table("objective")
