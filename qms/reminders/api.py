"""JSON API: the caller's inbox, marking read, and the sweeps (for administrators)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request

from qms.auth.permissions import require
from qms.deps import CurrentUser, DayQuery, IdPath, SessionDep, SettingsDep
from qms.i18n import gettext
from qms.reminders import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.reminders import service
from qms.reminders.models import Notification, NotificationPublic, SweepPublic

router = APIRouter(tags=["reminders"])


def public(notification: Notification, lang: str) -> NotificationPublic:
    return NotificationPublic(
        id=notification.id,
        rule=notification.rule,
        record_type=notification.record_type,
        record_id=notification.record_id,
        due_on=notification.due_on,
        stage=notification.stage,
        escalation=notification.escalation,
        text=service.text_of(notification, lambda m: gettext(lang, m)),
        url=notification.url,
        created_at=notification.created_at,
        read_at=notification.read_at,
        status="read" if notification.read_at else "unread",
    )


def sweep_public(run) -> SweepPublic:
    status = "failed" if run.error else ("finished" if run.finished_at else "running")
    return SweepPublic(**run.model_dump(), status=status)


@router.get("/notifications", response_model=list[NotificationPublic])
def notifications(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    unread: bool = False,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
):
    rows = service.inbox(session=session, user=user, unread_only=unread, limit=limit, offset=offset)
    lang = user.lang or settings.lang
    return [public(n, lang) for n in rows]


@router.post("/notifications/{notification_id}/read", response_model=NotificationPublic)
def mark_read(
    notification_id: IdPath, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    notification = service.mark_read(session=session, user=user, notification_id=notification_id)
    return public(notification, user.lang or settings.lang)


@router.post("/notifications/read-all")
def mark_all_read(session: SessionDep, user: CurrentUser) -> dict:
    return {"marked": service.mark_all_read(session=session, user=user)}


@router.get("/reminders/sweeps", response_model=list[SweepPublic])
def sweeps(session: SessionDep, user: CurrentUser):
    require(user, "reminders.admin")
    return [sweep_public(run) for run in service.recent_sweeps(session=session)]


@router.post("/reminders/sweeps", status_code=201, response_model=SweepPublic)
def run_sweep(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    as_of: DayQuery = None,
):
    """Run one sweep now (as of today in QMS_TIMEZONE, or a given day)."""
    require(user, "reminders.run")
    # The sweep runs its own transactions; end the request's (on SQLite it holds the lock).
    session.commit()
    day = as_of or datetime.now(settings.tz).date()
    run = service.sweep(
        engine=request.app.state.engine, settings=settings, as_of=day, trigger="api"
    )
    return sweep_public(run)
