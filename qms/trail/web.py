"""Page: the trail of any record, in words (actions, fields and coded values labelled)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, col, select

from qms.auth.models import Department, User
from qms.auth.permissions import require
from qms.deps import IdPath, PageUser, SessionDep
from qms.pages import render, verify_csrf
from qms.trail import labels, service

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def readable_events(*, session: Session, events) -> list[tuple]:
    """(event, its changes labelled) for each event, people and departments named."""
    user_ids, department_ids = labels.referenced(events)
    names: dict = {}
    if user_ids:
        for person in session.exec(select(User).where(col(User.id).in_(user_ids))):
            names[("user", person.id)] = person.full_name
    if department_ids:
        for unit in session.exec(select(Department).where(col(Department.id).in_(department_ids))):
            names[("department", unit.id)] = f"{unit.code} – {unit.name}"
    return [(event, labels.changes(event, names)) for event in events]


def _code_of(events) -> str | None:
    """The record's code (NC-2026-0001, IA-2026-01, QT-06) as its own events gave it."""
    import json

    code = None
    for event in events:
        change = json.loads(event.changes or "{}").get("code")
        if isinstance(change, list) and len(change) == 2 and isinstance(change[1], str):
            code = change[1]
    return code


@router.get("/trail/{record_type}/{record_id}")
def trail_page(
    request: Request, record_type: str, record_id: IdPath, session: SessionDep, user: PageUser
):
    require(user, "trail.read")
    events = service.events_for(session=session, record_type=record_type, record_id=record_id)
    signatures = service.signatures_for(
        session=session, record_type=record_type, record_id=record_id
    )
    return render(
        request,
        "trail/record.html",
        {
            "record_type": record_type,
            "record_id": record_id,
            "record_code": _code_of(events),
            "rows": readable_events(session=session, events=events),
            "signatures": signatures,
        },
    )
