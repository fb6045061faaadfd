"""The schema comes from Alembic migrations, and head matches the models exactly."""

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
from tests.conftest import ON_POSTGRES, POSTGRES_URL


@pytest.fixture
def empty_database(tmp_path):
    """A brand-new database: a SQLite file, or a throwaway PostgreSQL database."""
    if not ON_POSTGRES:
        yield Settings(data_dir=tmp_path)
        return
    name = f"qms_mig_{uuid.uuid4().hex[:10]}"
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


def test_upgrade_of_an_empty_database_reaches_the_models(empty_database):
    engine = make_engine(empty_database, pool=False)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_object": _include_object()},
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_twice_changes_nothing(empty_database):
    engine = make_engine(empty_database, pool=False)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables
    assert {"user_account", "department", "trail_event", "alembic_version"} <= tables
    engine.dispose()


def _include_object():
    from qms.migrations.env import include_object

    return include_object
