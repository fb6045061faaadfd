"""Audits: an index of the checklist answers by audit and result, so that the management
review counts the findings of the period's audits from the index.

Revision ID: 0090
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0090"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_checklist_item_audit_result", "audit_checklist_item", ["audit_id", "result"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_checklist_item_audit_result", table_name="audit_checklist_item")
