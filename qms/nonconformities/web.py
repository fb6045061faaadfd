"""Pages: the register, raising one, the record with the forms its viewer may use, and the
nonconformity work on the home page."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from functools import partial
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qms.auth import service as auth
from qms.auth.models import Role
from qms.auth.permissions import require
from qms.deps import PageUser, SessionDep, SettingsDep
from qms.errors import NotFound, QMSError
from qms.forms import parse
from qms.home.service import Panel, WorkItem, WorkList, panel_provider, work_provider
from qms.i18n import N_
from qms.nonconformities import service
from qms.nonconformities.deps import CurrentAction, CurrentNonconformity
from qms.nonconformities.models import (
    METHOD_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    ActionCompletion,
    ActionCreate,
    Cancellation,
    CheckResult,
    Closure,
    Investigation,
    NonconformityCreate,
    Severity,
    Source,
    Verification,
)
from qms.nonconformities.states import (
    CHECK_EFFECTIVE,
    COMPLETE_ACTION,
    FORMS,
    STATUS_LABELS,
    Status,
)
from qms.pages import NavItem, form_data, redirect, refused, render, verify_csrf
from qms.risks import service as risks
from qms.trail.labels import register_values
from qms.workflow import allowed_now

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# The trail shows these coded fields by their labels.
register_values("nonconformity", "status", STATUS_LABELS)
register_values("nonconformity", "source", SOURCE_LABELS)
register_values("nonconformity", "severity", SEVERITY_LABELS)
register_values("nonconformity", "root_cause_method", METHOD_LABELS)
NAV = [NavItem(N_("Nonconformities"), "/nonconformities", "nonconformity.list")]
PAGE_SIZE = 25

LABELS = {
    "status_labels": STATUS_LABELS,
    "source_labels": SOURCE_LABELS,
    "severity_labels": SEVERITY_LABELS,
    "method_labels": METHOD_LABELS,
    "result_labels": RESULT_LABELS,
}

# The fields each form on the record page shows a message beside; anything else is said
# at the top of the page.
FORM_FIELDS = {
    "investigate": {"containment", "root_cause_method", "root_cause"}
    | {f"whys.{i}" for i in range(5)},
    "action": {"description", "owner_id", "due_on"},
    "complete": {"evidence", "file"},
    "verify": {"result", "comment"},
    "close": {"password"},
    "cancel": {"reason"},
}


def _short(text: str) -> str:
    """A description cut for a one-line list, at a word, marked with an ellipsis."""
    return textwrap.shorten(text, width=120, placeholder="…")


def _today(settings) -> date:
    return datetime.now(settings.tz).date()


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


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

    def number(name):
        value = _int(query.get(name))
        if value is not None and 0 < value < 2**31:
            kept[name] = str(value)
            return value
        return None

    clause = query.get("clause", "").strip()
    if clause and service.CLAUSE.match(clause):
        kept["clause"] = clause
    else:
        clause = None
    overdue = choice("overdue", {"true", "false"})

    def day(name):
        try:
            value = date.fromisoformat(query.get(name, "").strip())
        except ValueError:
            return None
        kept[name] = value.isoformat()
        return value

    words = " ".join(query.get("q", "").replace("\x00", "").split())[:100]
    if words:
        kept["q"] = words
    filters = service.Filters(
        raised_from=day("raised_from"),
        raised_to=day("raised_to"),
        check_result=choice("check_result", {r.value for r in CheckResult}),
        q=words or None,
        status=choice("status", {s.value for s in Status}),
        department_id=number("department_id"),
        audit_id=number("audit_id"),
        source=choice("source", {s.value for s in Source}),
        severity=choice("severity", {s.value for s in Severity}),
        clause=clause,
        owner_id=number("owner_id"),
        action_owner_id=number("action_owner_id"),
        overdue=None if overdue is None else overdue == "true",
        active=choice("active", {"true"}) is not None,
    )
    return filters, kept


@router.get("/nonconformities")
def register(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "nonconformity.list")
    filters, kept = _page_filters(request)
    page = max(_int(request.query_params.get("page")) or 1, 1)
    today = _today(settings)
    rows, total = service.list_nonconformities(
        session=session,
        filters=filters,
        today=today,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    ids = [nc.id for nc in rows]
    query = urlencode(kept)
    return render(
        request,
        "nonconformities/list.html",
        {
            **LABELS,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "filters": kept,
            "export_query": ("?" + query) if query else "",
            "overdue": service.overdue_ids(session=session, ids=ids, today=today),
            # Days open, of those still to be dealt with.
            "ages": {
                nc.id: service.age_days(nc, today=today, tz=settings.tz)
                for nc in rows
                if nc.status in service.ACTIVE
            },
            "people": service.people_named(session=session, ids=[nc.owner_id for nc in rows]),
            "departments": auth.list_departments(session=session),
            "managers": auth.list_users(session=session, role=Role.manager, active_only=False),
            "statuses": list(Status),
            "sources": list(Source),
            "severities": list(Severity),
        },
    )


# --- raising ----------------------------------------------------------------------------


def _documents_in_force(session):
    """Documents a nonconformity may name: those not withdrawn, by code."""
    from qms.documents import service as documents

    return documents.all_documents(session=session)  # the register's default: not obsolete


def _documents_named(session, ids):
    from qms.documents import service as documents
    from qms.errors import NotFound

    found = []
    for document_id in ids:
        try:
            found.append(documents.get_document(session=session, document_id=document_id))
        except NotFound:
            continue
    return found


def _uploads(data: dict) -> list[UploadFile]:
    """The files a form sent under `files` (taken out of what is shown again)."""
    sent = data.pop("files", [])
    return [
        u
        for u in (sent if isinstance(sent, list) else [sent])
        if isinstance(u, UploadFile) and u.filename
    ]


def _raise_context(session, settings, **extra):
    return {
        **LABELS,
        "today": _today(settings),
        "documents": _documents_in_force(session),
        "departments": auth.list_departments(session=session),
        "managers": auth.list_users(session=session, role=Role.manager),
        "sources": list(Source),
        "severities": list(Severity),
        **extra,
    }


@router.get("/nonconformities/new")
def raise_form(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "nonconformity.raise")
    return render(request, "nonconformities/new.html", _raise_context(session, settings))


@router.post("/nonconformities")
async def raise_nonconformity(
    request: Request, session: SessionDep, user: PageUser, settings: SettingsDep
):
    data = await form_data(request)
    uploads = _uploads(data)
    try:
        body = parse(NonconformityCreate, data)
        nc = service.raise_nonconformity(
            session=session,
            by=user,
            today=_today(settings),
            uploads=[(u.filename, u.file) for u in uploads],
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
            **body.model_dump(),
        )
    except QMSError as exc:
        session.rollback()
        context = _raise_context(session, settings, form=data)
        return refused(request, "nonconformities/new.html", exc, context)
    return redirect(request, f"/nonconformities/{nc.id}", flash=N_("The nonconformity was raised."))


# --- the record -------------------------------------------------------------------------


def _audit_code(session, audit_id: int | None) -> str | None:
    """The code (IA-2026-02) of the audit that found it, as every page names an audit."""
    if audit_id is None:
        return None
    from qms.audits import service as audits  # the audits domain raises nonconformities

    try:
        return audits.get_audit(session=session, audit_id=audit_id).code
    except NotFound:
        return None


def _record_context(session, nc, user, settings, **extra) -> dict:
    today = _today(settings)
    actions = service.actions_of(session=session, nc=nc)
    checks = service.checks_of(session=session, nc=nc)
    people = service.people_named(
        session=session,
        ids=[nc.owner_id, nc.reporter_id, nc.closed_by_id, nc.cancelled_by_id]
        + [a.owner_id for a in actions]
        + [c.verifier_id for c in checks],
    )
    ready = service.is_ready_to_close(session=session, nc=nc)
    attached = service.files_of(session=session, actions=actions)
    finding_files = service.finding_files(session=session, nc=nc)
    # The signed content is hashed from what this page already loaded (not read twice).
    signature, signature_state = service.closure_signature(
        session=session,
        nc=nc,
        actions=actions,
        attached=attached,
        checks=checks,
        found=finding_files,
    )
    # Exactly the forms this viewer may use now, asked of the actions' own declarations.
    may = allowed_now(FORMS, user, nc, session=session)
    may["complete"] = {
        a.id
        for a in actions
        if COMPLETE_ACTION.refusal(user, nc, session=session, subject=a) is None
    }
    verify_refused = CHECK_EFFECTIVE.refusal(user, nc, session=session)
    status = Status(nc.status)
    return {
        **LABELS,
        "nc": nc,
        "today": today,
        "department": auth.get_department(session=session, department_id=nc.department_id),
        "audit_code": _audit_code(session, nc.audit_id),
        "actions": actions,
        "attached": attached,
        "finding_files": finding_files,
        "checks": checks,
        "people": people,
        "signature": signature,
        "signature_state": signature_state,
        "documents": _documents_named(session, service.document_ids_of(session=session, nc=nc)),
        "age": service.age_days(nc, today=today, tz=settings.tz),
        "overdue": nc.id in service.overdue_ids(session=session, ids=[nc.id], today=today),
        "ready": ready,
        "active": status in service.ACTIVE,
        "verifying": status is Status.verifying,
        # Who may own an action: only for the form that asks, and only their names (not
        # every user loaded with their roles on every view of the record).
        "active_users": auth.user_names(session=session) if may["plan"] else [],
        "methods": list(METHOD_LABELS),
        "may": may,
        "verifier_owns_action": verify_refused is not None and verify_refused.field == "verifier",
        "form_name": None,
        "form_action_id": None,
        # The register entries this nonconformity revealed or realised (risks domain).
        "linked_risks_rows": risks.linked_to_nonconformity(session=session, nonconformity_id=nc.id),
        **extra,
    }


@router.get("/nonconformities/{nonconformity_id}")
def record_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    require(user, "nonconformity.read")
    return render(
        request, "nonconformities/record.html", _record_context(session, nc, user, settings)
    )


def _refused(request, session, user, settings, nc, exc, form_name, data, **extra):
    session.rollback()
    for each in getattr(exc, "errors", None) or [exc]:
        if each.field not in FORM_FIELDS[form_name]:
            each.field = None
    context = _record_context(session, nc, user, settings, form=data, form_name=form_name, **extra)
    return refused(request, "nonconformities/record.html", exc, context)


def _done(request, nonconformity_id: int, flash: str):
    return redirect(request, f"/nonconformities/{nonconformity_id}", flash=flash)


@router.post("/nonconformities/{nonconformity_id}/investigate")
async def investigate(
    request: Request,
    session: SessionDep,
    user: PageUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(Investigation, data)
        service.investigate(session=session, nc=nc, by=user, **body.model_dump())
    except QMSError as exc:
        return _refused(request, session, user, settings, nc, exc, "investigate", data)
    return _done(request, nc.id, N_("The investigation was recorded."))


@router.post("/nonconformities/{nonconformity_id}/actions")
async def plan_action(
    request: Request,
    session: SessionDep,
    user: PageUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(ActionCreate, data)
        service.plan_action(
            session=session, nc=nc, by=user, today=_today(settings), **body.model_dump()
        )
    except QMSError as exc:
        return _refused(request, session, user, settings, nc, exc, "action", data)
    return _done(request, nc.id, N_("The corrective action was planned."))


@router.post("/corrective-actions/{action_id}/complete")
async def complete_action(
    request: Request,
    session: SessionDep,
    user: PageUser,
    action: CurrentAction,
    settings: SettingsDep,
):
    data = await form_data(request)
    uploads = _uploads(data)
    nc = service.get_nonconformity(session=session, nonconformity_id=action.nonconformity_id)
    try:
        body = parse(ActionCompletion, data)
        service.complete_action(
            session=session,
            action=action,
            by=user,
            evidence=body.evidence,
            version=body.version,
            today=_today(settings),
            check_days=settings.effectiveness_check_days,
            # Streamed from the request's spooled files into the store, a chunk at a time.
            uploads=[(u.filename, u.file) for u in uploads],
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
        )
    except QMSError as exc:
        return _refused(
            request, session, user, settings, nc, exc, "complete", data, form_action_id=action.id
        )
    return _done(request, nc.id, N_("The corrective action was marked done."))


@router.post("/nonconformities/{nonconformity_id}/verify")
async def verify(
    request: Request,
    session: SessionDep,
    user: PageUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(Verification, data)
        service.verify(session=session, nc=nc, by=user, today=_today(settings), **body.model_dump())
    except QMSError as exc:
        return _refused(request, session, user, settings, nc, exc, "verify", data)
    return _done(request, nc.id, N_("The effectiveness check was recorded."))


@router.post("/nonconformities/{nonconformity_id}/close")
async def close(
    request: Request,
    session: SessionDep,
    user: PageUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(Closure, data)
        data.pop("password", None)  # never shown again
        # Off the event loop: closing renders and signs the kept form.
        await run_in_threadpool(
            partial(
                service.close,
                session=session,
                nc=nc,
                by=user,
                settings=settings,
                **body.model_dump(),
            )
        )
    except QMSError as exc:
        data.pop("password", None)
        return _refused(request, session, user, settings, nc, exc, "close", data)
    return _done(request, nc.id, N_("The nonconformity was closed and signed."))


@router.post("/nonconformities/{nonconformity_id}/cancel")
async def cancel(
    request: Request,
    session: SessionDep,
    user: PageUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(Cancellation, data)
        service.cancel(session=session, nc=nc, by=user, **body.model_dump())
    except QMSError as exc:
        return _refused(request, session, user, settings, nc, exc, "cancel", data)
    return _done(request, nc.id, N_("The nonconformity was cancelled."))


# --- the home page ----------------------------------------------------------------------


OWNER_WORK = {
    Status.open: N_("Investigate the nonconformity"),
    Status.investigating: N_("Plan the corrective actions"),
    Status.action_planned: N_("Plan new corrective actions"),
}


@work_provider
def nonconformity_work(session, user, today: date, limit: int) -> list[WorkList]:
    lists = []
    part = service.owned_needing_work(session=session, user=user, limit=limit)
    items = [
        WorkItem(
            OWNER_WORK[Status(nc.status)],
            _short(nc.description),
            f"/nonconformities/{nc.id}",
            code=nc.code,
        )
        for nc in part.rows
    ]
    url = f"/nonconformities?owner_id={user.id}&active=true"
    lists.append(WorkList(N_("Nonconformities you own"), items, part.total, url, part.overdue))
    part = service.actions_to_complete(session=session, user=user, today=today, limit=limit)
    kind = N_("Complete the corrective action")
    items = [
        WorkItem(
            kind,
            _short(action.description),
            f"/nonconformities/{nc.id}#action-{action.id}",
            due_on=action.due_on,
            code=nc.code,
        )
        for action, nc in part.rows
    ]
    url = f"/nonconformities?status=action_planned&action_owner_id={user.id}"
    lists.append(WorkList(kind, items, part.total, url, part.overdue))
    part = service.checks_to_record(session=session, user=user, today=today, limit=limit)
    kind = N_("Check the effectiveness of the actions")
    items = [
        WorkItem(
            kind,
            _short(nc.description),
            f"/nonconformities/{nc.id}#verify",
            due_on=nc.check_due_on,
            code=nc.code,
        )
        for nc in part.rows
    ]
    lists.append(
        WorkList(kind, items, part.total, "/nonconformities?status=verifying", part.overdue)
    )
    part = service.to_close(session=session, user=user, limit=limit)
    kind = N_("Close the nonconformity")
    items = [
        WorkItem(kind, _short(nc.description), f"/nonconformities/{nc.id}#close", code=nc.code)
        for nc in part.rows
    ]
    url = f"/nonconformities?status=verifying&department_id={user.department_id}"
    lists.append(WorkList(kind, items, part.total, url, part.overdue))
    return lists


@panel_provider
def nonconformity_panels(session, user, today: date) -> list[Panel]:
    if not user.has_role(Role.quality_officer):
        return []
    bands = service.open_by_age_band(session=session, today=today)
    departments = service.open_by_department(session=session)
    return [
        Panel(
            N_("Open nonconformities by age (days)"),
            list(bands),
            url="/nonconformities",
        ),
        Panel(
            N_("Open nonconformities by department"),
            [(d.name, n) for d, n in departments] or [(N_("None open"), 0)],
            url="/nonconformities",
        ),
    ]
