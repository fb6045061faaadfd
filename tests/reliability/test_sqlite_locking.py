"""SQLite: a write transaction takes the write lock when it begins (BEGIN IMMEDIATE).

A deferred transaction that reads and then writes fails at once under WAL with "database
is locked" when another writer got in between (busy_timeout is not applied to that
upgrade). Taking the lock up front makes such a writer wait its turn instead. Checked
here from outside: while one write transaction has only read, another connection cannot
take the write lock; while a read-only one has read, it can.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from qms.db import unit_of_work
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's locking")


def _other_writer_gets_the_lock(settings) -> bool:
    other = sqlite3.connect(settings.data_dir / "qms.sqlite3", timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


def test_a_write_transaction_holds_the_write_lock_from_its_start(engine, settings):
    with unit_of_work(engine) as session:
        session.execute(text("SELECT count(*) FROM department")).one()  # only read so far
        assert not _other_writer_gets_the_lock(settings)
    assert _other_writer_gets_the_lock(settings)  # released at commit


def test_a_read_only_transaction_leaves_the_write_lock_free(engine, settings):
    with unit_of_work(engine, write=False) as session:
        session.execute(text("SELECT count(*) FROM department")).one()
        assert _other_writer_gets_the_lock(settings)
