"""Pages: the register with its filters, the heat map, entering a risk or an opportunity,
the entry with the forms its viewer may use, the context lists, and the home page's work."""

from __future__ import annotations

import textwrap
from datetime import date

from fastapi import APIRouter, Depends, Request

from qms.auth import service as auth
from qms.auth.models import Role
from qms.auth.permissions import require
from qms.deps import IdPath, PageUser, SessionDep, SettingsDep
from qms.errors import Invalid, QMSError
from qms.forms import parse
from qms.home.service import WorkItem, WorkList, work_provider
from qms.i18n import N_
from qms.pages import NavItem, form_data, redirect, refused, render, verify_csrf
from qms.risks import service
from qms.risks.deps import CurrentRisk, CurrentRiskAction
from qms.risks.models import (
    ASSESSMENT_LABELS,
    BAND_OF,
    BANDS,
    ISSUE_KIND_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    LINK_TARGET_LABELS,
    RELATION_LABELS,
    TREATMENT_LABELS,
    TREATMENTS_FOR,
    ActionCompletion,
    IssueKind,
    Kind,
    Level,
    LinkTarget,
    Relation,
    RiskClosure,
    TreatmentDecision,
)
from qms.risks.states import COMPLETE_ACTION, FORMS, STATUS_LABELS, Status
from qms.trail import labels as trail_labels
from qms.trail.labels import register_values
from qms.workflow import allowed_now

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

trail_labels.ACTIONS.update(
    {
        "linked": N_("linked to a record"),
        "unlinked": N_("link to a record removed"),
        "context_named": N_("context issues and interested parties named"),
        "added": N_("added"),
    }
)
register_values("risk", "status", STATUS_LABELS)
register_values("risk", "kind", KIND_LABELS)
register_values("risk", "level", LEVEL_LABELS)
register_values("risk", "treatment", TREATMENT_LABELS)
NAV = [NavItem(N_("Risks and opportunities"), "/risks", "risk.list")]
PAGE_SIZE = 25

LABELS = {
    "status_labels": STATUS_LABELS,
    "kind_labels": KIND_LABELS,
    "level_labels": LEVEL_LABELS,
    "treatment_labels": TREATMENT_LABELS,
    "assessment_labels": ASSESSMENT_LABELS,
    "target_labels": LINK_TARGET_LABELS,
    "relation_labels": RELATION_LABELS,
    "issue_kind_labels": ISSUE_KIND_LABELS,
    "band_of": BAND_OF,
    "bands": BANDS,
}

# The fields each form on the entry's page shows a message beside; anything else is said
# at the top of the page.
FORM_FIELDS = {
    "treatment": {"treatment", "justification"},
    "action": {"description", "owner_id", "due_on"},
    "complete": {"evidence"},
    "assess": {"likelihood", "impact", "comment", "review_on"},
    "close": {"reason"},
    "link": {"target", "target_id", "relation"},
    "unlink": set(),
    "context": {"issue_ids", "party_ids"},
}


def _short(text: str) -> str:
    return textwrap.shorten(text, width=120, placeholder="…")


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _rating(value, field: str):
    """A likelihood or an impact as typed: the service refuses anything but 1..5."""
    number = _int(value)
    if number is None:
        if field == "likelihood":
            raise Invalid("The likelihood is a whole number from 1 to 5.", field=field)
        raise Invalid("The impact is a whole number from 1 to 5.", field=field)
    return number


def _date(value, field: str, *, optional: bool = False) -> date | None:
    text = str(value or "").strip()
    if optional and not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("Enter the date as YYYY-MM-DD.", field=field) from None


def _ids(value) -> list[int]:
    values = value if isinstance(value, list) else [value] if value not in (None, "") else []
    return [i for i in (_int(v) for v in values) if i is not None and 0 < i < 2**31]


# --- the register -----------------------------------------------------------------------


