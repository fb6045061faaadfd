"""Test set-up: a fresh database per test (SQLite file copy, or PostgreSQL truncated),
the app on it, and clients signed in as people of every role."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from qms.config import Settings
from qms.db import make_engine
from qms.migrate import upgrade
from qms.registry import load_models

load_models()
# The one place the tests read the environment: CI points them at PostgreSQL.
POSTGRES_URL = os.environ.get("QMS_TEST_DATABASE_URL") or None
ON_POSTGRES = bool(POSTGRES_URL)


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + POSTGRES_URL if ON_POSTGRES else 'SQLite (file per test)'}"


def pytest_terminal_summary(terminalreporter):
    """What the reliability and security tests checked, counted as they ran (tests/figures)."""
    from tests import figures

    found = figures.lines()
    if found:
        database = "PostgreSQL" if ON_POSTGRES else "SQLite"
        terminalreporter.write_sep("-", f"figures ({database})")
        for line in found:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path | None:
    """SQLite: one database migrated to head, copied for each test. PostgreSQL: migrated once."""
    if ON_POSTGRES:
        settings = Settings(data_dir=tmp_path_factory.mktemp("pg"), database_url=POSTGRES_URL)
        engine = make_engine(settings, pool=False)
        upgrade(engine)
        engine.dispose()
        return None
    folder = tmp_path_factory.mktemp("template")
    settings = Settings(data_dir=folder)
    engine = make_engine(settings, pool=False)
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    assert not (folder / "qms.sqlite3-wal").exists()
    return folder / "qms.sqlite3"


def _truncate_all(url: str) -> None:
    engine = make_engine(Settings(database_url=url), pool=False)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


SIGNING_PASSWORD = "test-signing-password"


@pytest.fixture(scope="session")
def signing_p12(tmp_path_factory) -> Path:
    """One organisation certificate for the whole run, as `qms signing init` makes it."""
    from qms.reports.signing import make_certificate

    path = tmp_path_factory.mktemp("signing") / "organisation.p12"
    make_certificate(
        path=path, organisation="Văn phòng Ủy ban nhân dân tỉnh", password=SIGNING_PASSWORD.encode()
    )
    return path


@pytest.fixture
def settings(tmp_path, migrated_template, signing_p12) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    signing = {"signing_p12": signing_p12, "signing_password": SIGNING_PASSWORD}
    if ON_POSTGRES:
        _truncate_all(POSTGRES_URL)
        return Settings(
            data_dir=data_dir,
            database_url=POSTGRES_URL,
            password_hashing="fast",
            secret_key="test-secret",
            lang="en",
            **signing,
        ).prepare()
    shutil.copy(migrated_template, data_dir / "qms.sqlite3")
    return Settings(
        data_dir=data_dir, password_hashing="fast", secret_key="test-secret", lang="en", **signing
    ).prepare()


@pytest.fixture
def app(settings):
    from qms.app import create_app

    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def engine(app):
    return app.state.engine


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(app):
    """Departments and one person per role (plus a second auditor and manager)."""
    from tests.factories import World

    return World(app)


@pytest.fixture
def cli(settings):
    """Run `qms …` in-process against the test's database; returns (exit code, output)."""
    from typer.testing import CliRunner

    from qms.cli import app as cli_app

    env = {
        "QMS_DATA_DIR": str(settings.data_dir),
        "QMS_SECRET_KEY": settings.secret_key,
        "QMS_PASSWORD_HASHING": "fast",
        "QMS_DATABASE_URL": settings.database_url or "",
        "QMS_SIGNING_P12": str(settings.signing_p12),
        "QMS_SIGNING_PASSWORD": SIGNING_PASSWORD,
    }

    def run(*args: str, input: str | None = None, env_extra: dict | None = None):
        result = CliRunner().invoke(
            cli_app, list(args), input=input, env={**env, **(env_extra or {})}
        )
        return result.exit_code, result.output

    return run
