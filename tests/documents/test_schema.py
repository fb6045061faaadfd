"""Migration 0002 builds the document tables as the models declare them, plus the
full-text index the models do not know (skipped by the comparison as fts_*)."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from qms.config import Settings
from qms.db import make_engine
from qms.migrate import upgrade
from qms.migrations.env import include_object
from tests.conftest import ON_POSTGRES, POSTGRES_URL


@pytest.fixture
def empty_database(tmp_path):
    if not ON_POSTGRES:
        yield Settings(data_dir=tmp_path)
        return
    name = f"qms_docs_{uuid.uuid4().hex[:10]}"
    server = POSTGRES_URL.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Settings(data_dir=tmp_path, database_url=f"{server}/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_head_matches_the_models_and_keeps_the_search_index(empty_database):
    engine = make_engine(empty_database, pool=False)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    tables = set(inspect(engine).get_table_names())
    upgrade(engine)  # a second upgrade changes nothing
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
    assert {"controlled_document", "revision", "acknowledgement", "fts_document"} <= tables


def test_include_object_skips_only_the_search_index():
    assert not include_object(None, "fts_document", "table", True, None)
    assert not include_object(None, "fts_document_data", "table", True, None)
    assert include_object(None, "revision", "table", True, None)