def _page_filters(request: Request) -> tuple[service.Filters, dict[str, str]]:
    """Filters from the query string, leniently: a value that makes no sense is ignored."""
    query = request.query_params
    kept: dict[str, str] = {}

    def choice(name, allowed):
        value = query.get(name, "")
        if value in allowed:
            kept[name] = value
            return value
        return None

    def number(name, low=1, high=2**31 - 1):
        value = _int(query.get(name))
        if value is not None and low <= value <= high:
            kept[name] = str(value)
            return value
        return None

    def day(name):
        try:
            value = date.fromisoformat(query.get(name, ""))
        except ValueError:
            return None
        kept[name] = value.isoformat()
        return value

    levels = {level.value for level in Level}
    overdue = choice("overdue_review", {"true", "false"})
    filters = service.Filters(
        kind=choice("kind", {k.value for k in Kind}),
        level=choice("level", levels),
        min_level=choice("min_level", levels),
        department_id=number("department_id"),
        status=choice("status", {s.value for s in Status}),
        active=choice("active", {"true"}) is not None,
        overdue_review=None if overdue is None else overdue == "true",
        likelihood=number("likelihood", 1, 5),
        impact=number("impact", 1, 5),
        owner_id=number("owner_id"),
        action_owner_id=number("action_owner_id"),
        raised_from=day("raised_from"),
        raised_to=day("raised_to"),
        assessed_from=day("assessed_from"),
        assessed_to=day("assessed_to"),
        closed_from=day("closed_from"),
        closed_to=day("closed_to"),
        action_done_from=day("action_done_from"),
        action_done_to=day("action_done_to"),
        lowered_from=day("lowered_from"),
        lowered_to=day("lowered_to"),
    )
    return filters, kept


