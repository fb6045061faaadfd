"""Documents: an index on (status, next_review_on) for the reviews coming due.

The quality officer's home counts the effective documents whose review is overdue and
lists those due soonest (`qms.documents.service.figures`, `first_reviews_due`). With an
index on each column alone the planner took the status index, which holds every
effective document, and read all 10,000 rows (3.3 ms at full size); on the pair it reads
only the range asked (0.1 ms).

Revision ID: 0110
Revises: 0080
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0110"
down_revision: str | Sequence[str] | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_controlled_document_status_review", "controlled_document", ["status", "next_review_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_controlled_document_status_review", table_name="controlled_document")
