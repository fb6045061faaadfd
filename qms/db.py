"""Engine and sessions: SQLite pragmas and BEGIN IMMEDIATE for writes, PostgreSQL via psycopg."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import declared_attr
from sqlalchemy.pool import NullPool
from sqlmodel import Field, Session, SQLModel, create_engine

from qms.config import Settings

# Constraint names that Alembic and both databases agree on.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest id both databases store in an INTEGER column; API ids are bounded by it.
MAX_ID = 2_147_483_647


_CLOCK: ContextVar[datetime | None] = ContextVar("qms_clock", default=None)


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC: what every `_at` column stores (the
    instant set by `clock_at` inside it)."""
    return _CLOCK.get() or datetime.now(UTC)


@contextmanager
def clock_at(instant: datetime) -> Iterator[None]:
    """Everything the services record inside happens at `instant`: the demo's history is
    told at the dates its records claim, through the same services and the same trail."""
    token = _CLOCK.set(instant.astimezone(UTC))
    try:
        yield
    finally:
        _CLOCK.reset(token)


class RecordBase(SQLModel):
    """Columns every editable record carries: a version for optimistic locking, timestamps.

    Services compare the version a person edited against (`qms.errors.check_version`) and
    raise it with each change. The mapper also puts `WHERE version = <the one read>` in
    every UPDATE, so of two transactions that read the same version only the first
    writes; the second gets StaleDataError, answered as 409 (PostgreSQL's READ COMMITTED
    would otherwise let both through).
    """

    version: int = Field(default=1, ge=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @declared_attr
    def __mapper_args__(cls):
        if "__table__" not in cls.__dict__:
            return {}
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


def make_engine(settings: Settings, *, pool: bool = True) -> Engine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # No cap on connections (a SQLite connection is a file handle): a request that
            # holds one and opens a short writer (deps.resolve_user touching the sign-in
            # session) must never wait for the pool, or a full pool deadlocks until timeout.
            **({"max_overflow": -1} if pool else {"poolclass": NullPool}),
        )
        _configure_sqlite(engine)
        return engine
    sizing = {"pool_size": 10, "max_overflow": 10} if pool else {"poolclass": NullPool}
    return create_engine(url, pool_pre_ping=True, **sizing)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's begin event, not the driver, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # Writers of this process queue here, in order, before asking SQLite for its lock.
    # SQLite's own waiting is polling (busy_timeout sleeps and retries), unfair, and leaves
    # the lock idle between polls: under 50 clients the benchmark saw write requests pile
    # up behind it until some waited 30 s and failed. With this queue at most one writer
    # per process polls; the others are woken the moment the previous one commits.
    writer_queue = threading.Lock()
    holder: set = set()  # the Connection in the queue's lock (an invalidated one has no .info)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred read-then-write transaction fails at once under WAL ("database is
        # locked", busy_timeout ignored), so writers take the write lock up front.
        immediate = conn.get_execution_options().get("qms_write", True)
        if immediate and writer_queue.acquire(timeout=30):
            holder.add(conn)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        except BaseException:
            _leave_queue(conn)
            raise

    def _leave_queue(conn):
        if conn in holder:
            holder.discard(conn)
            writer_queue.release()

    event.listen(engine, "commit", _leave_queue)
    event.listen(engine, "rollback", _leave_queue)


def refresh_statistics(engine: Engine) -> None:
    """Keep SQLite's query-planner statistics current (PostgreSQL's autovacuum does this).

    Without sqlite_stat1 the planner guesses, and picks an index on a low-selectivity
    column (a status) over a selective one (a department): measured 70 ms instead of 10 ms
    for a staff member's documents to read at 10,000 documents. Run daily by the reminder
    sweep; analysis_limit bounds the cost (about 0.4 s at the benchmark's full size).
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def read_only(engine: Engine) -> Engine:
    """The same engine, starting deferred transactions: for requests that only read."""
    return engine.execution_options(qms_write=False)


# Files a transaction wrote into the store, removed again unless it commits.
NEW_FILES = "qms_new_files"


def remove_unless_committed(session: Session, path: Path) -> None:
    """A file the session's transaction has just written: if the transaction ends without
    committing (a refusal further on, a failed flush or commit), the file is removed, so a
    failed request leaves no file that no record names. Only for files this transaction
    created: bytes already in the store may belong to committed records."""
    session.info.setdefault(NEW_FILES, []).append(Path(path))


@event.listens_for(OrmSession, "after_commit")
def _keep_committed_files(session) -> None:
    session.info.pop(NEW_FILES, None)


@event.listens_for(OrmSession, "after_transaction_end")
def _remove_uncommitted_files(session, transaction) -> None:
    if transaction.parent is None:
        for path in session.info.pop(NEW_FILES, ()):
            path.unlink(missing_ok=True)


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with Session(engine if write else read_only(engine), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
