"""Role matrix of the audit routes: every API and page route, who may use it.

The audit of these set-ups audits department A; world.auditor (department B) leads it, so
"auditor" is the lead and "manager" the auditee's manager.
"""

from __future__ import annotations

import io
from datetime import timedelta
from itertools import count

from tests.audits import support
from tests.factories import PASSWORD
from tests.matrix import Case

READERS = frozenset({"admin", "quality_officer", "auditor", "manager"})
QUALITY = frozenset({"quality_officer"})
LEAD = frozenset({"auditor"})
TEMPLATE_READERS = frozenset({"quality_officer", "auditor"})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

_years = count(2031)


def _cached(world, name, make):
    if not hasattr(world, name):
        setattr(world, name, make())
    return getattr(world, name)


def _planned(world):
    return _cached(world, "_m_planned", lambda: support.plan(world))


def _in_progress(world):
    return _cached(world, "_m_in_progress", lambda: support.build(world, "in_progress"))


def _item(world):
    return support.items(world, _in_progress(world))[0]


def _attachment(world, *, fresh=False):
    def make():
        from qms.audits import service
        from qms.audits.models import ChecklistItem
        from qms.db import unit_of_work

        settings = world.app.state.settings
        item_id = _item(world).id
        with unit_of_work(world.engine) as session:
            row = service.add_attachment(
                session=session,
                by=support.user(session, world.auditor),
                item=session.get(ChecklistItem, item_id),
                filename="anh-quay.png",
                stream=io.BytesIO(PNG),
                files_dir=settings.files_dir,
                max_bytes=settings.upload_max_bytes,
            )
            return row.id

    return make() if fresh else _cached(world, "_m_attachment", make)


def _new_audit(world, role):
    start = support.today(world) + timedelta(days=30)
    body = {
        "title": "Đánh giá Phòng A",
        "scope": "Toàn bộ quá trình của Phòng A.",
        "criteria": "TCVN ISO 9001:2015.",
        "department_id": world.dept_a.id,
        "lead_auditor_id": world.auditor.id,
        "auditor_ids": [],
        "planned_start_on": start.isoformat(),
        "planned_end_on": (start + timedelta(days=1)).isoformat(),
        "template_keys": [support.SMALL],
    }
    return {"json": body, "data": body}


_STATES = {"planned": _planned, "in_progress": _in_progress, "reported": support.shared_reported}


def _audit(state, body=None):
    def setup(world, role):
        built = _STATES[state](world)
        audit = support.load(world, built)
        payload = body(world, audit) if callable(body) else dict(body or {})
        return {"params": {"audit_id": built.id}, "json": payload, "data": payload}

    return setup


def _edit(world, audit):
    return {
        "version": audit.version,
        "title": "Đánh giá Phòng A (sửa)",
        "scope": audit.scope,
        "criteria": audit.criteria,
        "department_id": audit.department_id,
        "lead_auditor_id": audit.lead_auditor_id,
        "planned_start_on": audit.planned_start_on.isoformat(),
        "planned_end_on": audit.planned_end_on.isoformat(),
        "template_keys": audit.template_keys,
    }


def _answer(world, role):
    item = _item(world)
    body = {"result": "conform", "evidence": "Đã xem hồ sơ.", "version": item.version}
    return {"params": {"audit_id": item.audit_id, "item_id": item.id}, "json": body, "data": body}


def _item_only(world, role):
    item = _item(world)
    return {"params": {"item_id": item.id}}


def _attachment_params(world, role):
    attachment_id = _attachment(world)
    return {"params": {"attachment_id": attachment_id, "audit_id": _in_progress(world).id}}


def _fresh_attachment(world, role):
    # Each call removes what it is given: every role gets an attachment of its own.
    attachment_id = _attachment(world, fresh=True)
    return {"params": {"attachment_id": attachment_id, "audit_id": _in_progress(world).id}}


def _template(world, role):
    return {"params": {"key": support.SMALL}}


def _programme(world, role):
    from qms.audits import service
    from qms.db import unit_of_work

    year = support.load(world, _planned(world)).year  # planning opened its programme
    with unit_of_work(world.engine, write=False) as session:
        programme = service.get_programme(session=session, year=year)
    body = {"objectives": "Đánh giá mọi phòng trong năm.", "version": programme.version}
    return {"params": {"year": year}, "json": body, "data": body}


