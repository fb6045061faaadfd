"""The next day's sweep reads only the due dates whose stage opened since the last
complete sweep: the windows, in Python and in SQL, against every stage of every day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Column, Date, MetaData, Table, insert, select
from sqlmodel import Session

from qms.reminders import service
from qms.reminders.models import Notification
from qms.reminders.rules import Windows, stage_of
from tests.reminders.rules import ANCHOR, install_fixed_rule, remove_fixed_rule

DAY = date(2026, 12, 31)
OFFSETS = range(-70, 40)  # due dates from 70 days late to 39 days ahead


@pytest.fixture
def rule():
    install_fixed_rule()
    yield
    remove_fixed_rule()


def test_a_window_holds_exactly_the_due_dates_whose_stage_opened_since():
    for gap in range(1, 12):
        windows = Windows(after=DAY - timedelta(days=gap), as_of=DAY)
        for offset in OFFSETS:
            due = DAY + timedelta(days=offset)
            stage = stage_of(due, DAY)
            expected = stage is not None and stage_of(due, windows.after) != stage
            assert windows.opens(due) is expected, (gap, offset)


def test_the_sql_windows_select_what_the_python_ones_hold(engine):
    table = Table("window_days", MetaData(), Column("due_on", Date), prefixes=["TEMPORARY"])
    days = [DAY + timedelta(days=offset) for offset in OFFSETS]
    with engine.connect() as conn:
        table.create(conn)
        conn.execute(insert(table), [{"due_on": d} for d in days])
        for gap in (1, 2, 6, 7, 9):
            windows = Windows(
                after=DAY - timedelta(days=gap), as_of=DAY, dialect=engine.dialect.name
            )
            found = set(conn.execute(select(table.c.due_on).where(windows.clause(table.c.due_on))))
            # SQL may read a little more (due dates past their last stage); never less.
            assert {d for d in days if windows.opens(d)} <= {row[0] for row in found}, gap
            ahead = {row[0] for row in found if row[0] >= DAY}
            assert ahead == {d for d in days if d >= DAY and windows.opens(d)}, gap
        conn.rollback()


def test_the_next_days_sweep_makes_what_a_full_plan_would(world, engine, settings, rule):
    # Day after day with nothing changed in between: windowed sweeps, each making exactly
    # the reminders that a sweep planning every stage makes on a copy of the same history.
    start = ANCHOR - timedelta(days=31)
    made = []
    for n in range(45):
        made.append(
            service.sweep(engine=engine, settings=settings, as_of=start + timedelta(days=n)).created
        )
    assert sum(made) > 0
    with Session(engine) as session:
        keys = set(session.scalars(select(Notification.key)).all())
        every = set()
        for n in range(45):
            every |= {p.key for p in service.plan(session=session, as_of=start + timedelta(days=n))}
    assert keys == every
