"""The inbox after `qms demo` (the command `make run` starts with) and its "mark all" button."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qms.auth.models import User
from qms.db import unit_of_work
from tests.factories import Person

MARK_ALL = 'action="/notifications/read-all"'


def _demo_person(app, local: str) -> Person:
    with unit_of_work(app.state.engine, write=False) as session:
        user = session.exec(select(User).where(User.email == f"{local}@ubnd.demo.vn")).one()
    return Person(user, password="demo-2026")


@pytest.mark.demo
def test_qms_demo_runs_a_sweep_so_the_overdue_work_is_in_the_inbox(app, world, demo_template):
    # The database is a copy of what `qms demo` left; this was its output.
    assert "reminder sweep:" in demo_template.output
    browser = world.browser(_demo_person(app, "chatluong"))
    inbox = browser.get("/notifications")
    assert inbox.status_code == 200
    assert 'class="work"' in inbox.text and "No reminders." not in inbox.text
    assert MARK_ALL in inbox.text
    # Marked read: nothing unread is left, so the button goes.
    response = browser.submit("/notifications/read-all", page="/notifications")
    assert response.status_code == 303
    after = browser.get("/notifications")
    assert 'class="work"' in after.text and MARK_ALL not in after.text


def test_an_empty_inbox_offers_no_mark_all_read(world):
    page = world.browser(world.staff).get("/notifications")
    assert page.status_code == 200
    assert "No reminders." in page.text and MARK_ALL not in page.text
