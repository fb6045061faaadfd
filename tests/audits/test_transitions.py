"""The life of an audit: every transition allowed and every one refused, with its code."""

from __future__ import annotations

import pytest

from tests.audits import support
from tests.factories import PASSWORD

ACTIONS = {
    "start": ("auditor", {}),
    "report": ("auditor", {"password": PASSWORD, "summary": "Quá trình phù hợp."}),
    "close": ("quality_officer", {"note": "Đã xử lý xong."}),
    "cancel": ("quality_officer", {"reason": "Phòng được sáp nhập."}),
}
RESULTING = {"start": "in_progress", "report": "reported", "close": "closed", "cancel": "cancelled"}
ALLOWED = {
    ("planned", "start"),
    ("planned", "cancel"),
    ("in_progress", "report"),
    ("in_progress", "cancel"),
    ("reported", "close"),
}


def _state(world, state):
    built = support.build(world, state)
    if state == "in_progress":
        support.answer(world, built)  # every item answered: only the state decides
    return built


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("state", support.STATES)
def test_each_transition_is_allowed_or_refused_as_the_table_says(world, state, action):
    built = _state(world, state)
    role, payload = ACTIONS[action]
    response = world.api(world.by_role[role]).post(
        f"/api/v1/audits/{built.id}/{action}", json=payload
    )
    if (state, action) in ALLOWED:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == RESULTING[action]
    else:
        assert response.status_code == 409, response.text
        assert built.code in response.json()["detail"]
        assert support.load(world, built).status == state


@pytest.mark.parametrize(
    ("action", "person"),
    [
        ("start", "quality_officer"),
        ("start", "manager"),
        ("cancel", "auditor"),
        ("cancel", "manager"),
    ],
)
def test_only_the_right_person_moves_a_planned_audit(world, action, person):
    built = support.plan(world)
    response = world.api(world.by_role[person]).post(
        f"/api/v1/audits/{built.id}/{action}", json=ACTIONS[action][1]
    )
    assert response.status_code == 403


def test_only_the_lead_auditor_starts_and_reports(world):
    other = support.second_auditor(world)
    built = support.plan(world, team=[other])
    assert world.api(other).post(f"/api/v1/audits/{built.id}/start").status_code == 403
    assert world.api(world.auditor).post(f"/api/v1/audits/{built.id}/start").status_code == 200
    support.answer(world, built, by=other)
    refused = world.api(other).post(
        f"/api/v1/audits/{built.id}/report", json={"password": PASSWORD, "summary": "X"}
    )
    assert refused.status_code == 403


def test_only_the_quality_officer_closes(world):
    built = support.build(world, "reported")
    response = world.api(world.auditor).post(
        f"/api/v1/audits/{built.id}/close", json={"note": "Xong."}
    )
    assert response.status_code == 403


def test_a_transition_with_a_stale_version_is_refused(world):
    built = support.plan(world)
    response = world.api(world.auditor).post(
        f"/api/v1/audits/{built.id}/start", json={"version": 7}
    )
    assert response.status_code == 409 and response.json()["field"] == "version"


def test_starting_creates_the_checklists_from_the_templates(world):
    built = support.plan(world, templates=(support.SMALL, support.FULL))
    response = world.api(world.auditor).post(f"/api/v1/audits/{built.id}/start")
    assert response.json()["progress"] == {"answered": 0, "total": 49 + 140}
    lists = world.api(world.auditor).get(f"/api/v1/audits/{built.id}/checklists").json()
    assert [c["template_key"] for c in lists] == [support.SMALL, support.FULL]
    assert [c["progress"]["total"] for c in lists] == [49, 140]
    first = lists[1]["items"][0]
    assert first["clause"] == "4.1" and first["ref"] == "4.1-1" and first["status"] == "open"
    assert first["question"]["vi"] and first["question"]["en"] and first["version"] == 1


def test_cancelling_needs_a_reason_and_keeps_it(world):
    built = support.plan(world)
    api = world.api(world.quality_officer)
    assert api.post(f"/api/v1/audits/{built.id}/cancel", json={"reason": ""}).status_code == 422
    done = api.post(f"/api/v1/audits/{built.id}/cancel", json={"reason": "Hoãn sang năm sau."})
    assert done.json()["cancel_reason"] == "Hoãn sang năm sau."


def test_each_transition_is_in_the_trail(world):
    built = support.build(world, "closed")
    events = world.api(world.quality_officer).get(
        "/api/v1/trail", params={"record_type": "audit", "record_id": built.id}
    )
    actions = [e["action"] for e in events.json()]
    assert actions == [
        "created",
        "in_progress",
        "signed:reported",
        "reported",
        "closed",
    ]


def test_the_record_page_offers_what_the_person_may_do(world):
    built = support.plan(world)
    lead = world.browser(world.auditor).get(f"/audits/{built.id}").text
    assert f'action="/audits/{built.id}/start"' in lead
    assert f'action="/audits/{built.id}/cancel"' not in lead
    officer = world.browser(world.quality_officer).get(f"/audits/{built.id}").text
    assert f'action="/audits/{built.id}/start"' not in officer
    assert f'action="/audits/{built.id}/cancel"' in officer
    manager = world.browser(world.manager).get(f"/audits/{built.id}")
    assert manager.status_code == 200 and '<form method="post" action="/audits' not in manager.text


def test_the_pages_move_an_audit_through_its_life(world):
    built = support.plan(world)
    lead = world.browser(world.auditor)
    started = lead.submit(f"/audits/{built.id}/start", {"version": "1"}, page=f"/audits/{built.id}")
    assert started.status_code == 303
    assert started.headers["location"] == f"/audits/{built.id}/checklist"
    refused = lead.submit(
        f"/audits/{built.id}/report",
        {"summary": "Tóm tắt", "password": PASSWORD},
        page=f"/audits/{built.id}",
    )
    assert refused.status_code == 409 and "49 checklist items are still unanswered" in refused.text
    support.answer(world, built)
    wrong = lead.submit(
        f"/audits/{built.id}/report",
        {"summary": "Tóm tắt", "password": "not my password"},
        page=f"/audits/{built.id}",
    )
    assert wrong.status_code == 422 and "password is not correct" in wrong.text
    assert "Tóm tắt" in wrong.text  # what was typed is kept
    reported = lead.submit(
        f"/audits/{built.id}/report",
        {"summary": "Tóm tắt", "password": PASSWORD},
        page=f"/audits/{built.id}",
    )
    assert reported.status_code == 303
    assert support.load(world, built).status == "reported"
    officer = world.browser(world.quality_officer)
    no_note = officer.submit(f"/audits/{built.id}/close", {"note": ""}, page=f"/audits/{built.id}")
    assert no_note.status_code == 422
    closed = officer.submit(
        f"/audits/{built.id}/close", {"note": "Xong."}, page=f"/audits/{built.id}"
    )
    assert closed.status_code == 303 and support.load(world, built).status == "closed"
