"""A manager's home shows their department's open work (issue 19.10): open nonconformities
and corrective actions (overdue first), revisions waiting, risk treatment actions and
objectives at risk or missed, each linked to the register filtered to them; nothing of
another department, and nothing of it for those who manage no department."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from qms.db import unit_of_work
from qms.nonconformities.models import CorrectiveAction
from tests.documents import factories as documents
from tests.nonconformities.builders import build as build_nc
from tests.nonconformities.builders import today
from tests.objectives.builders import build as build_objective
from tests.risks.builders import build as build_risk


def _section(page: str) -> str:
    assert 'id="department"' in page, "no department section"
    start = page.index('id="department"')
    return page[start : page.index("</section>", start)]


def _list(section: str, kind: str) -> str:
    """The part of the section under the heading of one kind of work."""
    start = section.index(f">{kind}</a>")
    end = section.find("<h3>", start)
    return section[start : end if end != -1 else None]


def _overdue_action(world, built, days_late: int = 3):
    with unit_of_work(world.engine) as session:
        action = session.get(CorrectiveAction, built.action_ids[0])
        action.due_on = today(world) - timedelta(days=days_late)
        session.add(action)


def test_open_nonconformities_and_actions_of_the_department_overdue_first(world):
    fresh = build_nc(world, "open")
    late = build_nc(world, "action_planned")
    _overdue_action(world, late)
    other = build_nc(world, "open", department=world.dept_b)
    page = world.browser(world.manager).get("/").text
    section = _section(page)
    assert "Open work of your department: Phòng A" in section
    assert other.code not in section
    ncs = _list(section, "Open nonconformities")
    assert ncs.index(late.code) < ncs.index(fresh.code)  # the overdue one first
    assert re.search(r'<li class="overdue">\s*<a href="/nonconformities/%d"' % late.id, ncs)
    assert '<span class="count overdue">1 overdue</span>' in ncs
    actions = _list(section, "Open corrective actions")
    assert actions.count("<li") == 2 and actions.count('<li class="overdue">') == 1
    assert f"/nonconformities/{late.id}#action-{late.action_ids[0]}" in actions


def test_each_list_links_to_the_register_filtered_to_it(world):
    mine = build_nc(world, "action_planned")
    closed = build_nc(world, "closed")
    other = build_nc(world, "action_planned", department=world.dept_b)
    browser = world.browser(world.manager)
    section = _section(browser.get("/").text)
    links = {
        unescape(text): unescape(href)
        for href, text in re.findall(r'<h3><a href="([^"]+)">([^<]+)</a>', section)
    }
    a = world.dept_a.id
    assert links["Open nonconformities"] == f"/nonconformities?department_id={a}&active=true"
    assert links["Open corrective actions"] == (
        f"/nonconformities?department_id={a}&status=action_planned"
    )
    register = browser.get(links["Open nonconformities"]).text
    assert mine.code in register and closed.code not in register and other.code not in register


def test_revisions_risk_actions_and_objectives_of_the_department(world):
    waiting = documents.revision_in(world, "in_review")
    elsewhere = documents.revision_in(world, "in_review", department=world.dept_b)
    risk = build_risk(world, "treating")
    year = today(world).year
    missed = build_objective(world, figures=[(f"{year}-01", 70, 100)])
    browser = world.browser(world.manager)
    section = _section(browser.get("/").text)
    revisions = _list(section, "Revisions waiting for signature or publication")
    assert f'href="/revisions/{waiting}"' in revisions
    assert f'href="/revisions/{elsewhere}"' not in section
    assert "In review" in revisions
    treatment = _list(section, "Open risk treatment actions")
    assert risk.code in treatment and f"/risks/{risk.id}#action-{risk.action_ids[0]}" in treatment
    objectives = _list(section, "Objectives missing their target")
    assert missed.code in objectives
    link = re.search(r'<a href="([^"]+)">Objectives missing their target</a>', section)
    assert unescape(link.group(1)) == (
        f"/objectives?department_id={world.dept_a.id}&standing=missed"
    )
    assert missed.code in browser.get(unescape(link.group(1))).text
    risks_link = f"/risks?department_id={world.dept_a.id}&status=treating"
    assert f'href="{risks_link.replace("&", "&amp;")}"' in section
    assert risk.code in browser.get(risks_link).text


def test_another_department_and_people_managing_none_do_not_see_it(world):
    built = build_nc(world, "open")
    page_b = world.browser(world.manager_b).get("/").text
    assert built.code not in _section(page_b)
    assert "Nothing is open in your department." in page_b
    for person in (world.staff, world.quality_officer, world.auditor):
        assert 'id="department"' not in world.browser(person).get("/").text


def test_the_section_reads_in_vietnamese(world):
    build_nc(world, "open")
    browser = world.browser(world.manager)
    browser.cookies.set("qms_lang", "vi")
    section = _section(browser.get("/").text)
    assert "Việc chưa xong của đơn vị bạn" in section and "Open nonconformities" not in section


def test_the_api_gives_the_manager_the_department_work_and_refuses_the_others(world):
    fresh = build_nc(world, "open")
    late = build_nc(world, "action_planned")
    _overdue_action(world, late)
    build_nc(world, "open", department=world.dept_b)
    answer = world.api(world.manager).get("/api/v1/my-department-work")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["department_id"], body["department_name"]) == (world.dept_a.id, "Phòng A")
    kinds = {part["kind"]: part for part in body["lists"]}
    ncs = kinds["Open nonconformities"]
    assert [i["code"] for i in ncs["items"]] == [late.code, fresh.code]  # overdue first
    assert ncs["total"] == 2 and ncs["url"].startswith("/nonconformities?department_id=")
    actions = kinds["Open corrective actions"]
    assert actions["overdue"] == 1 and actions["items"][0]["overdue"] is True
    assert body["total"] == sum(part["total"] for part in body["lists"])
    assert body["overdue"] >= 1
    one = world.api(world.manager).get("/api/v1/my-department-work?limit=1").json()
    assert all(len(part["items"]) <= 1 for part in one["lists"])
    assert world.api(world.manager).get("/api/v1/my-department-work?limit=0").status_code == 422
    other = world.api(world.manager_b).get("/api/v1/my-department-work").json()
    assert late.code not in str(other)
    for person in (world.staff, world.quality_officer, world.auditor, world.admin):
        refused = world.api(person).get("/api/v1/my-department-work")
        assert refused.status_code == 403, person
    documented = world.api(world.manager).get("/api/v1/openapi.json").json()["paths"]
    assert "get" in documented["/api/v1/my-department-work"]
