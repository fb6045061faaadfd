"""The daily sweep under APScheduler, run by one process only: the holder of a lock.

On PostgreSQL the lock is a session-level advisory lock on a connection the leader keeps
open; on SQLite it is an exclusive lock on a file in the data directory. Either is released
by the operating system or the server when the leader's process dies, and another process
takes over at its next attempt.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, text

from qms.config import Settings

log = logging.getLogger("qms.scheduler")
_ADVISORY_KEY = 7_305_002
RETRY_SECONDS = 30


class LeaderLock:
    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self._connection = None
        self._file = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def acquire(self) -> bool:
        """Try once, without waiting; True when this process is (or stays) the leader."""
        with self._guard:
            if self.held:
                return self._still_held()
            if self.engine.dialect.name == "postgresql":
                connection = self.engine.connect()
                got = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
                ).scalar()
                connection.commit()
                if got:
                    self._connection = connection
                else:
                    connection.close()
                return bool(got)
            handle = (self.settings.data_dir / "scheduler.lock").open("a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._file = handle
            return True

    def _still_held(self) -> bool:
        if self._connection is None:
            return True
        try:  # a leader whose database connection died is a leader no more
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            self._connection = None
            return False

    def release(self) -> None:
        with self._guard:
            if self._connection is not None:
                try:
                    self._connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY}
                    )
                    self._connection.commit()
                finally:
                    self._connection.close()
                    self._connection = None
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
                self._file.close()
                self._file = None


def _job(engine: Engine, settings: Settings, lock: LeaderLock) -> None:
    from qms.reminders.service import sweep

    if not lock.acquire():
        log.info("another process runs the reminder sweep")
        return
    as_of = datetime.now(settings.tz).date()
    run = sweep(engine=engine, settings=settings, as_of=as_of, trigger="scheduler")
    log.info("reminder sweep %s: %s created, %s e-mailed", run.id, run.created, run.emailed)


def configure(scheduler, engine: Engine, settings: Settings, lock: LeaderLock):
    # Defaults are too strict for a busy machine (misfire_grace_time=1 s skips the run).
    scheduler.configure(
        job_defaults={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
        timezone=settings.tz,
    )
    scheduler.add_job(
        _job,
        CronTrigger(hour=settings.reminder_hour, minute=0, timezone=settings.tz),
        args=(engine, settings, lock),
        id="reminder-sweep",
        replace_existing=True,
    )
    # Followers keep trying for the lock, so a stopped leader is replaced.
    scheduler.add_job(lock.acquire, "interval", seconds=RETRY_SECONDS, id="leader-lock")
    return scheduler


def start_background(engine: Engine, settings: Settings) -> tuple[BackgroundScheduler, LeaderLock]:
    lock = LeaderLock(engine, settings)
    lock.acquire()
    scheduler = configure(BackgroundScheduler(daemon=True), engine, settings, lock)
    scheduler.start()
    return scheduler, lock


def run_blocking(engine: Engine, settings: Settings) -> None:
    lock = LeaderLock(engine, settings)
    lock.acquire()
    scheduler = configure(BlockingScheduler(), engine, settings, lock)
    try:
        scheduler.start()
    finally:
        lock.release()
