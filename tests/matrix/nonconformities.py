"""Role matrix of the nonconformity routes: every API and page route, who may use it."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PASSWORD
from tests.matrix import EVERYONE, Case
from tests.nonconformities.builders import build, today

MANAGER = frozenset({"manager"})
QUALITY = frozenset({"quality_officer"})
STAFF = frozenset({"staff"})  # the owner of the action in these set-ups


def _new(world, role):
    body = {
        "source": "customer_complaint",
        "department_id": world.dept_a.id,
        "clause": "8.2.1",
        "severity": "minor",
        "description": "Công dân phản ánh không nhận được kết quả qua bưu điện.",
    }
    return {"json": body, "data": body}


def _in(state, body=None):
    def setup(world, role):
        built = build(world, state)
        payload = body(world) if callable(body) else dict(body or {})
        return {"params": {"nonconformity_id": built.id}, "json": payload, "data": payload}

    return setup


def _action(state, body=None):
    def setup(world, role):
        built = build(world, state)
        payload = dict(body or {})
        return {"params": {"action_id": built.action_ids[0]}, "json": payload, "data": payload}

    return setup


def _evidence_file(world, role):
    from qms.auth.models import User
    from qms.db import unit_of_work
    from qms.nonconformities import service
    from qms.nonconformities.models import CorrectiveAction

    built = build(world, "action_planned")
    settings = world.app.state.settings
    with unit_of_work(world.engine) as session:
        row = service.attach_evidence(
            session=session,
            action=session.get(CorrectiveAction, built.action_ids[0]),
            by=session.get(User, world.staff.id),
            filename="bien-ban.pdf",
            content=b"%PDF-1.4\n% evidence\n",
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
        )
    return {"params": {"file_id": row.id}}


INVESTIGATION = {
    "containment": "Gọi điện xin lỗi công dân và gửi lại kết quả.",
    "root_cause_method": "other",
    "root_cause": "Không có sổ theo dõi hồ sơ gửi qua bưu điện.",
}


def _plan(world):
    due = (today(world) + timedelta(days=10)).isoformat()
    return {"description": "Lập sổ theo dõi bưu gửi.", "owner_id": world.staff.id, "due_on": due}


CASES = [
    # API
    Case("GET", "/api/v1/nonconformities", EVERYONE),
    Case("GET", "/api/v1/nonconformities.csv", EVERYONE),
    Case("GET", "/api/v1/nonconformities.xlsx", EVERYONE),
    Case("POST", "/api/v1/nonconformities", EVERYONE, _new),
    Case("GET", "/api/v1/nonconformities/{nonconformity_id}", EVERYONE, _in("open")),
    Case("GET", "/api/v1/nonconformities/{nonconformity_id}.pdf", EVERYONE, _in("closed")),
    Case(
        "POST",
        "/api/v1/nonconformities/{nonconformity_id}/investigate",
        MANAGER,
        _in("open", INVESTIGATION),
    ),
    Case(
        "POST",
        "/api/v1/nonconformities/{nonconformity_id}/actions",
        MANAGER,
        _in("investigating", _plan),
    ),
    Case("POST", "/api/v1/corrective-actions/{action_id}/files", STAFF, _action("action_planned")),
    Case(
        "POST",
        "/api/v1/corrective-actions/{action_id}/complete",
        STAFF,
        _action("action_planned", {"evidence": "Sổ theo dõi đã lập."}),
    ),
    Case("GET", "/api/v1/evidence-files/{file_id}", EVERYONE, _evidence_file),
    # Its reporter (the auditor in these set-ups), its owner or a quality officer.
    Case(
        "POST",
        "/api/v1/nonconformities/{nonconformity_id}/files",
        frozenset({"auditor", "manager", "quality_officer"}),
        _in("open"),
    ),
    Case(
        "POST",
        "/api/v1/nonconformities/{nonconformity_id}/verify",
        QUALITY,
        _in("verifying", {"result": "effective", "comment": ""}),
    ),
    Case(
        "POST",
        "/api/v1/nonconformities/{nonconformity_id}/close",
        MANAGER,
        _in("ready", {"password": PASSWORD}),
    ),
    Case(
        "POST",
        "/api/v1/nonconformities/{nonconformity_id}/cancel",
        QUALITY,
        _in("investigating", {"reason": "Ghi nhận trùng."}),
    ),
    Case(
        "PUT",
        "/api/v1/nonconformities/{nonconformity_id}/documents",
        frozenset({"manager", "quality_officer"}),
        _in("open", {"document_ids": [3]}),
    ),
    # Pages
    Case("GET", "/nonconformities", EVERYONE),
    Case("GET", "/nonconformities/new", EVERYONE),
    Case("POST", "/nonconformities", EVERYONE, _new),
    Case("GET", "/nonconformities/{nonconformity_id}", EVERYONE, _in("verifying")),
    Case(
        "POST",
        "/nonconformities/{nonconformity_id}/investigate",
        MANAGER,
        _in("open", INVESTIGATION),
    ),
    Case(
        "POST", "/nonconformities/{nonconformity_id}/actions", MANAGER, _in("investigating", _plan)
    ),
    Case(
        "POST",
        "/corrective-actions/{action_id}/complete",
        STAFF,
        _action("action_planned", {"evidence": "Sổ theo dõi đã lập."}),
    ),
    Case(
        "POST",
        "/nonconformities/{nonconformity_id}/verify",
        QUALITY,
        _in("verifying", {"result": "ineffective", "comment": "Vẫn còn hồ sơ trễ."}),
    ),
    Case(
        "POST",
        "/nonconformities/{nonconformity_id}/close",
        MANAGER,
        _in("ready", {"password": PASSWORD}),
    ),
    Case(
        "POST",
        "/nonconformities/{nonconformity_id}/cancel",
        QUALITY,
        _in("action_planned", {"reason": "Ghi nhận trùng."}),
    ),
]
