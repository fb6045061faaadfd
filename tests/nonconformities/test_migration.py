"""Migration 0003 builds exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

TABLES = {
    "code_counter",
    "nonconformity",
    "corrective_action",
    "evidence_file",
    "effectiveness_check",
    "nonconformity_document",
}


def _table_of(diff) -> str | None:
    """The table a difference concerns, when it is one of ours."""
    for part in diff if isinstance(diff, tuple) else diff[0]:
        names = {part} if isinstance(part, str) else set()
        names |= {getattr(part, "name", None), getattr(getattr(part, "table", None), "name", None)}
        if names & TABLES:
            return (names & TABLES).pop()
    return None


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        diffs = compare_metadata(context, SQLModel.metadata)
    ours = [d for d in diffs if _table_of(d) is not None]
    assert not ours, ours
    tables = set(engine.dialect.get_table_names(engine.connect()))
    assert tables >= TABLES
