"""Risks and opportunities: register entries, their assessments, treatment actions, links
to nonconformities and audit findings, and the context lists (4.1 issues, 4.2 parties).

Revision ID: 0030
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("risks",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "context_issue",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_context_issue")),
    )
    with op.batch_alter_table("context_issue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_context_issue_changed_on"), ["changed_on"], unique=False
        )

    op.create_table(
        "interested_party",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interested_party")),
    )
    with op.batch_alter_table("interested_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interested_party_changed_on"), ["changed_on"], unique=False
        )

    op.create_table(
        "risk",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("process", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("consequence", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("treatment", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("treatment_decided_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user_account.id"], name=op.f("fk_risk_closed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_risk_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_risk_owner_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["user_account.id"], name=op.f("fk_risk_raised_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["treatment_decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_risk_treatment_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
        sa.UniqueConstraint("code", name=op.f("uq_risk_code")),
    )
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_closed_on"), ["closed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_raised_on"), ["raised_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_review_on"), ["review_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_score"), ["score"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_risk_status_cell", ["status", "likelihood", "impact"], unique=False
        )
        batch_op.create_index("ix_risk_status_level", ["status", "level"], unique=False)

    op.create_table(
        "risk_action",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("planned_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_risk_action_owner_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["planned_by_id"],
            ["user_account.id"],
            name=op.f("fk_risk_action_planned_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(["risk_id"], ["risk.id"], name=op.f("fk_risk_action_risk_id_risk")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_action")),
    )
    with op.batch_alter_table("risk_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_action_done_on"), ["done_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_action_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_action_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_action_risk_id"), ["risk_id"], unique=False)

    op.create_table(
        "risk_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("previous_score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["user_account.id"],
            name=op.f("fk_risk_assessment_assessed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_assessment_risk_id_risk")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessment")),
    )
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_assessment_assessed_on"), ["assessed_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_risk_assessment_risk_id"), ["risk_id"], unique=False)

    op.create_table(
        "risk_context_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["context_issue.id"],
            name=op.f("fk_risk_context_issue_issue_id_context_issue"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_context_issue_risk_id_risk")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_context_issue")),
        sa.UniqueConstraint("risk_id", "issue_id", name=op.f("uq_risk_context_issue_risk_id")),
    )
    with op.batch_alter_table("risk_context_issue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_context_issue_issue_id"), ["issue_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_risk_context_issue_risk_id"), ["risk_id"], unique=False
        )

    op.create_table(
        "risk_interested_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["interested_party.id"],
            name=op.f("fk_risk_interested_party_party_id_interested_party"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_interested_party_risk_id_risk")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_interested_party")),
        sa.UniqueConstraint("risk_id", "party_id", name=op.f("uq_risk_interested_party_risk_id")),
    )
    with op.batch_alter_table("risk_interested_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_interested_party_party_id"), ["party_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_risk_interested_party_risk_id"), ["risk_id"], unique=False
        )

    op.create_table(
        "risk_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["user_account.id"],
            name=op.f("fk_risk_link_linked_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(["risk_id"], ["risk.id"], name=op.f("fk_risk_link_risk_id_risk")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_link")),
        sa.UniqueConstraint("risk_id", "target", "target_id", name=op.f("uq_risk_link_risk_id")),
    )
    with op.batch_alter_table("risk_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_link_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_link_risk_id"), ["risk_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_link_target_id"), ["target_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_link_target_id"))
        batch_op.drop_index(batch_op.f("ix_risk_link_risk_id"))
        batch_op.drop_index(batch_op.f("ix_risk_link_audit_id"))

    op.drop_table("risk_link")
    with op.batch_alter_table("risk_interested_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_interested_party_risk_id"))
        batch_op.drop_index(batch_op.f("ix_risk_interested_party_party_id"))

    op.drop_table("risk_interested_party")
    with op.batch_alter_table("risk_context_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_context_issue_risk_id"))
        batch_op.drop_index(batch_op.f("ix_risk_context_issue_issue_id"))

    op.drop_table("risk_context_issue")
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessment_risk_id"))
        batch_op.drop_index(batch_op.f("ix_risk_assessment_assessed_on"))

    op.drop_table("risk_assessment")
    with op.batch_alter_table("risk_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_action_risk_id"))
        batch_op.drop_index(batch_op.f("ix_risk_action_owner_id"))
        batch_op.drop_index(batch_op.f("ix_risk_action_due_on"))
        batch_op.drop_index(batch_op.f("ix_risk_action_done_on"))

    op.drop_table("risk_action")
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_status_level")
        batch_op.drop_index("ix_risk_status_cell")
        batch_op.drop_index(batch_op.f("ix_risk_status"))
        batch_op.drop_index(batch_op.f("ix_risk_score"))
        batch_op.drop_index(batch_op.f("ix_risk_review_on"))
        batch_op.drop_index(batch_op.f("ix_risk_raised_on"))
        batch_op.drop_index(batch_op.f("ix_risk_owner_id"))
        batch_op.drop_index(batch_op.f("ix_risk_level"))
        batch_op.drop_index(batch_op.f("ix_risk_kind"))
        batch_op.drop_index(batch_op.f("ix_risk_department_id"))
        batch_op.drop_index(batch_op.f("ix_risk_closed_on"))

    op.drop_table("risk")
    with op.batch_alter_table("interested_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interested_party_changed_on"))

    op.drop_table("interested_party")
    with op.batch_alter_table("context_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_context_issue_changed_on"))

    op.drop_table("context_issue")
