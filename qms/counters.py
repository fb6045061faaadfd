"""Gap-free yearly counters for record codes (NC-2026-0007, IA-2026-03)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

# The trail's append lock: see next_number for why a counter takes it first.
from qms.trail.service import _TRAIL_LOCK_KEY as TRAIL_LOCK_KEY


class CodeCounter(SQLModel, table=True):
    """The last number handed out for a kind of record in a year."""

    __tablename__ = "code_counter"

    name: str = Field(max_length=32, primary_key=True)
    year: int = Field(primary_key=True)
    last: int = Field(default=0, ge=0)


def next_number(*, session: Session, name: str, year: int) -> int:
    """The next number of the `name` series for `year`, 1 for the first.

    One upsert incremented inside the caller's transaction: the row stays locked until
    that transaction ends, so two concurrent callers get consecutive numbers, and a
    rolled-back transaction gives its number back (no gaps, no duplicates). SQLite writers
    are already serialised by BEGIN IMMEDIATE.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Every writer appending to the trail takes this lock before anything else it may
        # wait for; taking it before the counter row keeps the lock order one-way, so a
        # transaction that appended an event and then asks for a number cannot deadlock
        # with one that holds the counter row and wants to append.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TRAIL_LOCK_KEY})
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
    else:  # pragma: no cover - the settings accept only these two
        raise RuntimeError(f"no counter upsert for {dialect}")
    table = CodeCounter.__table__
    statement = (
        insert(table)
        .values(name=name, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[table.c.name, table.c.year],
            set_={"last": table.c.last + 1},
        )
        .returning(table.c.last)
    )
    return int(session.execute(statement).scalar_one())
