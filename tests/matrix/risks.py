"""Role matrix of the risks-and-opportunities routes: every API and page route, who may use it."""

from __future__ import annotations

from datetime import timedelta

from tests.matrix import EVERYONE, Case
from tests.risks.builders import build, today

MANAGING = frozenset({"manager", "quality_officer"})  # the entry's owner (dept A) and QO
QUALITY = frozenset({"quality_officer"})
STAFF = frozenset({"staff"})  # the owner of the action in these set-ups


def _new(world, role):
    body = {
        "kind": "risk",
        "title": "Chứng thư số của lãnh đạo sắp hết hạn",
        "department_id": world.dept_a.id,
        "owner_id": world.manager.id,
        "cause": "Không có ai theo dõi hạn chứng thư.",
        "consequence": "Không ký số được văn bản trên E-Office.",
        "likelihood": 2,
        "impact": 5,
    }
    return {"json": body, "data": {k: str(v) for k, v in body.items()}}


def _in(state, body=None):
    def setup(world, role):
        built = build(world, state)
        payload = body(world, built) if callable(body) else dict(body or {})
        data = {k: str(v) for k, v in payload.items() if not isinstance(v, list)}
        return {"params": {"risk_id": built.id}, "json": payload, "data": data}

    return setup


def _action(state, body=None):
    def setup(world, role):
        built = build(world, state)
        payload = dict(body or {})
        return {"params": {"action_id": built.action_ids[0]}, "json": payload, "data": payload}

    return setup


def _versioned(extra):
    return lambda world, built: {**extra, "version": built.version}


def _plan(world, built):
    due = (today(world) + timedelta(days=10)).isoformat()
    return {"description": "Cử thêm cán bộ trực.", "owner_id": world.staff.id, "due_on": due}


def _link(world, built):
    from tests.nonconformities.builders import build as build_nc

    nc = build_nc(world, "open")
    return {"target": "nonconformity", "target_id": nc.id, "relation": "realised"}


def _linked(world, role):
    """An open entry with one link, made by its manager: the link's removal is the call."""
    built = build(world, "open")
    body = _link(world, built)
    made = world.api(world.manager).post(f"/api/v1/risks/{built.id}/links", json=body)
    link_id = made.json()["links"][0]["id"]
    return {"params": {"risk_id": built.id, "link_id": link_id}, "json": {}, "data": {}}


ASSESS = {"likelihood": 2, "impact": 2, "comment": "Đã có lịch trực bổ sung."}
ISSUE = {"kind": "external", "title": "Chuyển đổi số theo Đề án 06"}
PARTY = {"name": "Người dân, doanh nghiệp", "requirements": "Trả kết quả đúng hạn."}

CASES = [
    # API
    Case("GET", "/api/v1/risks", EVERYONE),
    Case("GET", "/api/v1/risks/heatmap", EVERYONE),
    Case("GET", "/api/v1/risks.csv", EVERYONE),
    Case("GET", "/api/v1/risks.xlsx", EVERYONE),
    Case("GET", "/api/v1/risks/register.pdf", EVERYONE, _in("treating")),
    Case("GET", "/api/v1/risk-context", EVERYONE),
    Case("POST", "/api/v1/context-issues", QUALITY, lambda w, r: {"json": ISSUE}),
    Case("POST", "/api/v1/interested-parties", QUALITY, lambda w, r: {"json": PARTY}),
    Case("POST", "/api/v1/risks", MANAGING, _new),
    Case("GET", "/api/v1/risks/{risk_id}", EVERYONE, _in("open")),
    Case(
        "POST",
        "/api/v1/risks/{risk_id}/treatment",
        MANAGING,
        _in("open", _versioned({"treatment": "mitigate"})),
    ),
    Case("POST", "/api/v1/risks/{risk_id}/actions", MANAGING, _in("treating", _plan)),
    Case(
        "POST",
        "/api/v1/risk-actions/{action_id}/complete",
        STAFF,
        _action("treating", {"evidence": "Lịch trực đã ban hành."}),
    ),
    Case("POST", "/api/v1/risks/{risk_id}/assess", MANAGING, _in("monitored", _versioned(ASSESS))),
    Case(
        "POST",
        "/api/v1/risks/{risk_id}/close",
        MANAGING,
        _in("monitored", _versioned({"reason": "Không còn phát sinh."})),
    ),
    Case("POST", "/api/v1/risks/{risk_id}/links", MANAGING, _in("open", _link)),
    Case("DELETE", "/api/v1/risks/{risk_id}/links/{link_id}", MANAGING, _linked),
    Case(
        "PUT",
        "/api/v1/risks/{risk_id}/context",
        MANAGING,
        _in("open", _versioned({"issue_ids": [], "party_ids": []})),
    ),
    # Pages
    Case("GET", "/risks", EVERYONE),
    Case("GET", "/risks/heatmap", EVERYONE),
    Case("GET", "/risks/context", EVERYONE),
    Case("POST", "/risks/context/issues", QUALITY, lambda w, r: {"data": ISSUE}),
    Case("POST", "/risks/context/parties", QUALITY, lambda w, r: {"data": PARTY}),
    Case("GET", "/risks/new", MANAGING),
    Case("POST", "/risks", MANAGING, _new),
    Case("GET", "/risks/{risk_id}", EVERYONE, _in("treating")),
    Case(
        "POST",
        "/risks/{risk_id}/treatment",
        MANAGING,
        _in("open", _versioned({"treatment": "mitigate"})),
    ),
    Case("POST", "/risks/{risk_id}/actions", MANAGING, _in("treating", _plan)),
    Case(
        "POST",
        "/risk-actions/{action_id}/complete",
        STAFF,
        _action("treating", {"evidence": "Lịch trực đã ban hành."}),
    ),
    Case("POST", "/risks/{risk_id}/assess", MANAGING, _in("monitored", _versioned(ASSESS))),
    Case(
        "POST",
        "/risks/{risk_id}/close",
        MANAGING,
        _in("monitored", _versioned({"reason": "Không còn phát sinh."})),
    ),
    Case("POST", "/risks/{risk_id}/links", MANAGING, _in("open", _link)),
    Case("POST", "/risks/{risk_id}/links/{link_id}/delete", MANAGING, _linked),
    Case("POST", "/risks/{risk_id}/context", MANAGING, _in("open", _versioned({}))),
]
