"""Full-text search of the register: SQLite FTS5 or PostgreSQL tsvector over folded text.

Vietnamese is matched with and without diacritics by indexing a folded copy of the text
(lower case, diacritics removed, đ → d, punctuation as spaces) and folding the query the
same way. The index table (`fts_document`) is created by the migration and kept in sync
by the service; it is not part of the ORM metadata.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import text
from sqlmodel import Session

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(value: str) -> str:
    """'Kiểm soát Đầu ra' → 'kiem soat dau ra'."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_TOKEN.findall(stripped))


def tokens(query: str) -> list[str]:
    return fold(query).split()[:12]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def index_document(*, session: Session, document_id: int, parts: list[str]) -> None:
    """Replace the document's entry in the search index."""
    body = fold(" ".join(p for p in parts if p))
    if _dialect(session) == "postgresql":
        session.execute(
            text(
                "INSERT INTO fts_document (document_id, body) VALUES (:id, :body) "
                "ON CONFLICT (document_id) DO UPDATE SET body = EXCLUDED.body"
            ),
            {"id": document_id, "body": body},
        )
    else:
        session.execute(text("DELETE FROM fts_document WHERE rowid = :id"), {"id": document_id})
        session.execute(
            text("INSERT INTO fts_document (rowid, body) VALUES (:id, :body)"),
            {"id": document_id, "body": body},
        )


def matching_ids_clause(session: Session, query: str):
    """A SQL fragment selecting the ids of documents matching every word (as a prefix),
    with its parameters; None when the query has no word to search."""
    words = tokens(query)
    if not words:
        return None
    if _dialect(session) == "postgresql":
        expression = " & ".join(f"{w}:*" for w in words)
        return text(
            "SELECT document_id FROM fts_document WHERE tsv @@ to_tsquery('simple', :fts_query)"
        ).bindparams(fts_query=expression)
    # Words are [a-z0-9]+ only, so quoting them cannot break the MATCH syntax.
    expression = " ".join(f'"{w}"*' for w in words)
    return text("SELECT rowid FROM fts_document WHERE fts_document MATCH :fts_query").bindparams(
        fts_query=expression
    )
