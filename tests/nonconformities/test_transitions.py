"""Every move of a nonconformity, allowed and refused, through the API with its status code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tests.nonconformities.builders import STATES, build, load, today

# verb → {state it is called in: (status code, status afterwards)}; a state not listed
# answers 409 and leaves the status as it was.
EXPECTED = {
    "investigate": {
        "open": (200, "investigating"),
        "investigating": (200, "investigating"),
        "action_planned": (200, "action_planned"),
    },
    "plan": {
        "investigating": (201, "action_planned"),
        "action_planned": (201, "action_planned"),
    },
    "complete": {"action_planned": (200, "action_planned")},
    "verify_effective": {"verifying": (200, "verifying")},
    "verify_ineffective": {"verifying": (200, "action_planned")},
    "close": {"ready": (200, "closed")},
    "cancel": {
        "open": (200, "cancelled"),
        "investigating": (200, "cancelled"),
        "action_planned": (200, "cancelled"),
        "verifying": (200, "cancelled"),
        "ready": (200, "cancelled"),
    },
}


def call(world, verb, built):
    """The verb as the person entitled to it would send it."""
    nc = f"/api/v1/nonconformities/{built.id}"
    if verb == "investigate":
        return world.api(world.manager).post(
            f"{nc}/investigate",
            json={
                "containment": "Tạm dừng tiếp nhận qua bưu điện.",
                "root_cause_method": "fishbone",
                "root_cause": "Thiếu quy định về sổ theo dõi.",
            },
        )
    if verb == "plan":
        due = (today(world) + timedelta(days=7)).isoformat()
        return world.api(world.manager).post(
            f"{nc}/actions",
            json={"description": "Bổ sung quy định.", "owner_id": world.staff.id, "due_on": due},
        )
    if verb == "complete":
        action_id = built.action_ids[0] if built.action_ids else 0
        return world.api(world.staff).post(
            f"/api/v1/corrective-actions/{action_id}/complete", json={"evidence": "Đã làm."}
        )
    if verb.startswith("verify_"):
        result = verb.removeprefix("verify_")
        return world.api(world.quality_officer).post(
            f"{nc}/verify", json={"result": result, "comment": "Lý do kiểm tra."}
        )
    if verb == "close":
        return world.api(world.manager).post(f"{nc}/close", json={"password": PASSWORD})
    if verb == "cancel":
        return world.api(world.quality_officer).post(f"{nc}/cancel", json={"reason": "Trùng."})
    raise AssertionError(verb)


CASES = [
    (verb, state)
    for verb in EXPECTED
    for state in STATES
    # Actions exist only from action_planned on; without one there is nothing to complete.
    if not (verb == "complete" and state in ("open", "investigating", "cancelled"))
]


@pytest.mark.parametrize(("verb", "state"), CASES, ids=[f"{v}-from-{s}" for v, s in CASES])
def test_each_move_from_each_state(world, verb, state):
    built = build(world, state)
    before = load(world, built.id).status
    response = call(world, verb, built)
    expected = EXPECTED[verb].get(state)
    if expected is None:
        assert response.status_code == 409, response.text
        assert response.json()["detail"]
        assert load(world, built.id).status == before
    else:
        code, after = expected
        assert response.status_code == code, response.text
        assert load(world, built.id).status == after


def test_the_last_done_action_moves_it_to_verifying_with_the_check_due(world):
    built = build(world, "action_planned")
    staff, auditor_a = world.api(world.staff), world.api(world.auditor_a)
    first = staff.post(
        f"/api/v1/corrective-actions/{built.action_ids[0]}/complete", json={"evidence": "Xong."}
    )
    assert first.status_code == 200 and first.json()["status"] == "done"
    assert load(world, built.id).status == "action_planned"
    second = auditor_a.post(
        f"/api/v1/corrective-actions/{built.action_ids[1]}/complete", json={"evidence": "Xong."}
    )
    assert second.status_code == 200
    nc = load(world, built.id)
    days = world.app.state.settings.effectiveness_check_days
    assert nc.status == "verifying"
    assert nc.check_due_on == today(world) + timedelta(days=days)


def test_ineffective_check_keeps_its_reason_and_new_actions_lead_back_to_verifying(world):
    built = build(world, "verifying")
    qo = world.api(world.quality_officer)
    refused = qo.post(f"/api/v1/nonconformities/{built.id}/verify", json={"result": "ineffective"})
    assert refused.status_code == 422 and refused.json()["field"] == "comment"
    answer = qo.post(
        f"/api/v1/nonconformities/{built.id}/verify",
        json={"result": "ineffective", "comment": "Vẫn còn 3 hồ sơ trễ không có thư."},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "action_planned" and body["check_due_on"] is None
    assert body["checks"][0]["comment"] == "Vẫn còn 3 hồ sơ trễ không có thư."
    # Closing is refused until a new action is done and found effective.
    closing = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": PASSWORD}
    )
    assert closing.status_code == 409
    due = (today(world) + timedelta(days=3)).isoformat()
    planned = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/actions",
        json={"description": "Đào tạo lại.", "owner_id": world.staff.id, "due_on": due},
    )
    assert planned.status_code == 201
    new_action = planned.json()["actions"][-1]
    assert new_action["status"] == "open"
    done = world.api(world.staff).post(
        f"/api/v1/corrective-actions/{new_action['id']}/complete", json={"evidence": "Đã đào tạo."}
    )
    assert done.status_code == 200
    assert load(world, built.id).status == "verifying"
    effective = qo.post(f"/api/v1/nonconformities/{built.id}/verify", json={"result": "effective"})
    assert effective.status_code == 200 and effective.json()["ready_to_close"] is True
    assert [c["result"] for c in effective.json()["checks"]] == ["ineffective", "effective"]


def test_an_action_of_a_cancelled_nonconformity_cannot_be_completed(world):
    built = build(world, "action_planned")
    cancelled = world.api(world.quality_officer).post(
        f"/api/v1/nonconformities/{built.id}/cancel", json={"reason": "Ghi nhầm."}
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancel_reason"] == "Ghi nhầm."
    response = world.api(world.staff).post(
        f"/api/v1/corrective-actions/{built.action_ids[0]}/complete", json={"evidence": "x"}
    )
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]


def test_an_action_is_completed_once(world):
    built = build(world, "action_planned")
    url = f"/api/v1/corrective-actions/{built.action_ids[0]}/complete"
    assert world.api(world.staff).post(url, json={"evidence": "x"}).status_code == 200
    again = world.api(world.staff).post(url, json={"evidence": "x"})
    assert again.status_code == 409


def test_opening_actions_before_the_root_cause_says_what_is_missing(world):
    built = build(world, "open")
    due = (today(world) + timedelta(days=7)).isoformat()
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/actions",
        json={"description": "x", "owner_id": world.staff.id, "due_on": due},
    )
    assert response.status_code == 409
    assert "root cause" in response.json()["detail"]


def test_closing_without_an_effective_check_says_so(world):
    built = build(world, "verifying")
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": PASSWORD}
    )
    assert response.status_code == 409
    assert "effective" in response.json()["detail"]


@pytest.mark.parametrize(
    ("verb", "state", "who"),
    [
        ("investigate", "open", "manager"),
        ("plan", "investigating", "manager"),
        ("verify", "verifying", "quality_officer"),
        ("close", "ready", "manager"),
        ("cancel", "open", "quality_officer"),
        ("documents", "open", "manager"),
    ],
)
def test_a_stale_version_is_refused(world, verb, state, who):
    built = build(world, state)
    stale = load(world, built.id).version - 1
    due = (today(world) + timedelta(days=7)).isoformat()
    bodies = {
        "investigate": {"containment": "c", "root_cause_method": "other", "root_cause": "r"},
        "plan": {"description": "d", "owner_id": world.staff.id, "due_on": due},
        "verify": {"result": "effective"},
        "close": {"password": PASSWORD},
        "cancel": {"reason": "r"},
        "documents": {"document_ids": [1]},
    }
    path = {"plan": "actions"}.get(verb, verb)
    client = world.api(world.by_role[who])
    method = client.put if verb == "documents" else client.post
    response = method(
        f"/api/v1/nonconformities/{built.id}/{path}", json={**bodies[verb], "version": stale}
    )
    assert response.status_code == 409, response.text
    assert response.json()["field"] == "version"


def test_a_stale_action_version_is_refused(world):
    built = build(world, "action_planned")
    response = world.api(world.staff).post(
        f"/api/v1/corrective-actions/{built.action_ids[0]}/complete",
        json={"evidence": "x", "version": 0},
    )
    assert response.status_code == 409 and response.json()["field"] == "version"


@pytest.mark.parametrize(
    ("verb", "state", "body", "field"),
    [
        (
            "investigate",
            "open",
            {"containment": " ", "root_cause_method": "other", "root_cause": "r"},
            "containment",
        ),
        (
            "investigate",
            "open",
            {"containment": "c", "root_cause_method": "other", "root_cause": ""},
            "root_cause",
        ),
        (
            "investigate",
            "open",
            {"containment": "c", "root_cause_method": "five_whys", "whys": ["a", "b", ""]},
            "whys.2",
        ),
        (
            "investigate",
            "open",
            {"containment": "c", "root_cause_method": "guess", "root_cause": "r"},
            "root_cause_method",
        ),
        ("actions", "investigating", {"description": "d", "due_on": "2000-01-01"}, "due_on"),
        (
            "actions",
            "investigating",
            {"description": "d", "owner_id": 999999, "due_on": "2100-01-01"},
            "owner_id",
        ),
        ("actions", "investigating", {"description": "   ", "due_on": "2100-01-01"}, "description"),
        ("cancel", "open", {"reason": "  "}, "reason"),
        ("close", "ready", {"password": "wrong password"}, "password"),
        ("verify", "verifying", {"result": "maybe"}, "result"),
    ],
)
def test_bad_input_names_the_field(world, verb, state, body, field):
    built = build(world, state)
    who = {"cancel": world.quality_officer, "verify": world.quality_officer}.get(
        verb, world.manager
    )
    if verb == "actions":
        body = {"owner_id": world.staff.id, **body}
    response = world.api(who).post(f"/api/v1/nonconformities/{built.id}/{verb}", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert load(world, built.id).status == ("verifying" if state == "ready" else state)


def test_blank_evidence_names_the_field(world):
    built = build(world, "action_planned")
    response = world.api(world.staff).post(
        f"/api/v1/corrective-actions/{built.action_ids[0]}/complete", json={"evidence": "  "}
    )
    assert response.status_code == 422 and response.json()["field"] == "evidence"


def test_five_whys_are_kept_in_order_and_the_fifth_is_the_root_cause(world):
    built = build(world, "open")
    whys = [f"Vì sao {i}?" for i in range(1, 6)]
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/investigate",
        json={"containment": "Khắc phục ngay.", "root_cause_method": "five_whys", "whys": whys},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["whys"] == whys and body["root_cause"] == "Vì sao 5?"
