"""Page: the signed-in person's home."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request

from qms.auth import service as auth
from qms.deps import PageUser, SessionDep, SettingsDep
from qms.home import service
from qms.home.department import department_work
from qms.pages import render, verify_csrf

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/")
def home(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    today = datetime.now(settings.tz).date()
    work = service.work_for(session=session, user=user, today=today)
    panels = service.panels_for(session=session, user=user, today=today)
    department = department_work(session=session, user=user, today=today)
    return render(
        request,
        "home.html",
        {
            "work": work,
            "panels": panels,
            "today": today,
            "department_work": department,
            "department": auth.get_department(session=session, department_id=user.department_id)
            if department is not None
            else None,
        },
    )
