"""Page: the trail of any record."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request

from qms.auth.permissions import require
from qms.deps import IdPath, PageUser, SessionDep
from qms.pages import render, verify_csrf
from qms.trail import service

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/trail/{record_type}/{record_id}")
def trail_page(
    request: Request, record_type: str, record_id: IdPath, session: SessionDep, user: PageUser
):
    require(user, "trail.read")
    events = service.events_for(session=session, record_type=record_type, record_id=record_id)
    rows = [(event, json.loads(event.changes)) for event in events]
    signatures = service.signatures_for(
        session=session, record_type=record_type, record_id=record_id
    )
    return render(
        request,
        "trail/record.html",
        {
            "record_type": record_type,
            "record_id": record_id,
            "rows": rows,
            "signatures": signatures,
        },
    )
