"""Test set-up: a fresh database per test (SQLite file copy, or PostgreSQL emptied of what
the previous test wrote), the app on it, and clients signed in as people of every role.

The suite runs in parallel (pytest-xdist, `scripts/pytest.sh`): each worker has its own
template database, and on PostgreSQL its own database on the server, named after
QMS_TEST_DATABASE_URL's with the worker's id (`qms_ci_…_gw0`), created and migrated when
the worker starts and dropped when it ends."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from qms.config import PROJECT_ROOT, Settings
from qms.db import make_engine
from qms.migrate import upgrade
from qms.registry import load_models

load_models()
# The one place the tests read the environment: CI points them at PostgreSQL.
GIVEN_URL = os.environ.get("QMS_TEST_DATABASE_URL") or None
# pytest-xdist names its workers gw0, gw1, …; None when the suite runs in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER") or None


def _worker_url(url: str | None) -> str | None:
    """A worker's own database on the given server: the given name + "_" + the worker id."""
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


# The database this process's tests use (each worker its own); its server is the given one.
POSTGRES_URL = _worker_url(GIVEN_URL)
ON_POSTGRES = bool(POSTGRES_URL)


def pytest_report_header(config):
    if not ON_POSTGRES:
        return "database: SQLite (file per test)"
    return f"database: PostgreSQL {POSTGRES_URL} (with pytest-xdist: one per worker, _gwN)"


def pytest_sessionfinish(session):
    """An xdist worker hands its figures to the controller, which prints them for all."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests import figures

        workeroutput["figures"] = figures.dump()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """In the xdist controller: a worker finished; add its figures to the run's."""
    from tests import figures

    figures.merge(getattr(node, "workeroutput", {}).get("figures", {}))


def pytest_terminal_summary(terminalreporter):
    """What the reliability and security tests checked, counted as they ran (tests/figures),
    summed over every xdist worker."""
    from tests import figures

    found = figures.lines()
    if found:
        database = "PostgreSQL" if ON_POSTGRES else "SQLite"
        terminalreporter.write_sep("-", f"figures ({database})")
        for line in found:
            terminalreporter.write_line(line)


def _server_admin(url: str):
    server = make_url(url).set(database="postgres")
    return create_engine(server, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """SQLite: one database migrated to head, copied for each test. PostgreSQL: migrated once
    (under xdist, the worker's own database, created here and dropped at the end)."""
    if ON_POSTGRES:
        admin = None
        if POSTGRES_URL != GIVEN_URL:
            name = make_url(POSTGRES_URL).database
            admin = _server_admin(POSTGRES_URL)
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        settings = Settings(data_dir=tmp_path_factory.mktemp("pg"), database_url=POSTGRES_URL)
        engine = make_engine(settings, pool=False)
        upgrade(engine)
        engine.dispose()
        yield None
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    folder = tmp_path_factory.mktemp("template")
    settings = Settings(data_dir=folder)
    engine = make_engine(settings, pool=False)
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    assert not (folder / "qms.sqlite3-wal").exists()
    yield folder / "qms.sqlite3"


@functools.cache
def _written_probe(url: str) -> str:
    """One query naming the tables that hold rows, then the sequences that were used."""
    engine = make_engine(Settings(database_url=url), pool=False)
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"
            )
        ).scalars()
        # Names from the catalog, not from input.
        probe = [
            f"SELECT 'table', '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")"  # noqa: S608
            for t in tables
        ]
    engine.dispose()
    used = (
        "SELECT 'sequence', quote_ident(schemaname) || '.' || quote_ident(sequencename) "
        "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
    )
    return " UNION ALL ".join([*probe, used])


def _empty_postgres(url: str) -> None:
    """Back to the migrated, empty schema: delete the rows of the tables that hold any and
    restart the sequences that were used. Measured on this machine: 0.1 s a test, against
    1.3 s for TRUNCATE of every table (new files for each table and index) and 0.5 s for
    CREATE DATABASE … TEMPLATE. Triggers (the append-only trail's) and foreign keys are off
    for this transaction only (session_replication_role), as everything goes."""
    engine = make_engine(Settings(database_url=url), pool=False)
    with engine.begin() as conn:
        found = conn.execute(text(_written_probe(url))).all()
        if found:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for kind, name in found:
            if kind == "table":
                conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608
            else:
                conn.execute(text(f"ALTER SEQUENCE {name} RESTART"))
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


