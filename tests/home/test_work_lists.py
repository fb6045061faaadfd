"""The home's work lists: the most urgent few of each kind, the counts of all of them from
the database, overdue work marked, and a link to the rest in the filtered register."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from qms.auth.models import User
from qms.db import unit_of_work
from qms.home import service as home
from qms.nonconformities.models import CorrectiveAction
from tests.nonconformities.builders import build, today

# Days from today of the staff member's eight open actions: three overdue.
DUE_IN = [4, -2, 1, 5, -3, 3, 2, -1]


def _eight_actions(world):
    """Four nonconformities with two actions each, all owned by the staff member."""
    built = [build(world, "action_planned", owners=(world.staff, world.staff)) for _ in range(4)]
    day = today(world)
    with unit_of_work(world.engine) as session:
        actions = session.exec(select(CorrectiveAction).order_by(CorrectiveAction.id)).all()
        assert len(actions) == len(DUE_IN)
        for action, days in zip(actions, DUE_IN, strict=True):
            action.due_on = day + timedelta(days=days)
            session.add(action)
    return built, day


def test_each_kind_shows_the_most_urgent_few_and_counts_all(world):
    _built, day = _eight_actions(world)
    with unit_of_work(world.engine, write=False) as session:
        staff = session.get(User, world.staff.id)
        work = home.work_for(session=session, user=staff, today=day, limit=5)
    (actions,) = [w for w in work.lists if w.kind == "Complete the corrective action"]
    assert actions.total == 8
    assert actions.more == 3
    assert actions.overdue == 3  # counted by the database, two of them not shown
    shown = [item.due_on - day for item in actions.items]
    assert shown == [timedelta(days=d) for d in (-3, -2, -1, 1, 2)]
    assert [item.overdue for item in actions.items] == [True, True, True, False, False]
    assert work.total == 8 and work.overdue == 3
    assert actions.url == (
        f"/nonconformities?status=action_planned&action_owner_id={world.staff.id}"
    )


def test_a_list_shown_whole_counts_its_overdue_items_itself(world):
    _built, day = _eight_actions(world)
    with unit_of_work(world.engine, write=False) as session:
        staff = session.get(User, world.staff.id)
        work = home.work_for(session=session, user=staff, today=day, limit=20)
    (actions,) = [w for w in work.lists if w.kind == "Complete the corrective action"]
    assert (actions.total, actions.more, actions.overdue) == (8, 0, 3)
    assert len(actions.items) == 8
    # None of the lists with nothing in them reaches the home.
    assert all(w.total for w in work.lists)


def test_the_home_page_caps_the_list_marks_overdue_and_links_to_the_rest(world):
    _eight_actions(world)
    page = world.browser(world.staff).get("/").text
    work = page[page.index('<ol class="work">') : page.index("</ol>")]
    assert work.count("<li") == home.LIMIT
    assert work.count('<li class="overdue">') == 3
    assert '<span class="count">8</span>' in page
    assert '<span class="count overdue">3 overdue</span>' in page
    link = f'href="/nonconformities?status=action_planned&amp;action_owner_id={world.staff.id}"'
    assert link in page
    assert "3 more: Complete the corrective action" in page


def test_the_link_to_the_rest_opens_the_register_filtered_to_them(world):
    built, _day = _eight_actions(world)
    other = build(world, "action_planned", owners=(world.auditor_a, world.auditor_a))
    client = world.browser(world.staff)
    url = f"/nonconformities?status=action_planned&action_owner_id={world.staff.id}"
    page = client.get(url).text
    assert all(b.code in page for b in built)
    assert other.code not in page


def test_the_home_api_lists_the_shown_items_most_urgent_first(world):
    _eight_actions(world)
    items = world.api(world.staff).get("/api/v1/my-work").json()
    actions = [i for i in items if i["kind"] == "Complete the corrective action"]
    assert [i["due_on"] for i in actions] == sorted(i["due_on"] for i in actions)
    assert len(actions) == home.LIMIT
    assert [i["overdue"] for i in actions] == [True, True, True, False, False]


def test_first_rows_counts_only_when_more_rows_may_exist(world):
    _eight_actions(world)
    with unit_of_work(world.engine, write=False) as session:
        query = select(CorrectiveAction)
        order = [CorrectiveAction.id]
        whole = home.first_rows(session, query, order_by=order, limit=10)
        assert (len(whole.rows), whole.total, whole.overdue) == (8, 8, None)
        part = home.first_rows(
            session, query, order_by=order, limit=2, overdue=CorrectiveAction.due_on < today(world)
        )
        assert (len(part.rows), part.total, part.overdue) == (2, 8, 3)
        none = home.first_rows(session, query, order_by=order, limit=0)
        assert (none.rows, none.total) == ([], 8)
