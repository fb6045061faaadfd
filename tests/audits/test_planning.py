"""Planning audits: codes, the programme of the year, an impartial team (9.2.2 c), the plan
changed only while it may be."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qms.auth.models import Role
from tests.audits import support


def body(world, **changes):
    start = support.today(world) + timedelta(days=10)
    data = {
        "title": "Đánh giá quá trình tiếp nhận hồ sơ",
        "scope": "Quầy tiếp nhận và trả kết quả.",
        "criteria": "TCVN ISO 9001:2015; QT-06.",
        "department_id": world.dept_a.id,
        "lead_auditor_id": world.auditor.id,
        "auditor_ids": [],
        "planned_start_on": start.isoformat(),
        "planned_end_on": (start + timedelta(days=1)).isoformat(),
        "template_keys": [support.SMALL],
    }
    data.update(changes)
    return data


def test_the_quality_officer_plans_an_audit_with_the_next_code(world):
    api = world.api(world.quality_officer)
    first = api.post("/api/v1/audits", json=body(world))
    assert first.status_code == 201, first.text
    audit = first.json()
    year = (support.today(world) + timedelta(days=10)).year
    assert audit["code"] == f"IA-{year}-01"
    assert audit["status"] == "planned" and audit["version"] == 1
    assert audit["progress"] == {"answered": 0, "total": 0}
    second = api.post("/api/v1/audits", json=body(world, title="Lần hai")).json()
    assert second["code"] == f"IA-{year}-02"
    assert api.get(f"/api/v1/audits/{audit['id']}").json()["title"] == audit["title"]


def test_planning_the_first_audit_of_a_year_opens_its_programme(world):
    api = world.api(world.quality_officer)
    start = support.today(world).replace(year=support.today(world).year + 2, month=3, day=2)
    created = api.post(
        "/api/v1/audits",
        json=body(
            world,
            planned_start_on=start.isoformat(),
            planned_end_on=(start + timedelta(days=1)).isoformat(),
        ),
    ).json()
    assert created["code"] == f"IA-{start.year}-01" and created["quarter"] == 1
    programme = api.get(f"/api/v1/audit-programmes/{start.year}").json()
    assert [a["code"] for a in programme["audits"]] == [created["code"]]
    assert programme["status"] == "active"


def test_the_programme_is_written_once_a_year_and_edited_with_its_version(world):
    api = world.api(world.quality_officer)
    made = api.post("/api/v1/audit-programmes", json={"year": 2030, "objectives": "Mục tiêu 1"})
    assert made.status_code == 201 and made.json()["version"] == 1
    again = api.post("/api/v1/audit-programmes", json={"year": 2030})
    assert again.status_code == 409
    edited = api.patch(
        "/api/v1/audit-programmes/2030", json={"objectives": "Mục tiêu 2", "version": 1}
    )
    assert edited.json()["version"] == 2
    stale = api.patch("/api/v1/audit-programmes/2030", json={"objectives": "Cũ", "version": 1})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    assert api.get("/api/v1/audit-programmes/2030").json()["objectives"] == "Mục tiêu 2"


def test_a_lead_auditor_of_the_audited_department_is_refused_with_the_reason(world):
    response = world.api(world.quality_officer).post(
        "/api/v1/audits", json=body(world, lead_auditor_id=world.auditor_a.id)
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "Auditor.A" in detail and "Phòng A" in detail and "9.2.2" in detail
    assert response.json()["field"] == "lead_auditor_id"


def test_a_team_auditor_of_the_audited_department_is_refused(world):
    response = world.api(world.quality_officer).post(
        "/api/v1/audits", json=body(world, auditor_ids=[world.auditor_a.id])
    )
    assert response.status_code == 409 and response.json()["field"] == "auditor_ids"
    assert "own department" in response.json()["detail"]


def test_changing_the_team_keeps_it_impartial(world):
    built = support.plan(world)
    api = world.api(world.quality_officer)
    refused = api.patch(
        f"/api/v1/audits/{built.id}", json={"version": 1, "auditor_ids": [world.auditor_a.id]}
    )
    assert refused.status_code == 409 and "Phòng A" in refused.json()["detail"]
    other = support.second_auditor(world)
    changed = api.patch(
        f"/api/v1/audits/{built.id}", json={"version": 1, "auditor_ids": [other.id]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["auditor_ids"] == [other.id] and changed.json()["version"] == 2
    moved = api.patch(
        f"/api/v1/audits/{built.id}",
        json={"version": 2, "department_id": world.dept_b.id},
    )
    assert moved.status_code == 409  # the lead auditor belongs to department B


def test_an_auditor_who_joined_the_audited_department_cannot_start_it(world):
    from qms.auth import service as auth
    from qms.auth.models import User
    from qms.db import unit_of_work

    other = support.second_auditor(world)
    built = support.plan(world, team=[other])
    with unit_of_work(world.engine) as session:
        target = session.get(User, other.id)
        auth.update_user(
            session=session,
            by=session.get(User, world.admin.id),
            user=target,
            version=target.version,
            department_id=world.dept_a.id,
        )
    response = world.api(world.auditor).post(f"/api/v1/audits/{built.id}/start")
    assert response.status_code == 409 and "Vũ Thị Mai" in response.json()["detail"]


def test_the_team_are_auditors(world):
    response = world.api(world.quality_officer).post(
        "/api/v1/audits", json=body(world, auditor_ids=[world.manager_b.id])
    )
    assert response.status_code == 422 and response.json()["field"] == "auditor_ids"
    assert "not an auditor" in response.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"template_keys": ["no-such-template"]}, "template_keys"),
        ({"template_keys": []}, "template_keys"),
        ({"department_id": 999}, "department_id"),
        ({"lead_auditor_id": 999}, "lead_auditor_id"),
        ({"title": "   "}, "title"),
    ],
)
def test_bad_plans_are_refused_naming_the_field(world, changes, field):
    response = world.api(world.quality_officer).post("/api/v1/audits", json=body(world, **changes))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_an_end_before_the_start_is_refused(world):
    start = support.today(world) + timedelta(days=10)
    response = world.api(world.quality_officer).post(
        "/api/v1/audits",
        json=body(world, planned_end_on=(start - timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 422


def test_a_started_audit_keeps_its_auditee_and_templates(world):
    built = support.build(world, "in_progress")
    api = world.api(world.quality_officer)
    version = api.get(f"/api/v1/audits/{built.id}").json()["version"]
    refused = api.patch(
        f"/api/v1/audits/{built.id}",
        json={"version": version, "template_keys": [support.FULL]},
    )
    assert refused.status_code == 409 and refused.json()["field"] == "template_keys"
    retitled = api.patch(
        f"/api/v1/audits/{built.id}", json={"version": version, "title": "Tên mới"}
    )
    assert retitled.status_code == 200 and retitled.json()["title"] == "Tên mới"


def test_a_reported_audit_plan_is_frozen(world):
    built = support.shared_reported(world)
    api = world.api(world.quality_officer)
    version = api.get(f"/api/v1/audits/{built.id}").json()["version"]
    response = api.patch(f"/api/v1/audits/{built.id}", json={"version": version, "title": "X"})
    assert response.status_code == 409


def test_a_stale_plan_edit_is_refused(world):
    built = support.plan(world)
    api = world.api(world.quality_officer)
    assert (
        api.patch(f"/api/v1/audits/{built.id}", json={"version": 1, "title": "A"}).status_code
        == 200
    )
    stale = api.patch(f"/api/v1/audits/{built.id}", json={"version": 1, "title": "B"})
    assert stale.status_code == 409 and stale.json()["field"] == "version"


def test_the_plan_page_shows_why_an_auditor_cannot_audit_their_own_department(world):
    browser = world.browser(world.quality_officer)
    data = body(world, lead_auditor_id=world.auditor_a.id)
    data.pop("auditor_ids")
    response = browser.submit("/audits", data, page="/audits/new")
    assert response.status_code == 409
    assert "cannot audit it" in response.text and "Phòng A" in response.text
    assert 'value="Đánh giá quá trình tiếp nhận hồ sơ"' in response.text  # kept as typed


def test_the_plan_page_creates_the_audit(world):
    browser = world.browser(world.quality_officer)
    assert browser.get("/audits/new").status_code == 200
    data = body(world, auditor_ids=str(support.second_auditor(world).id))
    response = browser.submit("/audits", data, page="/audits/new")
    assert response.status_code == 303, response.text[-500:]
    record = browser.get(response.headers["location"])
    assert record.status_code == 200 and "Vũ Thị Mai" in record.text


def test_who_sees_which_audits(world):
    built = support.plan(world)
    other = support.plan(world, department=world.dept_b, lead=world.auditor_a)
    codes = lambda person: {  # noqa: E731
        a["code"] for a in world.api(person).get("/api/v1/audits").json()["items"]
    }
    assert codes(world.quality_officer) == {built.code, other.code}
    assert codes(world.admin) == {built.code, other.code}
    assert codes(world.auditor) == {built.code}  # leads the first only
    assert codes(world.manager) == {built.code}  # manages department A
    assert codes(world.manager_b) == {other.code}
    assert world.api(world.staff).get("/api/v1/audits").status_code == 403
    assert world.api(world.auditor).get(f"/api/v1/audits/{other.id}").status_code == 403


def test_the_audit_list_filters_and_pages(world):
    for n in range(3):
        support.plan(world, title=f"Đánh giá số {n}")
    api = world.api(world.quality_officer)
    page = api.get("/api/v1/audits", params={"limit": 2, "offset": 0}).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert api.get("/api/v1/audits", params={"q": "số 1"}).json()["total"] == 1
    assert api.get("/api/v1/audits", params={"status": "closed"}).json()["total"] == 0
    browser = world.browser(world.quality_officer)
    listing = browser.get("/audits", params={"q": "số 2"})
    assert listing.status_code == 200 and "Đánh giá số 2" in listing.text
    assert "Đánh giá số 1" not in listing.text


def test_the_programme_page_shows_audits_by_department_and_quarter(world):
    built = support.plan(world)
    year = support.load(world, built).year
    browser = world.browser(world.manager)
    page = browser.get(f"/audit-programmes/{year}")
    assert page.status_code == 200 and built.code in page.text and "Phòng A" in page.text


def test_the_quality_officer_writes_the_programme_objectives_in_the_pages(world):
    browser = world.browser(world.quality_officer)
    page = browser.get("/audit-programmes/2029")
    assert page.status_code == 200 and 'action="/audit-programmes"' in page.text
    created = browser.submit(
        "/audit-programmes",
        {"year": "2029", "objectives": "98 % hồ sơ đúng hạn"},
        page="/audit-programmes/2029",
    )
    assert created.status_code == 303
    assert "98 % hồ sơ đúng hạn" in browser.get("/audit-programmes/2029").text
    edited = browser.submit(
        "/audit-programmes/2029",
        {"objectives": "Mọi phòng được đánh giá", "version": "1"},
        page="/audit-programmes/2029",
    )
    assert edited.status_code == 303
    stale = browser.submit(
        "/audit-programmes/2029",
        {"objectives": "Cũ", "version": "1"},
        page="/audit-programmes/2029",
    )
    assert stale.status_code == 409


def test_a_second_auditor_role_is_needed_only_for_the_team(world):
    # A quality officer who also holds the auditor role may lead an audit.
    lead = world.person("lead@example.org", [Role.quality_officer, Role.auditor], world.dept_b)
    response = world.api(world.quality_officer).post(
        "/api/v1/audits", json=body(world, lead_auditor_id=lead.id)
    )
    assert response.status_code == 201
