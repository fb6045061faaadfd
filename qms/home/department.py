"""A manager's home: the open work of their department, overdue first (issue 19.10).

Each figure comes from its domain's own service (nonconformities, documents, risks,
objectives): the home reads no other domain's tables. Each list links to the register
filtered to what it shows."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from qms.auth.models import Role, User
from qms.auth.permissions import can, require, rule
from qms.documents import service as documents
from qms.documents.states import REVISION_STATUS_LABELS
from qms.home.service import LIMIT, Work, WorkItem, WorkList
from qms.i18n import N_
from qms.nonconformities import service as nonconformities
from qms.nonconformities.states import STATUS_LABELS as NC_STATUS_LABELS
from qms.objectives import service as objectives
from qms.objectives.models import PERIOD_STATUS_LABELS, PeriodStatus
from qms.risks import service as risks


def _short(text: str, size: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _nonconformities(session, department_id: int, today: date, limit: int) -> list[WorkList]:
    part = nonconformities.department_open(
        session=session, department_id=department_id, today=today, limit=limit
    )
    items = [
        WorkItem(
            NC_STATUS_LABELS[nc.status],
            _short(nc.description),
            f"/nonconformities/{nc.id}",
            due_on=due_on,
            code=nc.code,
        )
        for nc, due_on in part.rows
    ]
    url = f"/nonconformities?department_id={department_id}&active=true"
    lists = [WorkList(N_("Open nonconformities"), items, part.total, url, part.overdue)]
    part = nonconformities.department_actions(
        session=session, department_id=department_id, today=today, limit=limit
    )
    items = [
        WorkItem(
            N_("Corrective action"),
            _short(action.description),
            f"/nonconformities/{nc.id}#action-{action.id}",
            due_on=action.due_on,
            code=nc.code,
        )
        for action, nc in part.rows
    ]
    url = f"/nonconformities?department_id={department_id}&status=action_planned"
    lists.append(WorkList(N_("Open corrective actions"), items, part.total, url, part.overdue))
    return lists


def _revisions(session, department_id: int, today: date, limit: int) -> list[WorkList]:
    part = documents.department_revisions_waiting(
        session=session, department_id=department_id, today=today, limit=limit
    )
    items = [
        WorkItem(
            REVISION_STATUS_LABELS[revision.status],
            f"{document.title} ({revision.label})",
            f"/revisions/{revision.id}",
            due_on=documents.signing_due_on(revision),
            code=document.code,
        )
        for revision, document in part.rows
    ]
    kind = N_("Revisions waiting for signature or publication")
    url = f"/documents?department_id={department_id}"
    return [WorkList(kind, items, part.total, url, part.overdue)]


def _risks(session, department_id: int, today: date, limit: int) -> list[WorkList]:
    part = risks.department_actions(
        session=session, department_id=department_id, today=today, limit=limit
    )
    items = [
        WorkItem(
            N_("Treatment action"),
            _short(action.description),
            f"/risks/{risk.id}#action-{action.id}",
            due_on=action.due_on,
            code=risk.code,
        )
        for action, risk in part.rows
    ]
    url = f"/risks?department_id={department_id}&status=treating"
    return [WorkList(N_("Open risk treatment actions"), items, part.total, url, part.overdue)]


def _objectives(session, department_id: int, today: date, limit: int) -> list[WorkList]:
    found = objectives.at_risk_or_missed(session=session, today=today, department_id=department_id)
    lists = []
    for standing, kind in (
        (PeriodStatus.missed, N_("Objectives missing their target")),
        (PeriodStatus.at_risk, N_("Objectives at risk")),
    ):
        rows = found[standing]
        items = [
            WorkItem(
                PERIOD_STATUS_LABELS[standing],
                _short(o.title),
                f"/objectives/{o.id}",
                code=o.code,
            )
            for o in rows[:limit]
        ]
        url = f"/objectives?department_id={department_id}&standing={standing.value}"
        lists.append(WorkList(kind, items, len(rows), url, 0))
    return lists


rule("home.department_work", "Only the manager of a department has its work to see.")(
    lambda user, _record=None: user.has_role(Role.manager) and user.department_id is not None
)


def department_work(
    *, session: Session, user: User, today: date, limit: int = LIMIT, strict: bool = False
) -> Work | None:
    """The open work of the manager's department, each kind overdue first; None for anyone
    who is not the manager of a department (Forbidden instead with `strict`, for the API)."""
    if strict:
        require(user, "home.department_work")
    elif not can(user, "home.department_work"):
        return None
    department_id = user.department_id
    lists = [
        work
        for part in (_nonconformities, _revisions, _risks, _objectives)
        for work in part(session, department_id, today, limit)
        if work.total
    ]
    for work in lists:
        for item in work.items:
            item.today = today
        if work.overdue is None:
            work.overdue = sum(item.overdue for item in work.items)
    return Work(lists)
