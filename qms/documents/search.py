"""Full-text search of the register: SQLite FTS5 or PostgreSQL tsvector over folded text.

Vietnamese is matched with and without diacritics by indexing a folded copy of the text
(lower case, diacritics removed, đ → d, punctuation as spaces) and folding the query the
same way. The index table (`fts_document`) is created by the migration and kept in sync
by the service; it is not part of the ORM metadata.

A search is ranked (SQLite FTS5's bm25, PostgreSQL's ts_rank) and limited: only the
RANKED_AT_MOST newest matching documents (after the register's filters) are scored, so
the cost of a search stops growing with the register once that many match (scoring is
per matching document). The page shows each result with a snippet of its text, the
matched words highlighted (`snippet`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy import func, literal_column, text
from sqlmodel import Session

# Documents scored at most for one search: the newest matching ones. A query matching
# more is too broad to rank usefully; the page asks for another word or a filter.
RANKED_AT_MOST = 1000

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


def _fts_query(session: Session, words: list[str]) -> tuple[str, str]:
    """(dialect, the engine's query string) for words matched as prefixes."""
    if _dialect(session) == "postgresql":
        return "postgresql", " & ".join(f"{w}:*" for w in words)
    return "sqlite", " ".join(f'"{w}"*' for w in words)


def ranking(session: Session, query: str):
    """(the index's column holding the document id, the WHERE clause matching the words,
    the score: best first when sorted ascending) for ranking documents; None without
    words to search."""
    words = tokens(query)
    if not words:
        return None
    dialect, expression = _fts_query(session, words)
    if dialect == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'"), expression)
        return (
            "document_id",
            literal_column("fts_document.tsv").op("@@")(tsquery),
            # ts_rank: higher is better; cover density would cost more for the same order.
            -func.ts_rank(literal_column("fts_document.tsv"), tsquery),
        )
    return (
        "rowid",
        literal_column("fts_document").op("MATCH")(expression),
        func.bm25(literal_column("fts_document")),  # lower (more negative) is better
    )


# --- the snippet --------------------------------------------------------------------------

# Markdown's markup, shown as spaces in a snippet (the words stay, the syntax goes).
_MARKUP = re.compile(r"[#*_`|\[\]~]+|-{2,}|^\s*>+|^\s*[-+]\s+|^\s*\d+\.\s+", re.MULTILINE)


def _letter_classes() -> dict[str, str]:
    """For each letter a-z, every letter folding to it ('a' → 'aàáảãạăằ…Â…'), so that a
    folded query word becomes a regular expression matching the text as written."""
    classes: dict[str, set[str]] = {c: {c, c.upper()} for c in "abcdefghijklmnopqrstuvwxyz"}
    for code in range(0xC0, 0x1F00):
        char = chr(code)
        folded = fold(char)
        if len(folded) == 1 and folded in classes:
            classes[folded].add(char)
    return {c: "[" + "".join(sorted(chars)) + "]" for c, chars in classes.items()}


_CLASSES = _letter_classes()


@lru_cache(maxsize=256)
def _pattern(query: str, whole: bool) -> re.Pattern | None:
    """The query's words as written in a text (any diacritics, any case): as whole words,
    or as the beginnings of words (how the index matches them)."""
    wanted = tokens(query)
    if not wanted:
        return None
    words = ["".join(_CLASSES.get(c, re.escape(c)) for c in w) for w in wanted]
    tail = r"(?!\w)" if whole else r"\w*"
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")" + tail)


def snippet(source: str, query: str, *, before: int = 60, after: int = 160) -> Markup:
    """A short excerpt of `source` around its first word matching the query (a whole word
    of the query first, else a word beginning with one), the matching words in it in
    <mark>, everything else escaped. Empty when no word of the query is in it."""
    prefixes = _pattern(query, False)
    if prefixes is None or not source:
        return Markup("")
    plain = " ".join(_MARKUP.sub(" ", source).split())
    first = _pattern(query, True).search(plain) or prefixes.search(plain)
    if first is None:
        return Markup("")
    # From the start of a word a little before the match to the end of one after it.
    start = max(0, first.start() - before)
    if start > 0:
        space = plain.find(" ", start, first.start())
        start = space + 1 if space != -1 else first.start()
    end = min(len(plain), first.end() + after)
    if end < len(plain):
        space = plain.rfind(" ", first.end(), end)
        end = space if space != -1 else first.end()
    found = [m.span() for m in prefixes.finditer(plain, start, end)]
    return _marked(plain, found, start, end)


def highlight(value: str, query: str) -> Markup:
    """The whole of `value` (a title), escaped, with the words matching the query marked."""
    prefixes = _pattern(query, False)
    value = value or ""
    found = [m.span() for m in prefixes.finditer(value)] if prefixes is not None else []
    return _marked(value, found, 0, len(value))


def _marked(plain: str, found, start: int, end: int) -> Markup:
    pieces = [Markup("… ") if start > 0 else Markup("")]
    cursor = start
    for begin, stop in found:
        if begin < start or stop > end:
            continue
        pieces.append(escape(plain[cursor:begin]))
        pieces.append(Markup("<mark>%s</mark>") % plain[begin:stop])
        cursor = stop
    pieces.append(escape(plain[cursor:end]))
    if end < len(plain):
        pieces.append(Markup(" …"))
    return Markup("").join(pieces)
