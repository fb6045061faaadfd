"""Nonconformities: corrective actions, evidence files, effectiveness checks, links to
documents, and the gap-free yearly code counters.

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("nonconformities",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_counter",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "year", name=op.f("pk_code_counter")),
    )
    op.create_table(
        "nonconformity",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("clause", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("checklist_item_id", sa.Integer(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("containment", sa.Text(), nullable=False),
        sa.Column("root_cause_method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("whys", sa.JSON(), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("investigated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("check_due_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("signature_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["user_account.id"],
            name=op.f("fk_nonconformity_cancelled_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_nonconformity_closed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_nonconformity_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_nonconformity_owner_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["user_account.id"],
            name=op.f("fk_nonconformity_reporter_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"], ["signature.id"], name=op.f("fk_nonconformity_signature_id_signature")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nonconformity")),
        sa.UniqueConstraint("checklist_item_id", name=op.f("uq_nonconformity_checklist_item_id")),
        sa.UniqueConstraint("code", name=op.f("uq_nonconformity_code")),
    )
    with op.batch_alter_table("nonconformity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nonconformity_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nonconformity_clause"), ["clause"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nonconformity_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nonconformity_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nonconformity_raised_on"), ["raised_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nonconformity_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nonconformity_severity"), ["severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_nonconformity_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_nonconformity_status"), ["status"], unique=False)

    op.create_table(
        "corrective_action",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonconformity_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("planned_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nonconformity_id"],
            ["nonconformity.id"],
            name=op.f("fk_corrective_action_nonconformity_id_nonconformity"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_corrective_action_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_by_id"],
            ["user_account.id"],
            name=op.f("fk_corrective_action_planned_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action")),
    )
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrective_action_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_corrective_action_nonconformity_id"), ["nonconformity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_corrective_action_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "effectiveness_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonconformity_id", sa.Integer(), nullable=False),
        sa.Column("verifier_id", sa.Integer(), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nonconformity_id"],
            ["nonconformity.id"],
            name=op.f("fk_effectiveness_check_nonconformity_id_nonconformity"),
        ),
        sa.ForeignKeyConstraint(
            ["verifier_id"],
            ["user_account.id"],
            name=op.f("fk_effectiveness_check_verifier_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effectiveness_check")),
    )
    with op.batch_alter_table("effectiveness_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_effectiveness_check_nonconformity_id"),
            ["nonconformity_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_effectiveness_check_verifier_id"), ["verifier_id"], unique=False
        )

    op.create_table(
        "nonconformity_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonconformity_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nonconformity_id"],
            ["nonconformity.id"],
            name=op.f("fk_nonconformity_document_nonconformity_id_nonconformity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nonconformity_document")),
        sa.UniqueConstraint(
            "nonconformity_id",
            "document_id",
            name=op.f("uq_nonconformity_document_nonconformity_id"),
        ),
    )
    with op.batch_alter_table("nonconformity_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nonconformity_document_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nonconformity_document_nonconformity_id"),
            ["nonconformity_id"],
            unique=False,
        )

    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["corrective_action.id"],
            name=op.f("fk_evidence_file_action_id_corrective_action"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_file_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_file_action_id"), ["action_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_file_action_id"))

    op.drop_table("evidence_file")
    with op.batch_alter_table("nonconformity_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nonconformity_document_nonconformity_id"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_document_document_id"))

    op.drop_table("nonconformity_document")
    with op.batch_alter_table("effectiveness_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_effectiveness_check_verifier_id"))
        batch_op.drop_index(batch_op.f("ix_effectiveness_check_nonconformity_id"))

    op.drop_table("effectiveness_check")
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_action_owner_id"))
        batch_op.drop_index(batch_op.f("ix_corrective_action_nonconformity_id"))
        batch_op.drop_index(batch_op.f("ix_corrective_action_due_on"))

    op.drop_table("corrective_action")
    with op.batch_alter_table("nonconformity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nonconformity_status"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_source"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_severity"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_raised_on"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_owner_id"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_department_id"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_clause"))
        batch_op.drop_index(batch_op.f("ix_nonconformity_audit_id"))

    op.drop_table("nonconformity")
    op.drop_table("code_counter")
