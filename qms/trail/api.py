"""JSON API: the trail of a record, and its signatures."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query

from qms.auth.permissions import require
from qms.deps import MAX_ID, CurrentUser, SessionDep
from qms.trail import service
from qms.trail.models import TrailEventPublic

router = APIRouter(tags=["trail"])


def public(event) -> TrailEventPublic:
    return TrailEventPublic(
        id=event.id,
        seq=event.seq,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        record_type=event.record_type,
        record_id=event.record_id,
        changes=json.loads(event.changes),
        reason=event.reason,
        hash=event.hash,
    )


@router.get("/trail", response_model=list[TrailEventPublic])
def trail(
    session: SessionDep,
    user: CurrentUser,
    record_type: str = Query(min_length=1, max_length=64, pattern=r"^[a-z_]+$"),
    record_id: int = Query(ge=1, le=MAX_ID),
):
    require(user, "trail.read")
    events = service.events_for(session=session, record_type=record_type, record_id=record_id)
    return [public(e) for e in events]
