"""JSON API: the caller's own work list, and a manager's department work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import SQLModel

from qms.auth import service as auth
from qms.deps import CurrentUser, SessionDep, SettingsDep
from qms.home import service
from qms.home.department import department_work
from qms.i18n import gettext

router = APIRouter(tags=["home"])


class WorkItemPublic(SQLModel):
    kind: str
    title: str
    url: str
    code: str
    due_on: date | None
    overdue: bool


class DepartmentWorkList(SQLModel):
    kind: str
    total: int
    overdue: int
    url: str  # the register filtered to every item of this kind
    items: list[WorkItemPublic]  # the most urgent, overdue first


class DepartmentWorkPublic(SQLModel):
    department_id: int
    department_code: str
    department_name: str
    total: int
    overdue: int
    lists: list[DepartmentWorkList]


def _item_public(item, lang: str) -> WorkItemPublic:
    return WorkItemPublic(
        kind=gettext(lang, item.kind),
        title=item.title,
        url=item.url,
        code=item.code,
        due_on=item.due_on,
        overdue=item.overdue,
    )


@router.get("/my-work", response_model=list[WorkItemPublic])
def my_work(session: SessionDep, user: CurrentUser, settings: SettingsDep):
    today = datetime.now(settings.tz).date()
    lang = user.lang or settings.lang
    return [
        _item_public(item, lang)
        for item in service.work_for(session=session, user=user, today=today).items
    ]


@router.get("/my-department-work", response_model=DepartmentWorkPublic)
def my_department_work(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=50, description="Items shown of each kind")] = 5,
):
    """The open work of the caller's department, as their home shows it: open
    nonconformities and corrective actions, revisions waiting, risk treatment actions,
    objectives at risk or missed; each kind overdue first. Only a department's manager
    (403 for anyone else)."""
    today = datetime.now(settings.tz).date()
    lang = user.lang or settings.lang
    work = department_work(session=session, user=user, today=today, limit=limit, strict=True)
    department = auth.get_department(session=session, department_id=user.department_id)
    return DepartmentWorkPublic(
        department_id=department.id,
        department_code=department.code,
        department_name=department.name,
        total=work.total,
        overdue=work.overdue,
        lists=[
            DepartmentWorkList(
                kind=gettext(lang, part.kind),
                total=part.total,
                overdue=part.overdue or 0,
                url=part.url,
                items=[_item_public(item, lang) for item in part.items],
            )
            for part in work.lists
        ],
    )
