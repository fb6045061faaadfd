"""Role matrix of the management-review routes: every API and page route, who may use it.

In these set-ups world.manager is the chair (marked as top management) and world.staff owns
the review's output."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PASSWORD
from tests.matrix import EVERYONE, Case
from tests.reviews.builders import MINUTES, build, make_chair, today

CHAIR = frozenset({"manager"})
QUALITY = frozenset({"quality_officer"})
DECIDES = frozenset({"manager", "quality_officer"})
OWNER = frozenset({"staff"})


def _new(world, role):
    make_chair(world)
    day = today(world)
    body = {
        "period_start": day.replace(month=1, day=1).isoformat(),
        "period_end": day.isoformat(),
        "planned_on": day.isoformat(),
        "chair_id": world.manager.id,
        "attendee_ids": [world.quality_officer.id],
    }
    return {"json": body, "data": body}


def _in(state, body=None):
    def setup(world, role):
        built = build(world, state)
        payload = body(world) if callable(body) else dict(body or {})
        return {"params": {"review_id": built.id}, "json": payload, "data": payload}

    return setup


def _output(world, role):
    built = build(world, "held")
    payload = {"evidence": "Đã thực hiện, có biên bản kèm theo."}
    return {"params": {"output_id": built.output_ids[0]}, "json": payload, "data": payload}


def _plan_page(world):
    return {**_new(world, None)["data"], "version": 1}


def _decision(world):
    due = (today(world) + timedelta(days=30)).isoformat()
    return {
        "kind": "qms_change",
        "description": "Sửa đổi QT-07.",
        "owner_id": world.staff.id,
        "due_on": due,
    }


CASES = [
    # API
    Case("GET", "/api/v1/management-reviews", EVERYONE),
    Case("POST", "/api/v1/management-reviews", QUALITY, _new),
    Case("GET", "/api/v1/management-reviews/{review_id}.pdf", EVERYONE, _in("closed")),
    Case("GET", "/api/v1/management-reviews/{review_id}", EVERYONE, _in("planned")),
    Case(
        "PATCH",
        "/api/v1/management-reviews/{review_id}",
        QUALITY,
        _in("planned", {"version": 1, "resources": "Đủ nguồn lực."}),
    ),
    Case("GET", "/api/v1/management-reviews/{review_id}/inputs", EVERYONE, _in("held")),
    Case(
        "POST",
        "/api/v1/management-reviews/{review_id}/hold",
        CHAIR,
        _in("planned", {"minutes": MINUTES, "version": 1}),
    ),
    Case("POST", "/api/v1/management-reviews/{review_id}/outputs", DECIDES, _in("held", _decision)),
    Case("POST", "/api/v1/review-outputs/{output_id}/complete", OWNER, _output),
    Case(
        "POST",
        "/api/v1/management-reviews/{review_id}/close",
        CHAIR,
        _in("held", {"password": PASSWORD}),
    ),
    Case(
        "POST",
        "/api/v1/management-reviews/{review_id}/cancel",
        QUALITY,
        _in("planned", {"reason": "Lãnh đạo đi công tác."}),
    ),
    # Pages
    Case("GET", "/management-reviews", EVERYONE),
    Case("GET", "/management-reviews/new", QUALITY),
    Case("POST", "/management-reviews/new", QUALITY, _new),
    Case("GET", "/management-reviews/{review_id}", EVERYONE, _in("held")),
    Case("POST", "/management-reviews/{review_id}/edit", QUALITY, _in("planned", _plan_page)),
    Case(
        "POST",
        "/management-reviews/{review_id}/hold",
        CHAIR,
        _in("planned", {"minutes": MINUTES, "version": 1}),
    ),
    Case("POST", "/management-reviews/{review_id}/outputs", DECIDES, _in("held", _decision)),
    Case("POST", "/review-outputs/{output_id}/complete", OWNER, _output),
    Case(
        "POST",
        "/management-reviews/{review_id}/close",
        CHAIR,
        _in("held", {"password": PASSWORD}),
    ),
    Case(
        "POST",
        "/management-reviews/{review_id}/cancel",
        QUALITY,
        _in("planned", {"reason": "Lãnh đạo đi công tác."}),
    ),
]
