"""The register (filters, age, overdue), its CSV and Excel exports, and each person's work."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from qms.db import unit_of_work
from qms.nonconformities.models import CorrectiveAction, Nonconformity
from tests.nonconformities.builders import build, today


def _age(world, nc_id, days):
    """Time passes: the nonconformity was raised `days` ago."""
    with unit_of_work(world.engine) as session:
        nc = session.get(Nonconformity, nc_id)
        nc.raised_on = today(world) - timedelta(days=days)
        session.add(nc)


def _late_action(world, action_id):
    with unit_of_work(world.engine) as session:
        action = session.get(CorrectiveAction, action_id)
        action.due_on = today(world) - timedelta(days=1)
        session.add(action)


def _late_check(world, nc_id):
    with unit_of_work(world.engine) as session:
        nc = session.get(Nonconformity, nc_id)
        nc.check_due_on = today(world) - timedelta(days=2)
        session.add(nc)


def codes(response):
    assert response.status_code == 200, response.text
    return sorted(n["code"] for n in response.json())


def test_filters_narrow_the_register(world):
    a_open = build(world, "open")
    a_planned = build(world, "action_planned")
    b_open = build(world, "open", department=world.dept_b)
    client = world.api(world.staff)
    get = lambda **q: codes(client.get("/api/v1/nonconformities", params=q))  # noqa: E731
    assert get() == sorted([a_open.code, a_planned.code, b_open.code])
    assert get(status="open") == sorted([a_open.code, b_open.code])
    assert get(department_id=world.dept_b.id) == [b_open.code]
    assert get(owner_id=world.manager_b.id) == [b_open.code]
    assert get(source="internal_audit", severity="minor") == get()
    assert get(source="supplier") == [] and get(severity="major") == []
    assert get(clause="8") == get() and get(clause="8.5") == get() and get(clause="8.5.2") == []
    page = client.get("/api/v1/nonconformities", params={"limit": 1, "offset": 1})
    assert page.headers["x-total-count"] == "3" and len(page.json()) == 1


def test_bad_filters_name_the_parameter(world):
    client = world.api(world.staff)
    for params, field in (
        ({"status": "lost"}, "status"),
        ({"clause": "x"}, "clause"),
        ({"limit": 0}, "limit"),
        ({"overdue": "maybe"}, "overdue"),
    ):
        response = client.get("/api/v1/nonconformities", params=params)
        assert response.status_code == 422 and response.json()["field"] == field


def test_overdue_actions_and_checks_are_marked_and_filtered(world):
    late_action = build(world, "action_planned")
    _late_action(world, late_action.action_ids[0])
    late_check = build(world, "verifying")
    _late_check(world, late_check.id)
    found_effective = build(world, "ready")
    _late_check(world, found_effective.id)  # already checked: not overdue
    on_time = build(world, "action_planned")
    client = world.api(world.staff)
    overdue = codes(client.get("/api/v1/nonconformities", params={"overdue": "true"}))
    assert overdue == sorted([late_action.code, late_check.code])
    fine = codes(client.get("/api/v1/nonconformities", params={"overdue": "false"}))
    assert fine == sorted([found_effective.code, on_time.code])
    detail = client.get(f"/api/v1/nonconformities/{late_action.id}").json()
    assert detail["overdue"] is True and detail["actions"][0]["overdue"] is True
    page = world.browser(world.staff).get("/nonconformities?overdue=true")
    assert late_action.code in page.text and on_time.code not in page.text
    assert 'class="overdue"' in page.text


def test_the_age_of_each_open_one_in_days(world):
    built = build(world, "investigating")
    _age(world, built.id, 45)
    body = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}").json()
    assert body["age_days"] == 45
    page = world.browser(world.staff).get("/nonconformities").text
    assert '<td class="num">45</td>' in page


def test_the_register_page_keeps_its_filters_across_pages(world):
    for _ in range(27):
        build(world, "open")
    browser = world.browser(world.staff)
    first = browser.get(f"/nonconformities?status=open&department_id={world.dept_a.id}")
    assert first.status_code == 200
    assert (
        f"/nonconformities?status=open&amp;department_id={world.dept_a.id}&amp;page=2" in first.text
    )
    assert (
        f"/api/v1/nonconformities.csv?status=open&amp;department_id={world.dept_a.id}" in first.text
    )
    second = browser.get(f"/nonconformities?status=open&department_id={world.dept_a.id}&page=2")
    assert len(re.findall(r'<td[^>]*><a href="/nonconformities/\d+">NC-', second.text)) == 2
    # Nonsense in the query string is ignored, not an error.
    assert browser.get("/nonconformities?status=lost&department_id=x&page=-3").status_code == 200


def test_csv_export_follows_the_filters_and_reads_in_excel(world):
    keep = build(world, "open")
    build(world, "open", department=world.dept_b)
    with unit_of_work(world.engine) as session:
        nc = session.get(Nonconformity, keep.id)
        nc.description = '=HYPERLINK("http://evil")'
        session.add(nc)
    response = world.api(world.staff).get(
        "/api/v1/nonconformities.csv", params={"department_id": world.dept_a.id}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Status", "Raised on"]
    assert [r[0] for r in rows[1:]] == [keep.code]
    assert rows[1][7] == "Phòng A" and rows[1][9].startswith("'=")


def test_xlsx_export_in_vietnamese(world):
    built = build(world, "verifying")
    client = world.api(world.staff)
    client.cookies.set("qms_lang", "vi")
    response = client.get("/api/v1/nonconformities.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Mã" and "Hạn kiểm tra hiệu lực" in header
    row = [c.value for c in sheet[2]]
    assert row[0] == built.code and row[12] == "2/2"


def _work(world, person):
    response = world.api(person).get("/api/v1/my-work")
    assert response.status_code == 200
    return [(item["kind"], item["code"]) for item in response.json()]


def test_my_work_lists_what_each_person_must_do(world):
    opened = build(world, "open")
    planned = build(world, "action_planned")
    verifying = build(world, "verifying")
    ready = build(world, "ready")
    manager = _work(world, world.manager)
    assert ("Investigate the nonconformity", opened.code) in manager
    assert ("Close the nonconformity", ready.code) in manager
    assert all(code != planned.code for _kind, code in manager)
    staff = _work(world, world.staff)
    assert staff == [("Complete the corrective action", planned.code)]
    qo = _work(world, world.quality_officer)
    assert qo == [("Check the effectiveness of the actions", verifying.code)]
    assert _work(world, world.auditor) == []


def test_a_quality_officer_owning_an_action_is_not_asked_to_check_it(world):
    build(world, "verifying", owners=(world.staff, world.quality_officer))
    assert _work(world, world.quality_officer) == []


def test_the_home_page_shows_the_work_and_the_quality_officers_figures(world):
    old = build(world, "investigating")
    _age(world, old.id, 75)
    build(world, "open", department=world.dept_b)
    build(world, "closed")
    home = world.browser(world.quality_officer).get("/").text
    assert "Open nonconformities by age (days)" in home
    assert "Open nonconformities by department" in home
    assert '<th scope="row">61–90</th><td class="num">1</td>' in home
    assert '<th scope="row">0–30</th><td class="num">1</td>' in home
    assert '<th scope="row">Phòng A</th><td class="num">1</td>' in home
    staff_home = world.browser(world.staff).get("/").text
    assert "Open nonconformities by age" not in staff_home
