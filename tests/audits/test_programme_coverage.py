"""The programme's warning about departments with no internal audit this year (issue 19.10,
ISO 9001:2015 9.2.2 a): what counts as audited, where the quality officer sees it, and the
link that plans the missing audit."""

from __future__ import annotations

import re
from datetime import date

from tests.audits import support


def _warned(html: str) -> set[str]:
    """The department codes the warning names (nothing when there is no warning)."""
    if 'id="not-covered"' not in html:
        return set()
    block = html[html.index('id="not-covered"') :]
    block = block[: block.index("</ul>")]
    return set(re.findall(r"<li><span>([^ <]+) – ", block))


def _codes(world):
    return world.dept_a.code, world.dept_b.code


def test_a_department_planned_this_year_is_covered_the_others_are_named(world):
    a, b = _codes(world)
    year = support.today(world).year
    browser = world.browser(world.quality_officer)
    assert _warned(browser.get(f"/audit-programmes/{year}").text) == {a, b}
    support.plan(world, start=support.today(world))  # department A
    page = browser.get(f"/audit-programmes/{year}").text
    assert _warned(page) == {b}
    assert f'href="/audits/new?department_id={world.dept_b.id}"' in page
    assert "Not yet audited in %s" % year in page
    # The audits list the quality officer plans from says the same.
    assert _warned(browser.get("/audits").text) == {b}


def test_a_cancelled_audit_does_not_count_one_performed_does(world):
    a, b = _codes(world)
    year = support.today(world).year
    support.build(world, "cancelled", start=support.today(world))
    browser = world.browser(world.quality_officer)
    assert _warned(browser.get(f"/audit-programmes/{year}").text) == {a, b}
    support.build(world, "reported", start=support.today(world))
    assert _warned(browser.get(f"/audit-programmes/{year}").text) == {b}


def test_an_audit_of_another_year_does_not_cover_this_one(world):
    a, b = _codes(world)
    this_year = support.today(world).year
    support.plan(world, start=date(this_year + 1, 3, 2))
    browser = world.browser(world.quality_officer)
    assert _warned(browser.get(f"/audit-programmes/{this_year}").text) == {a, b}
    assert _warned(browser.get(f"/audit-programmes/{this_year + 1}").text) == {b}


def test_the_link_plans_an_audit_of_that_department(world):
    browser = world.browser(world.quality_officer)
    page = browser.get(f"/audits/new?department_id={world.dept_b.id}").text
    assert f'<option value="{world.dept_b.id}" selected>' in page
    assert browser.get("/audits/new?department_id=abc").status_code == 422


def test_a_manager_sees_the_programme_warning_without_the_planning_link(world):
    year = support.today(world).year
    page = world.browser(world.manager).get(f"/audit-programmes/{year}").text
    assert _warned(page) == set(_codes(world))
    assert "/audits/new?department_id=" not in page
    # The list is the quality officer's planning page: the warning is theirs there.
    assert 'id="not-covered"' not in world.browser(world.manager).get("/audits").text


def test_the_warning_reads_in_vietnamese(world):
    browser = world.browser(world.quality_officer)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get(f"/audit-programmes/{support.today(world).year}").text
    assert "Chưa được đánh giá trong năm" in page and "TCVN ISO 9001:2015, 9.2.2 a" in page


def test_the_api_gives_the_same_warning_to_those_who_read_the_programme(world):
    a, b = _codes(world)
    year = support.today(world).year
    support.build(world, "cancelled", start=support.today(world))
    support.plan(world, start=support.today(world))  # department A
    answer = world.api(world.manager).get(f"/api/v1/audit-programmes/{year}/not-covered")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["year"] == year
    assert [d["code"] for d in body["not_covered"]] == [b]
    assert body["not_covered"][0] == {"id": world.dept_b.id, "code": b, "name": world.dept_b.name}
    # A year with no programme yet: nothing covers any department.
    later = world.api(world.auditor).get(f"/api/v1/audit-programmes/{year + 1}/not-covered")
    assert {d["code"] for d in later.json()["not_covered"]} == {a, b}
    assert (
        world.api(world.staff).get(f"/api/v1/audit-programmes/{year}/not-covered").status_code
        == 403
    )
    assert (
        world.api(world.manager).get("/api/v1/audit-programmes/1999/not-covered").status_code == 422
    )
    documented = world.api(world.manager).get("/api/v1/openapi.json").json()["paths"]
    assert "get" in documented["/api/v1/audit-programmes/{year}/not-covered"]
