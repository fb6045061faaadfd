"""Each rule of the register from outside, with its refusal: who may do what (403), broken
rules and stale versions (409), bad input (422 naming the field), nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qms.db import unit_of_work
from qms.trail import service as trail
from tests.risks.builders import build, load, today


def _new(world, person=None, **changes):
    body = {
        "kind": "risk",
        "title": "Hồ sơ trễ hạn tại bộ phận một cửa",
        "department_id": world.dept_a.id,
        "owner_id": world.manager.id,
        "likelihood": 3,
        "impact": 3,
    }
    body.update(changes)
    return world.api(person or world.manager).post("/api/v1/risks", json=body)


def _version(world, built) -> int:
    return world.api(world.staff).get(f"/api/v1/risks/{built.id}").json()["version"]


def _count(world) -> int:
    return int(world.api(world.staff).get("/api/v1/risks").headers["X-Total-Count"])


@pytest.mark.parametrize("role", ["staff", "auditor", "admin"])
def test_only_managers_and_quality_officers_enter_risks(world, role):
    response = _new(world, world.by_role[role])
    assert response.status_code == 403
    assert _count(world) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"department_id": 999}, "department_id"),
        ({"owner_id": 999}, "owner_id"),
        ({"kind": "threat"}, "kind"),
        ({"title": "   "}, "title"),
        ({"review_on": "2000-01-01"}, "review_on"),
        ({"clauses": ["sáu"]}, "clauses"),
        ({"issue_ids": [77]}, "issue_ids"),
        ({"party_ids": [77]}, "party_ids"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(world, changes, field):
    response = _new(world, **changes)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert _count(world) == 0


def _treat(world, person, built, treatment, justification=""):
    return world.api(person).post(
        f"/api/v1/risks/{built.id}/treatment",
        json={
            "treatment": treatment,
            "justification": justification,
            "version": _version(world, built),
        },
    )


def test_accepting_a_high_risk_needs_its_departments_manager_and_a_justification(world):
    built = build(world, likelihood=4, impact=4)  # 16: high
    # A quality officer may treat the entry, but not accept a high risk.
    assert _treat(world, world.quality_officer, built, "accept", "Lý do.").status_code == 403
    # Another department's manager may not touch it at all.
    assert _treat(world, world.manager_b, built, "accept", "Lý do.").status_code == 403
    response = _treat(world, world.manager, built, "accept")
    assert response.status_code == 422 and response.json()["field"] == "justification"
    assert load(world, built).status == "open" and load(world, built).treatment is None
    response = _treat(world, world.manager, built, "accept", "Chi phí xử lý quá lớn.")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["treatment"]) == ("monitored", "accept")
    # Accepted as it is: no action to plan.
    due = (today(world) + timedelta(days=5)).isoformat()
    response = world.api(world.manager).post(
        f"/api/v1/risks/{built.id}/actions",
        json={"description": "Thử.", "owner_id": world.staff.id, "due_on": due},
    )
    assert response.status_code == 409 and response.json()["field"] == "treatment"


def test_a_quality_officer_accepts_a_low_risk_without_justification(world):
    built = build(world, likelihood=1, impact=3)
    response = _treat(world, world.quality_officer, built, "accept")
    assert response.status_code == 200 and response.json()["status"] == "monitored"


def test_an_opportunity_is_pursued_and_a_risk_is_not(world):
    opportunity = build(world, kind="opportunity")
    response = _treat(world, world.manager, opportunity, "mitigate")
    assert response.status_code == 422 and response.json()["field"] == "treatment"
    assert _treat(world, world.manager, opportunity, "pursue").json()["status"] == "treating"
    risk = build(world)
    response = _treat(world, world.manager, risk, "pursue")
    assert response.status_code == 422 and response.json()["field"] == "treatment"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_on": "2000-01-01"}, "due_on"),
        ({"owner_id": 999}, "owner_id"),
        ({"description": " "}, "description"),
    ],
)
def test_an_action_needs_a_due_date_ahead_and_an_active_owner(world, changes, field):
    built = build(world, "treating")
    body = {
        "description": "Tuyển thêm cán bộ.",
        "owner_id": world.staff.id,
        "due_on": (today(world) + timedelta(days=3)).isoformat(),
        **changes,
    }
    response = world.api(world.manager).post(f"/api/v1/risks/{built.id}/actions", json=body)
    assert response.status_code == 422 and response.json()["field"] == field
    assert len(world.api(world.staff).get(f"/api/v1/risks/{built.id}").json()["actions"]) == 1


def test_only_the_owner_of_an_action_completes_it_with_evidence(world):
    built = build(world, "treating")
    url = f"/api/v1/risk-actions/{built.action_ids[0]}/complete"
    assert world.api(world.manager).post(url, json={"evidence": "Xong."}).status_code == 403
    response = world.api(world.staff).post(url, json={"evidence": "  "})
    assert response.status_code == 422 and response.json()["field"] == "evidence"
    assert load(world, built).status == "treating"
    response = world.api(world.staff).post(url, json={"evidence": "Quyết định phân công."})
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert load(world, built).status == "monitored"


def test_done_actions_move_the_entry_to_monitored_only_when_all_are_done(world):
    built = build(world, "treating")
    due = (today(world) + timedelta(days=9)).isoformat()
    second = (
        world.api(world.manager)
        .post(
            f"/api/v1/risks/{built.id}/actions",
            json={"description": "Sửa quy chế.", "owner_id": world.staff.id, "due_on": due},
        )
        .json()["actions"][-1]["id"]
    )
    staff = world.api(world.staff)
    staff.post(f"/api/v1/risk-actions/{built.action_ids[0]}/complete", json={"evidence": "Một."})
    assert load(world, built).status == "treating"
    staff.post(f"/api/v1/risk-actions/{second}/complete", json={"evidence": "Hai."})
    assert load(world, built).status == "monitored"


def test_a_done_action_is_not_completed_again(world):
    built = build(world, "treating")
    due = (today(world) + timedelta(days=9)).isoformat()
    world.api(world.manager).post(
        f"/api/v1/risks/{built.id}/actions",
        json={"description": "Sửa quy chế.", "owner_id": world.staff.id, "due_on": due},
    )
    url = f"/api/v1/risk-actions/{built.action_ids[0]}/complete"
    staff = world.api(world.staff)
    assert staff.post(url, json={"evidence": "Một."}).status_code == 200
    version = load(world, built).version
    again = staff.post(url, json={"evidence": "Lần nữa."})
    assert again.status_code == 409 and again.json()["field"] == "status"
    # The entry still waits for its other action, untouched.
    assert (load(world, built).status, load(world, built).version) == ("treating", version)


def test_reassessment_is_kept_as_history_and_a_stale_one_is_refused(world):
    built = build(world, "monitored", likelihood=4, impact=4)
    api = world.api(world.manager)
    version = _version(world, built)
    body = {"likelihood": 3, "impact": 3, "comment": "Đã có lịch trực.", "version": version}
    assert api.post(f"/api/v1/risks/{built.id}/assess", json=body).status_code == 200
    qo = world.api(world.quality_officer)
    body = {
        "likelihood": 2,
        "impact": 2,
        "comment": "Sáu tháng không trễ hạn.",
        "version": version + 1,
    }
    response = qo.post(f"/api/v1/risks/{built.id}/assess", json=body)
    assert response.status_code == 200, response.text
    # The same form sent again is stale.
    response = qo.post(f"/api/v1/risks/{built.id}/assess", json=body)
    assert response.status_code == 409 and response.json()["field"] == "version"
    missing = {k: v for k, v in body.items() if k != "version"}
    response = qo.post(f"/api/v1/risks/{built.id}/assess", json=missing)
    assert response.status_code == 422 and response.json()["field"] == "version"
    response = qo.post(
        f"/api/v1/risks/{built.id}/assess",
        json={**body, "comment": " ", "version": version + 2},
    )
    assert response.status_code == 422 and response.json()["field"] == "comment"

    detail = world.api(world.staff).get(f"/api/v1/risks/{built.id}").json()
    history = [
        (
            h["kind"],
            h["score"],
            h["level"],
            h["previous_score"],
            h["assessed_by_name"],
            h["comment"],
        )
        for h in detail["history"]
    ]
    assert history == [
        ("inherent", 16, "high", None, "Manager", ""),
        ("residual", 9, "medium", 16, "Manager", "Đã có lịch trực."),
        ("residual", 4, "low", 9, "Qo", "Sáu tháng không trễ hạn."),
    ]
    assert all(h["assessed_on"] == today(world).isoformat() for h in detail["history"])
    assert (detail["score"], detail["level"]) == (4, "low")
    assert detail["review_on"] == (today(world) + timedelta(days=365)).isoformat()
    page = world.browser(world.staff).get(f"/risks/{built.id}").text
    assert page.count("assessment-residual") == 2 and "Sáu tháng không trễ hạn." in page
    with unit_of_work(world.engine, write=False) as session:
        events = trail.events_for(session=session, record_type="risk", record_id=built.id)
    assert [e.action for e in events].count("reassessed") == 2


def test_closing_needs_a_reason_and_freezes_the_entry(world):
    built = build(world, "monitored")
    api = world.api(world.manager)
    response = api.post(
        f"/api/v1/risks/{built.id}/close", json={"reason": "", "version": _version(world, built)}
    )
    assert response.status_code == 422 and response.json()["field"] == "reason"
    response = api.post(
        f"/api/v1/risks/{built.id}/close",
        json={"reason": "Đã chuyển sang hệ thống mới.", "version": _version(world, built)},
    )
    assert response.status_code == 200 and response.json()["closed_on"] == today(world).isoformat()
    body = {"likelihood": 1, "impact": 1, "comment": "Thử.", "version": _version(world, built)}
    assert api.post(f"/api/v1/risks/{built.id}/assess", json=body).status_code == 409
    assert (
        world.api(world.manager_b)
        .post(f"/api/v1/risks/{built.id}/close", json={"reason": "x", "version": 1})
        .status_code
        == 403
    )


def test_every_change_is_in_the_trail(world):
    built = build(world, "closed")
    with unit_of_work(world.engine, write=False) as session:
        events = trail.events_for(session=session, record_type="risk", record_id=built.id)
        assert trail.verify(session=session).ok
    assert [e.action for e in events] == [
        "raised",
        "treatment_decided",
        "action_planned",
        "actions_done",
        "closed",
    ]
