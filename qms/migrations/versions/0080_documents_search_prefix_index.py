"""Documents: the SQLite search index gains prefix indexes (2, 3 and 4 letters).

Every word of a search is matched as a prefix ("quy"* finds "quy", "quyet", "quyen"…);
without a prefix index FTS5 expands each prefix by scanning the terms, which at 10,000
documents cost 5–15 ms per search before any ranking. PostgreSQL's GIN index on the
tsvector already serves prefix queries: nothing changes there.

Revision ID: 0080
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0080"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(options: str) -> None:
    op.execute(f"CREATE VIRTUAL TABLE fts_document_new USING fts5(body, {options})")
    op.execute("INSERT INTO fts_document_new (rowid, body) SELECT rowid, body FROM fts_document")
    op.execute("DROP TABLE fts_document")
    op.execute("ALTER TABLE fts_document_new RENAME TO fts_document")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("tokenize = 'unicode61', prefix = '2 3 4'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("tokenize = 'unicode61'")
