"""Pages: the inbox (with the unread count in the header) and the sweeps' admin view."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request

from qms.auth.permissions import require
from qms.deps import IdPath, PageUser, SessionDep, SettingsDep
from qms.i18n import N_
from qms.pages import NavItem, gettext_for, redirect, render, request_lang, verify_csrf
from qms.reminders import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.reminders import service

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
NAV = [NavItem(N_("Reminder sweeps"), "/admin/reminders", "reminders.admin")]
PAGE_SIZE = 50


@router.get("/notifications")
def inbox(
    request: Request, session: SessionDep, user: PageUser, unread: bool = False, page: int = 1
):
    page = max(1, min(page, 10_000))
    rows = service.inbox(
        session=session,
        user=user,
        unread_only=unread,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    total = service.inbox_count(session=session, user=user, unread_only=unread)
    gettext = gettext_for(request_lang(request, user))
    items = [(n, service.text_of(n, gettext)) for n in rows]
    return render(
        request,
        "reminders/inbox.html",
        {
            "items": items,
            "unread": unread,
            "page": page,
            "total": total,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "unread_total": service.unread_count(session=session, user_id=user.id),
        },
    )


@router.post("/notifications/{notification_id}/read")
def mark_read(request: Request, notification_id: IdPath, session: SessionDep, user: PageUser):
    notification = service.mark_read(session=session, user=user, notification_id=notification_id)
    return redirect(request, notification.url)


@router.post("/notifications/read-all")
def mark_all_read(request: Request, session: SessionDep, user: PageUser):
    service.mark_all_read(session=session, user=user)
    return redirect(request, "/notifications", flash=N_("All reminders are marked as read."))


@router.get("/admin/reminders")
def sweeps_page(request: Request, session: SessionDep, user: PageUser):
    require(user, "reminders.admin")
    return render(
        request,
        "reminders/sweeps.html",
        {
            "sweeps": service.recent_sweeps(session=session),
            "failed": service.failed_deliveries(session=session),
        },
    )


@router.post("/admin/reminders")
def run_sweep(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "reminders.run")
    session.commit()  # the sweep runs its own transactions
    service.sweep(
        engine=request.app.state.engine,
        settings=settings,
        as_of=datetime.now(settings.tz).date(),
        trigger="page",
    )
    return redirect(request, "/admin/reminders", flash=N_("The reminder sweep has run."))


def unread_column():
    """The header's unread count as a column of the sign-in query (correlated to the
    signed-in user's id): qms.deps reads it with the user on every page."""
    return service.unread_count_column()


def unread_badge(engine, user_id: int, session=None) -> int:
    from qms.db import unit_of_work

    if session is not None:
        return service.unread_count(session=session, user_id=user_id)
    with unit_of_work(engine, write=False) as own:
        return service.unread_count(session=own, user_id=user_id)