class DemoTemplate:
    """The demo office as `qms demo` leaves it, made once per worker (and again if the day
    changed: the demo dates its records from today), for tests to start from a copy of it.

    SQLite: a data directory (the database file and the kept PDFs) copied per test.
    PostgreSQL: a database of the worker's (`…_demo`) that each copy is created from with
    CREATE DATABASE … TEMPLATE, beside the data directory's kept files."""

    def __init__(self, root: Path, migrated: Path | None, signing_p12: Path):
        self.root, self.migrated, self.signing_p12 = root, migrated, signing_p12
        self.day = None
        self.database = f"{make_url(POSTGRES_URL).database}_demo" if ON_POSTGRES else None

    def env(self, data_dir: Path, database_url: str | None) -> dict[str, str]:
        """The QMS_* settings of the tests (the cli fixture's), for this data directory."""
        return {
            "QMS_DATA_DIR": str(data_dir),
            "QMS_SECRET_KEY": "test-secret",
            "QMS_PASSWORD_HASHING": "fast",
            "QMS_LANG": "en",
            "QMS_DATABASE_URL": database_url or "",
            "QMS_SIGNING_P12": str(self.signing_p12),
            "QMS_SIGNING_PASSWORD": SIGNING_PASSWORD,
        }

    def _url(self, database: str) -> str:
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    def _build(self) -> None:
        data_dir = self.root / "data"
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir()
        if ON_POSTGRES:
            self._recreate(self.database)
            url = self._url(self.database)
        else:  # migrated already: `qms demo`'s upgrade finds nothing to do
            shutil.copy(self.migrated, data_dir / "qms.sqlite3")
            url = None
        day = self._today()
        # The real command in its own process, as `make run` runs it (in this one, a browser
        # test's Playwright may be running an event loop, where pyHanko's signing cannot).
        # It ends with its engine disposed: the SQLite WAL checkpointed into the file, no
        # connection left on the PostgreSQL template (CREATE DATABASE … TEMPLATE needs none).
        env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
        done = subprocess.run(
            [sys.executable, "-m", "qms", "demo"],
            env={**env, **self.env(data_dir, url)},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        self.output, self.day = done.stdout, day

    def _recreate(self, name: str, template: str | None = None) -> None:
        admin = _server_admin(POSTGRES_URL)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            source = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{source}'))
        admin.dispose()

    def _today(self):
        from datetime import datetime

        return datetime.now(Settings(data_dir=self.root).tz).date()

    def copy_into(self, data_dir: Path, database: str | None = None) -> str | None:
        """The demo copied into `data_dir` (which must not exist yet); on PostgreSQL also into
        the database `database` (by default one per worker, made afresh): its URL."""
        if self.day != self._today():
            self._build()
        shutil.copytree(self.root / "data", data_dir)
        if not ON_POSTGRES:
            return None
        database = database or f"{self.database}_copy"
        self._recreate(database, template=self.database)
        return self._url(database)

    def drop(self, database: str) -> None:
        admin = _server_admin(POSTGRES_URL)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, migrated_template, signing_p12):
    """The demo office for the tests marked `demo` (and the browser tests' servers)."""
    template = DemoTemplate(tmp_path_factory.mktemp("demo"), migrated_template, signing_p12)
    yield template
    if ON_POSTGRES:
        for name in (template.database, f"{template.database}_copy"):
            template.drop(name)


@pytest.fixture
def settings(request, tmp_path, migrated_template, signing_p12) -> Settings:
    data_dir = tmp_path / "data"
    signing = {"signing_p12": signing_p12, "signing_password": SIGNING_PASSWORD}
    if request.node.get_closest_marker("demo"):
        # The demo office, as `qms demo` left it (a copy of the worker's template).
        url = request.getfixturevalue("demo_template").copy_into(data_dir)
        return Settings(
            data_dir=data_dir,
            database_url=url,
            password_hashing="fast",
            secret_key="test-secret",
            lang="en",
            **signing,
        ).prepare()
    data_dir.mkdir()
    if ON_POSTGRES:
        _empty_postgres(POSTGRES_URL)
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


# One app per worker (and per shape of settings), bound to each test's database and data
# directory in turn. FastAPI builds a route's handler (its dependencies, its models) per app,
# lazily, on the first request that walks past it: ~0.3 s of CPU for the app's ~240 routes,
# paid again by every test with an app of its own, and growing with every route added. The
# app reads its settings and engine from app.state on each request, as in production where
# one app serves every request; what it keeps across tests (its routes, its OpenAPI schema)
# does not depend on the database.
_APPS: dict[str, tuple] = {}
# What create_app reads besides the database and the data directory (the middleware's body
# limit, language and cookies, the scheduler): settings differing in these get their own app.
_PER_TEST = {"data_dir", "database_url"}


@pytest.fixture
def app(settings):
    from qms.app import create_app
    from qms.auth import passwords
    from qms.db import make_engine as engine_for

    shape = settings.model_dump_json(exclude=_PER_TEST)
    if shape not in _APPS:
        application = create_app(settings)
        _APPS[shape] = (application, dict(application.state._state))
    else:
        application, state = _APPS[shape]
        passwords.configure(settings.password_hashing)
        application.state._state.clear()
        application.state._state.update(state, settings=settings, engine=engine_for(settings))
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