@router.get("/risks")
def register(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    filters, kept = _page_filters(request)
    page = max(_int(request.query_params.get("page")) or 1, 1)
    today = settings.today()
    rows, total = service.list_risks(
        session=session,
        by=user,
        filters=filters,
        today=today,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    query = filters.query_string()
    # Filters the form has no field for (from a heat-map cell or a review figure) are
    # carried as hidden fields and named above the table.
    shown = {"kind", "level", "department_id", "status", "overdue_review"}
    return render(
        request,
        "risks/list.html",
        {
            **LABELS,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "filters": kept,
            "hidden_filters": {k: v for k, v in kept.items() if k not in shown},
            "export_query": ("?" + query) if query else "",
            "today": today,
            "year": today.year,
            "people": service.people_named(session=session, ids=[r.owner_id for r in rows]),
            "departments": auth.list_departments(session=session),
            "kinds": list(Kind),
            "levels": [b.level for b in BANDS],
            "statuses": list(Status),
        },
    )


@router.get("/risks/heatmap")
def heatmap_page(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    query = request.query_params
    kind = query.get("kind") if query.get("kind") in {k.value for k in Kind} else None
    department_id = _int(query.get("department_id"))
    if department_id is not None and not 0 < department_id < 2**31:
        department_id = None
    cells = service.heatmap(
        session=session, by=user, today=settings.today(), kind=kind, department_id=department_id
    )
    return render(
        request,
        "risks/heatmap.html",
        {
            **LABELS,
            "rows": [cells[i : i + 5] for i in range(0, 25, 5)],
            "total": sum(c.count for c in cells),
            "filters": {"kind": kind or "", "department_id": str(department_id or "")},
            "kinds": list(Kind),
            "departments": auth.list_departments(session=session),
        },
    )


# --- the context lists ------------------------------------------------------------------


def _context_lists(session, **extra):
    return {
        **LABELS,
        "issues": service.context_issues(session=session),
        "parties": service.interested_parties(session=session),
        "issue_kinds": list(IssueKind),
        "form_name": None,
        **extra,
    }


@router.get("/risks/context")
def context_page(request: Request, session: SessionDep, user: PageUser):
    require(user, "risk.list")
    return render(request, "risks/context.html", _context_lists(session))


@router.post("/risks/context/issues")
async def add_issue(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    data = await form_data(request)
    try:
        service.add_context_issue(
            session=session,
            by=user,
            kind=str(data.get("kind", "")),
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            today=settings.today(),
        )
    except QMSError as exc:
        session.rollback()
        context = _context_lists(session, form=data, form_name="issue")
        return refused(request, "risks/context.html", exc, context)
    return redirect(request, "/risks/context", flash=N_("The context issue was added."))


@router.post("/risks/context/parties")
async def add_party(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    data = await form_data(request)
    try:
        service.add_interested_party(
            session=session,
            by=user,
            name=str(data.get("name", "")),
            requirements=str(data.get("requirements", "")),
            today=settings.today(),
        )
    except QMSError as exc:
        session.rollback()
        context = _context_lists(session, form=data, form_name="party")
        return refused(request, "risks/context.html", exc, context)
    return redirect(request, "/risks/context", flash=N_("The interested party was added."))


# --- entering ---------------------------------------------------------------------------


def _new_context(session, **extra):
    return {
        **LABELS,
        "departments": auth.list_departments(session=session),
        "people": auth.user_names(session=session),
        "kinds": list(Kind),
        "issues": service.context_issues(session=session),
        "parties": service.interested_parties(session=session),
        **extra,
    }


@router.get("/risks/new")
def new_form(request: Request, session: SessionDep, user: PageUser):
    require(user, "risk.raise")
    return render(request, "risks/new.html", _new_context(session))


@router.post("/risks")
async def raise_risk(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    data = await form_data(request)
    try:
        require(user, "risk.raise")
        department_id = _int(data.get("department_id"))
        if department_id is None:
            raise Invalid("Choose the department concerned.", field="department_id")
        owner_id = _int(data.get("owner_id"))
        if owner_id is None:
            raise Invalid("Choose an active person.", field="owner_id")
        risk = service.raise_risk(
            session=session,
            by=user,
            kind=str(data.get("kind", "")),
            title=str(data.get("title", "")),
            department_id=department_id,
            owner_id=owner_id,
            likelihood=_rating(data.get("likelihood"), "likelihood"),
            impact=_rating(data.get("impact"), "impact"),
            cause=str(data.get("cause", "")),
            consequence=str(data.get("consequence", "")),
            process=str(data.get("process", "")),
            clauses=str(data.get("clauses", "")).replace(";", ",").split(","),
            review_on=_date(data.get("review_on"), "review_on", optional=True),
            issue_ids=_ids(data.get("issue_ids")),
            party_ids=_ids(data.get("party_ids")),
            today=settings.today(),
        )
    except QMSError as exc:
        session.rollback()
        return refused(request, "risks/new.html", exc, _new_context(session, form=data))
    return redirect(request, f"/risks/{risk.id}", flash=N_("The entry was added to the register."))


# --- the entry --------------------------------------------------------------------------


def _record_context(session, risk, user, settings, **extra) -> dict:
    today = settings.today()
    history = service.history_of(session=session, risk=risk)
    actions = service.actions_of(session=session, risk=risk)
    people = service.people_named(
        session=session,
        ids=[risk.owner_id, risk.raised_by_id, risk.closed_by_id, risk.treatment_decided_by_id]
        + [h.assessed_by_id for h in history]
        + [a.owner_id for a in actions],
    )
    links = [
        (link, *service.link_label(session=session, link=link))
        for link in service.links_of(session=session, risk=risk)
    ]
    status = Status(risk.status)
    # Exactly the forms this viewer may use now, asked of the actions' own declarations.
    may = allowed_now(FORMS, user, risk, session=session)
    may["complete"] = {
        a.id
        for a in actions
        if COMPLETE_ACTION.refusal(user, risk, session=session, subject=a) is None
    }
    issue_ids = set(service.issue_ids_of(session=session, risk=risk))
    party_ids = set(service.party_ids_of(session=session, risk=risk))
    issues = service.context_issues(session=session)
    parties = service.interested_parties(session=session)
    return {
        **LABELS,
        "risk": risk,
        "today": today,
        "department": auth.get_department(session=session, department_id=risk.department_id),
        "history": history,
        "actions": actions,
        "people": people,
        "links": links,
        "issues": issues,
        "parties": parties,
        "named_issues": [i for i in issues if i.id in issue_ids],
        "named_parties": [p for p in parties if p.id in party_ids],
        "issue_ids": issue_ids,
        "party_ids": party_ids,
        "review_overdue": service.review_overdue(risk, today),
        "treatments": TREATMENTS_FOR[Kind(risk.kind)],
        "targets": list(LinkTarget),
        "relations": list(Relation),
        "active_users": auth.user_names(session=session) if may["plan"] else [],
        "may": may,
        "life": {s.value: status is s for s in Status},
        "form_name": None,
        "form_action_id": None,
        **extra,
    }


@router.get("/risks/{risk_id}")
def record_page(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    return render(
        request,
        "risks/record.html",
        _record_context(session, service.read(by=user, risk=risk), user, settings),
    )


def _refused(request, session, user, settings, risk_id, exc, form_name, data, **extra):
    session.rollback()
    if exc.field not in FORM_FIELDS[form_name]:
        exc.field = None
    risk = service.get_risk(session=session, risk_id=risk_id)
    context = _record_context(
        session, risk, user, settings, form=data, form_name=form_name, **extra
    )
    return refused(request, "risks/record.html", exc, context)


def _done(request, risk_id: int, flash: str):
    return redirect(request, f"/risks/{risk_id}", flash=flash)


@router.post("/risks/{risk_id}/treatment")
async def decide_treatment(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    data = await form_data(request)
    try:
        body = parse(TreatmentDecision, data)
        service.decide_treatment(
            session=session,
            risk=risk,
            by=user,
            treatment=body.treatment.value,
            justification=body.justification,
            version=body.version,
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "treatment", data)
    return _done(request, risk.id, N_("The treatment was recorded."))


@router.post("/risks/{risk_id}/actions")
async def plan_action(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    data = await form_data(request)
    try:
        owner_id = _int(data.get("owner_id"))
        if owner_id is None:
            raise Invalid("Choose who owns the action.", field="owner_id")
        service.plan_action(
            session=session,
            risk=risk,
            by=user,
            description=str(data.get("description", "")),
            owner_id=owner_id,
            due_on=_date(data.get("due_on"), "due_on"),
            today=settings.today(),
            version=_int(data.get("version")),
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "action", data)
    return _done(request, risk.id, N_("The treatment action was planned."))


@router.post("/risk-actions/{action_id}/complete")
async def complete_action(
    request: Request,
    session: SessionDep,
    user: PageUser,
    action: CurrentRiskAction,
    settings: SettingsDep,
):
    data = await form_data(request)
    risk_id = action.risk_id
    try:
        body = parse(ActionCompletion, data)
        service.complete_action(
            session=session,
            action=action,
            by=user,
            evidence=body.evidence,
            today=settings.today(),
            version=body.version,
        )
    except QMSError as exc:
        return _refused(
            request,
            session,
            user,
            settings,
            risk_id,
            exc,
            "complete",
            data,
            form_action_id=action.id,
        )
    return _done(request, risk_id, N_("The treatment action was marked done."))


@router.post("/risks/{risk_id}/assess")
async def reassess(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    data = await form_data(request)
    try:
        service.reassess(
            session=session,
            risk=risk,
            by=user,
            likelihood=_rating(data.get("likelihood"), "likelihood"),
            impact=_rating(data.get("impact"), "impact"),
            comment=str(data.get("comment", "")),
            review_on=_date(data.get("review_on"), "review_on", optional=True),
            today=settings.today(),
            version=_int(data.get("version")),
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "assess", data)
    return _done(request, risk.id, N_("The re-assessment was recorded."))


@router.post("/risks/{risk_id}/close")
async def close(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    data = await form_data(request)
    try:
        body = parse(RiskClosure, data)
        service.close(
            session=session,
            risk=risk,
            by=user,
            reason=body.reason,
            today=settings.today(),
            version=body.version,
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "close", data)
    return _done(request, risk.id, N_("The entry was closed."))


@router.post("/risks/{risk_id}/links")
async def add_link(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    data = await form_data(request)
    try:
        target_id = _int(data.get("target_id"))
        if target_id is None:
            raise Invalid("Enter the number of the record to link.", field="target_id")
        service.add_link(
            session=session,
            risk=risk,
            by=user,
            target=str(data.get("target", "")),
            target_id=target_id,
            relation=str(data.get("relation", "")),
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "link", data)
    return _done(request, risk.id, N_("The link was added."))


@router.post("/risks/{risk_id}/links/{link_id}/delete")
async def remove_link(
    request: Request,
    link_id: IdPath,
    session: SessionDep,
    user: PageUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        service.remove_link(
            session=session,
            risk=risk,
            by=user,
            link_id=link_id,
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "unlink", data)
    return _done(request, risk.id, N_("The link was removed."))


@router.post("/risks/{risk_id}/context")
async def name_context(
    request: Request, session: SessionDep, user: PageUser, risk: CurrentRisk, settings: SettingsDep
):
    data = await form_data(request)
    try:
        service.name_context(
            session=session,
            risk=risk,
            by=user,
            issue_ids=_ids(data.get("issue_ids")),
            party_ids=_ids(data.get("party_ids")),
            version=_int(data.get("version")),
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, risk.id, exc, "context", data)
    return _done(request, risk.id, N_("The context of the entry was saved."))


# --- the home page ----------------------------------------------------------------------


@work_provider
def risk_work(session, user, today: date, limit: int) -> list[WorkList]:
    part = service.actions_to_complete(session=session, user=user, today=today, limit=limit)
    kind = N_("Complete the treatment action")
    items = [
        WorkItem(
            kind,
            _short(action.description),
            f"/risks/{risk.id}#action-{action.id}",
            due_on=action.due_on,
            code=risk.code,
        )
        for action, risk in part.rows
    ]
    url = f"/risks?status=treating&action_owner_id={user.id}"
    lists = [WorkList(kind, items, part.total, url, part.overdue)]
    if user.has_role(Role.manager, Role.quality_officer):
        part = service.reviews_to_do(session=session, user=user, today=today, limit=limit)
        kind = N_("Review the register entry")
        items = [
            WorkItem(
                kind, _short(r.title), f"/risks/{r.id}#assess", due_on=r.review_on, code=r.code
            )
            for r in part.rows
        ]
        url = f"/risks?owner_id={user.id}&active=true&overdue_review=true"
        lists.append(WorkList(kind, items, part.total, url, part.overdue))
    return lists
