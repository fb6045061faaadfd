"""The life of a management review through the API: planning, holding by the chair, the
outputs, the chair's signature keeping the minutes, and every refusal on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.reliability.xss import pdf_text
from tests.reviews.builders import MINUTES, build, load, make_chair, plan, today
from tests.reviews.records import raise_nc


def _plan_body(world, **changes):
    day = today(world)
    body = {
        "period_start": day.replace(month=1, day=1).isoformat(),
        "period_end": day.isoformat(),
        "planned_on": (day + timedelta(days=7)).isoformat(),
        "chair_id": world.manager.id,
        "attendee_ids": [world.quality_officer.id, world.manager_b.id],
    }
    body.update(changes)
    return body


def test_the_quality_officer_plans_a_review_with_the_next_code_of_its_year(world):
    make_chair(world)
    api = world.api(world.quality_officer)
    first = api.post("/api/v1/management-reviews", json=_plan_body(world))
    second = api.post("/api/v1/management-reviews", json=_plan_body(world))
    assert first.status_code == 201, first.text
    year = (today(world) + timedelta(days=7)).year
    assert first.json()["code"] == f"XXLD-{year}-01"
    assert second.json()["code"] == f"XXLD-{year}-02"
    assert first.json()["status"] == "planned" and first.json()["version"] == 1
    listed = api.get("/api/v1/management-reviews", params={"status": "planned"})
    assert listed.headers["X-Total-Count"] == "2"


@pytest.mark.parametrize("role", ["manager", "auditor", "staff", "admin"])
def test_only_a_quality_officer_plans(world, role):
    make_chair(world)
    response = world.api(world.by_role[role]).post(
        "/api/v1/management-reviews", json=_plan_body(world)
    )
    assert response.status_code == 403


def test_the_chair_must_be_top_management(world):
    api = world.api(world.quality_officer)
    response = api.post("/api/v1/management-reviews", json=_plan_body(world))  # not marked
    assert response.status_code == 422 and response.json()["field"] == "chair_id"
    make_chair(world)
    staff_chair = api.post(
        "/api/v1/management-reviews", json=_plan_body(world, chair_id=world.staff.id)
    )
    assert staff_chair.status_code == 422 and staff_chair.json()["field"] == "chair_id"


def test_bad_plans_are_refused_naming_the_field(world):
    make_chair(world)
    api = world.api(world.quality_officer)
    day = today(world)
    reversed_period = _plan_body(world, period_end=(day - timedelta(days=400)).isoformat())
    response = api.post("/api/v1/management-reviews", json=reversed_period)
    assert response.status_code == 422 and response.json()["field"] == "period_end"
    response = api.post(
        "/api/v1/management-reviews", json=_plan_body(world, attendee_ids=[2_000_000])
    )
    assert response.status_code == 422 and response.json()["field"] == "attendee_ids"
    response = api.post("/api/v1/management-reviews", json=_plan_body(world, planned_on="x"))
    assert response.status_code == 422
    assert api.get("/api/v1/management-reviews").headers["X-Total-Count"] == "0"


def test_the_plan_is_edited_while_planned_with_its_version(world):
    built = plan(world)
    api = world.api(world.quality_officer)
    response = api.patch(
        f"/api/v1/management-reviews/{built.id}",
        json={"version": 1, "resources": "Cần thêm 01 máy quét hồ sơ."},
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = api.patch(
        f"/api/v1/management-reviews/{built.id}", json={"version": 1, "resources": "Khác."}
    )
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    assert load(world, built).resources == "Cần thêm 01 máy quét hồ sơ."


def test_only_the_chair_holds_and_a_stale_version_is_refused(world):
    built = plan(world)
    body = {"minutes": MINUTES, "version": 1}
    for person in (world.quality_officer, world.manager_b, world.admin, world.staff):
        response = world.api(person).post(f"/api/v1/management-reviews/{built.id}/hold", json=body)
        assert response.status_code == 403, person.email
    # Another top-management manager who is not this review's chair is refused too.
    make_chair(world, world.manager_b)
    response = world.api(world.manager_b).post(
        f"/api/v1/management-reviews/{built.id}/hold", json=body
    )
    assert response.status_code == 403
    chair = world.api(world.manager)
    stale = chair.post(f"/api/v1/management-reviews/{built.id}/hold", json={**body, "version": 0})
    assert stale.status_code == 409
    empty = chair.post(f"/api/v1/management-reviews/{built.id}/hold", json={**body, "minutes": " "})
    assert empty.status_code == 422 and empty.json()["field"] == "minutes"
    assert load(world, built).status == "planned" and load(world, built).inputs is None
    held = chair.post(f"/api/v1/management-reviews/{built.id}/hold", json=body)
    assert held.status_code == 200 and held.json()["status"] == "held"
    assert held.json()["held_on"] == today(world).isoformat()
    again = chair.post(
        f"/api/v1/management-reviews/{built.id}/hold",
        json={**body, "version": held.json()["version"]},
    )
    assert again.status_code == 409


def test_closing_before_held_is_refused(world):
    built = plan(world)
    response = world.api(world.manager).post(
        f"/api/v1/management-reviews/{built.id}/close", json={"password": world.manager.password}
    )
    assert response.status_code == 409
    assert load(world, built).status == "planned"
    pdf = world.api(world.manager).get(f"/api/v1/management-reviews/{built.id}.pdf")
    assert pdf.status_code == 404


def test_outputs_are_recorded_once_held_and_completed_by_their_owner(world):
    built = plan(world)
    qo = world.api(world.quality_officer)
    due = (today(world) + timedelta(days=30)).isoformat()
    body = {
        "kind": "improvement",
        "description": "Rà soát QT-07.",
        "owner_id": world.staff.id,
        "due_on": due,
    }
    early = qo.post(f"/api/v1/management-reviews/{built.id}/outputs", json=body)
    assert early.status_code == 409
    world.api(world.manager).post(
        f"/api/v1/management-reviews/{built.id}/hold", json={"minutes": MINUTES, "version": 1}
    )
    assert (
        world.api(world.staff)
        .post(f"/api/v1/management-reviews/{built.id}/outputs", json=body)
        .status_code
        == 403
    )
    bad_kind = qo.post(f"/api/v1/management-reviews/{built.id}/outputs", json={**body, "kind": "x"})
    assert bad_kind.status_code == 422
    past = qo.post(
        f"/api/v1/management-reviews/{built.id}/outputs",
        json={**body, "due_on": (today(world) - timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 422 and past.json()["field"] == "due_on"
    made = qo.post(f"/api/v1/management-reviews/{built.id}/outputs", json=body)
    assert made.status_code == 201, made.text
    by_chair = world.api(world.manager).post(
        f"/api/v1/management-reviews/{built.id}/outputs",
        json={**body, "kind": "resource_need", "owner_id": world.manager_b.id},
    )
    assert by_chair.status_code == 201
    output = made.json()
    assert output["status"] == "open" and output["owner_name"]
    url = f"/api/v1/review-outputs/{output['id']}/complete"
    assert world.api(world.quality_officer).post(url, json={"evidence": "x"}).status_code == 403
    assert world.api(world.staff).post(url, json={"evidence": " "}).status_code == 422
    done = world.api(world.staff).post(url, json={"evidence": "QT-07 đã sửa đổi, lần ban hành 03."})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert world.api(world.staff).post(url, json={"evidence": "again"}).status_code == 409
    detail = qo.get(f"/api/v1/management-reviews/{built.id}").json()
    assert [o["status"] for o in detail["outputs"]] == ["done", "open"]


def test_the_chair_signs_and_the_minutes_are_kept_as_a_pdf_with_its_hash(world):
    built = build(world, "held")
    api = world.api(world.manager)
    wrong = api.post(f"/api/v1/management-reviews/{built.id}/close", json={"password": "nope"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "password"
    assert (
        world.api(world.quality_officer)
        .post(f"/api/v1/management-reviews/{built.id}/close", json={"password": "x"})
        .status_code
        == 403
    )
    closed = api.post(
        f"/api/v1/management-reviews/{built.id}/close", json={"password": world.manager.password}
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and len(body["minutes_sha256"]) == 64
    pdf = world.api(world.staff).get(body["minutes_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == body["minutes_sha256"]
    text = " ".join(pdf_text(pdf.content).split())
    assert "MINUTES OF THE MANAGEMENT REVIEW MEETING" in text  # the title, in capitals
    for expected in (
        built.code,
        world.app.state.settings.organisation,
        "Manager",  # the chair's name (the factory names people after their e-mail)
        "Qo",  # an attendee
        "c) 4. Nonconformities and corrective actions",
        "Nonconformities raised in the period",
        "Lãnh đạo thống nhất duy trì HTQLCL",  # the decisions
        "Rà soát quy trình trả kết quả qua bưu điện.",  # the output
        "Signed electronically on",
    ):
        assert expected in text, expected
    # The outputs may still be completed once the minutes are signed.
    output_id = built.output_ids[0]
    done = world.api(world.staff).post(
        f"/api/v1/review-outputs/{output_id}/complete", json={"evidence": "Đã rà soát."}
    )
    assert done.status_code == 200
    assert world.api(world.quality_officer).post(
        f"/api/v1/management-reviews/{built.id}/outputs",
        json={"kind": "improvement", "description": "x", "owner_id": world.staff.id,
              "due_on": today(world).isoformat()},
    ).status_code == 409  # fmt: skip


def test_the_minutes_are_in_vietnamese_when_the_office_speaks_it(world, monkeypatch):
    built = build(world, "held")
    monkeypatch.setattr(world.app.state.settings, "lang", "vi")
    raise_nc(world, on=today(world))
    closed = world.api(world.manager).post(
        f"/api/v1/management-reviews/{built.id}/close", json={"password": world.manager.password}
    )
    assert closed.status_code == 200, closed.text
    pdf = world.api(world.manager).get(closed.json()["minutes_url"])
    text = " ".join(pdf_text(pdf.content).split())
    assert "BIÊN BẢN HỌP XEM XÉT CỦA LÃNH ĐẠO" in text.upper()
    assert "MINUTES OF THE MANAGEMENT REVIEW" not in text.upper()
    assert "Nonconformities raised in the period" not in text


def test_cancelling_needs_a_reason_and_only_while_planned(world):
    built = plan(world)
    qo = world.api(world.quality_officer)
    url = f"/api/v1/management-reviews/{built.id}/cancel"
    assert world.api(world.manager).post(url, json={"reason": "x"}).status_code == 403
    assert qo.post(url, json={"reason": " "}).status_code == 422
    cancelled = qo.post(url, json={"reason": "Lãnh đạo đi công tác.", "version": 1})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    held = build(world, "held")
    assert (
        qo.post(f"/api/v1/management-reviews/{held.id}/cancel", json={"reason": "x"}).status_code
        == 409
    )


def test_unknown_reviews_are_404(world):
    api = world.api(world.quality_officer)
    assert api.get("/api/v1/management-reviews/999").status_code == 404
    assert api.get("/api/v1/management-reviews/999/inputs").status_code == 404
    assert (
        api.post("/api/v1/review-outputs/999/complete", json={"evidence": "x"}).status_code == 404
    )


def test_each_move_is_in_the_trail(world):
    built = build(world, "closed")
    from sqlmodel import Session

    from qms.trail import service as trail

    with Session(world.engine) as session:
        actions = [
            e.action
            for e in trail.events_for(
                session=session, record_type="management_review", record_id=built.id
            )
        ]
    assert actions == ["planned", "held", "signed:approved", "closed"]
