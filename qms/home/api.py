"""JSON API: the caller's own work list."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from sqlmodel import SQLModel

from qms.deps import CurrentUser, SessionDep, SettingsDep
from qms.home import service
from qms.i18n import gettext

router = APIRouter(tags=["home"])


class WorkItemPublic(SQLModel):
    kind: str
    title: str
    url: str
    code: str
    due_on: date | None
    overdue: bool


@router.get("/my-work", response_model=list[WorkItemPublic])
def my_work(session: SessionDep, user: CurrentUser, settings: SettingsDep):
    today = datetime.now(settings.tz).date()
    lang = user.lang or settings.lang
    return [
        WorkItemPublic(
            kind=gettext(lang, item.kind),
            title=item.title,
            url=item.url,
            code=item.code,
            due_on=item.due_on,
            overdue=item.overdue,
        )
        for item in service.work_for(session=session, user=user, today=today).items
    ]