def _new_programme(world, role):
    body = {"year": next(_years), "objectives": "Đánh giá mọi phòng trong năm."}
    return {"json": body, "data": body}


REPORT = {"password": PASSWORD, "summary": "Phù hợp."}

CASES = [
    # API: templates and programme
    Case("GET", "/api/v1/audit-templates", TEMPLATE_READERS),
    Case("GET", "/api/v1/audit-templates/{key}", TEMPLATE_READERS, _template),
    Case("GET", "/api/v1/audit-programmes", READERS),
    Case("POST", "/api/v1/audit-programmes", QUALITY, _new_programme),
    Case("GET", "/api/v1/audit-programmes/{year}", READERS, _programme),
    Case("PATCH", "/api/v1/audit-programmes/{year}", QUALITY, _programme),
    Case("GET", "/api/v1/audit-programmes/{year}/not-covered", READERS, _programme),
    # API: audits
    Case("GET", "/api/v1/audits", READERS),
    Case("GET", "/api/v1/audits.csv", READERS),
    Case("GET", "/api/v1/audits.xlsx", READERS),
    Case("POST", "/api/v1/audits", QUALITY, _new_audit),
    Case("GET", "/api/v1/audits/{audit_id}", READERS, _audit("planned")),
    Case("PATCH", "/api/v1/audits/{audit_id}", QUALITY, _audit("planned", _edit)),
    Case("GET", "/api/v1/audits/{audit_id}.pdf", READERS, _audit("reported")),
    Case("POST", "/api/v1/audits/{audit_id}/start", LEAD, _audit("planned")),
    Case("GET", "/api/v1/audits/{audit_id}/checklists", READERS, _audit("in_progress")),
    Case("POST", "/api/v1/audits/{audit_id}/report", LEAD, _audit("in_progress", REPORT)),
    Case("POST", "/api/v1/audits/{audit_id}/close", QUALITY, _audit("reported", {"note": "Xong."})),
    Case(
        "POST", "/api/v1/audits/{audit_id}/cancel", QUALITY, _audit("planned", {"reason": "Hoãn."})
    ),
    Case("GET", "/api/v1/checklist-items/{item_id}", READERS, _item_only),
    Case("PATCH", "/api/v1/checklist-items/{item_id}", LEAD, _answer),
    Case("POST", "/api/v1/checklist-items/{item_id}/attachments", LEAD, _item_only),
    Case("GET", "/api/v1/audit-attachments/{attachment_id}", READERS, _attachment_params),
    Case("DELETE", "/api/v1/audit-attachments/{attachment_id}", LEAD, _fresh_attachment),
    # Pages
    Case("GET", "/audits", READERS),
    Case("GET", "/audits/new", QUALITY),
    Case("POST", "/audits", QUALITY, _new_audit),
    Case("GET", "/audits/{audit_id}", READERS, _audit("planned")),
    Case("GET", "/audits/{audit_id}/edit", QUALITY, _audit("planned")),
    Case("POST", "/audits/{audit_id}/edit", QUALITY, _audit("planned", _edit)),
    Case("POST", "/audits/{audit_id}/start", LEAD, _audit("planned")),
    Case("POST", "/audits/{audit_id}/report", LEAD, _audit("in_progress", REPORT)),
    Case("POST", "/audits/{audit_id}/close", QUALITY, _audit("reported", {"note": "Xong."})),
    Case("POST", "/audits/{audit_id}/cancel", QUALITY, _audit("planned", {"reason": "Hoãn."})),
    Case("GET", "/audits/{audit_id}/checklist", READERS, _audit("in_progress")),
    Case("POST", "/audits/{audit_id}/items/{item_id}", LEAD, _answer),
    Case("POST", "/audits/{audit_id}/attachments/{attachment_id}/delete", LEAD, _fresh_attachment),
    Case("GET", "/audit-programmes/{year}", READERS, _programme),
    Case("POST", "/audit-programmes", QUALITY, _new_programme),
    Case("POST", "/audit-programmes/{year}", QUALITY, _programme),
    Case("GET", "/audit-templates", TEMPLATE_READERS),
    Case("GET", "/audit-templates/{key}", TEMPLATE_READERS, _template),
]
