"""Pages: the audit programme and list, planning an audit, the audit record with its state
buttons, the checklist filled item by item, and the checklist templates."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from math import ceil
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qms.audits import checklists, findings, service
from qms.audits.deps import CurrentAttachment, CurrentAudit, CurrentItem
from qms.audits.models import (
    RESULT_LABELS,
    Audit,
    CancelAudit,
    CloseAudit,
    ItemAnswer,
    ProgrammeCreate,
    ProgrammeUpdate,
    ReportCreate,
    Result,
    Transition,
)
from qms.audits.states import ANSWER, FORMS, PROGRAMME_LABELS, STATUS_LABELS, AuditStatus
from qms.auth import service as auth
from qms.auth.models import Role
from qms.auth.permissions import require
from qms.deps import MAX_ID, DayQuery, PageUser, SessionDep, SettingsDep
from qms.errors import Invalid, NotFound, Problems, QMSError, StaleVersion
from qms.forms import parse
from qms.home.service import Panel, WorkItem, WorkList, panel_provider, work_provider
from qms.i18n import N_
from qms.pages import (
    NavItem,
    form_data,
    gettext_for,
    redirect,
    refused,
    render,
    request_lang,
    verify_csrf,
)
from qms.risks import service as risks
from qms.trail.labels import register_values
from qms.workflow import allowed_now

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# The trail shows these coded fields by their labels.
register_values("audit", "status", STATUS_LABELS)
register_values("checklist_item", "result", RESULT_LABELS)

NAV = [NavItem(N_("Audits"), "/audits", "audit.list")]
PAGE_SIZE = 25
# Planned audits show on the home page of those concerned this many days ahead.
COMING_DAYS = 30


def _int(value, field: str, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(message, field=field) from None
    if not 1 <= number <= MAX_ID:
        raise Invalid(message, field=field)
    return number


def _ints(value, field: str) -> list[int]:
    values = value if isinstance(value, list) else [value] if value not in (None, "") else []
    return [_int(v, field, N_("Choose people from the list.")) for v in values]


def _date(value, field: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid("Enter a date (day, month, year).", field=field) from None


def _strings(value) -> list[str]:
    return value if isinstance(value, list) else [value] if value else []


# --- home -------------------------------------------------------------------------------


@work_provider
def audit_work(session, user, today: date, limit: int) -> list[WorkList]:
    """Audits coming, checklists to fill, reports to issue, audits ready to close."""
    lists = []
    part = service.coming_audits(
        session=session,
        user=user,
        until=today + timedelta(days=COMING_DAYS),
        today=today,
        limit=limit,
    )
    items = []
    for audit in part.rows:
        if user.id == audit.lead_auditor_id:
            kind = N_("Start the audit")
        elif user.id in audit.team_ids:
            kind = N_("Prepare the audit")
        else:
            kind = N_("Your department will be audited")
        items.append(
            WorkItem(kind, audit.title, f"/audits/{audit.id}", audit.planned_start_on, audit.code)
        )
    url = "/audits?status=planned"
    lists.append(WorkList(N_("Audits coming"), items, part.total, url, part.overdue))

    part = service.audits_to_work_on(session=session, user=user, today=today, limit=limit)
    done = service.progress(session=session, audit_ids=[a.id for a in part.rows])
    items = []
    for audit in part.rows:
        answered, total = done[audit.id]
        if answered < total:
            kind, title = N_("Fill the checklist"), f"{audit.title} ({answered}/{total})"
            url = f"/audits/{audit.id}/checklist?show=open"
        else:
            kind, title, url = (
                N_("Issue the audit report"),
                audit.title,
                f"/audits/{audit.id}#report",
            )
        items.append(WorkItem(kind, title, url, audit.planned_end_on, audit.code))
    url = "/audits?status=in_progress"
    lists.append(WorkList(N_("Audits in progress"), items, part.total, url, part.overdue))

    part = service.audits_to_close(session=session, user=user, limit=limit)
    kind = N_("Close the audit")
    items = [
        WorkItem(kind, audit.title, f"/audits/{audit.id}#close", None, audit.code)
        for audit in part.rows
    ]
    lists.append(WorkList(kind, items, part.total, "/audits?status=reported", part.overdue))
    return lists


@panel_provider
def audit_panel(session, user, today: date) -> list[Panel]:
    if not user.has_role(Role.quality_officer):
        return []
    counts = service.counts_by_status(session=session, year=today.year)
    return [
        Panel(
            N_("Audit programme of this year"),
            [(STATUS_LABELS[status], counts.get(status.value, 0)) for status in AuditStatus],
            f"/audit-programmes/{today.year}",
        )
    ]


# --- list and programme -----------------------------------------------------------------


def _audit_rows(session, audits):
    leads = service.people(session=session, ids=[a.lead_auditor_id for a in audits])
    done = service.progress(session=session, audit_ids=[a.id for a in audits])
    return [(a, leads.get(a.lead_auditor_id), done[a.id]) for a in audits]


@router.get("/audits")
def audits_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    year: int | None = Query(default=None, ge=2000, le=2100),
    status: AuditStatus | None = None,
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    q: str | None = Query(default=None, max_length=100),
    reported_from: DayQuery = None,
    reported_to: DayQuery = None,
    finding: Result | None = None,
    page: int = Query(default=1, ge=1, le=100_000),
):
    # A period of reports (a management review's figure) spans years: no year unless asked.
    by_period = reported_from is not None or reported_to is not None
    filters = service.AuditFilters(
        year=year if by_period else year or settings.today().year,
        status=status.value if status else None,
        department_id=department_id,
        q=q or None,
        reported_from=reported_from,
        reported_to=reported_to,
        finding=finding.value if finding else None,
    )
    year = year or settings.today().year
    audits, total = service.list_audits(
        session=session,
        user=user,
        filters=filters,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    programmes = service.list_programmes(session=session)
    programme = next((p for p in programmes if p.year == year), None)
    # The exports take the list's filters as applied (the year shown included).
    export = {
        "year": filters.year,
        "status": filters.status,
        "department_id": department_id,
        "q": q,
        "reported_from": reported_from,
        "reported_to": reported_to,
        "finding": filters.finding,
    }
    export_query = urlencode({k: v for k, v in export.items() if v not in (None, "")})
    return render(
        request,
        "audits/list.html",
        {
            "export_query": "?" + export_query if export_query else "",
            "rows": _audit_rows(session, audits),
            "total": total,
            "page": page,
            "pages": max(1, ceil(total / PAGE_SIZE)),
            "year": year,
            "years": sorted({p.year for p in programmes} | {year}, reverse=True),
            "programme": programme,
            "not_covered": service.departments_without_audit(session=session, year=year),
            "filters": {
                "status": status.value if status else "",
                "department_id": department_id or "",
                "q": q or "",
                "reported_from": reported_from.isoformat() if reported_from else "",
                "reported_to": reported_to.isoformat() if reported_to else "",
                "finding": finding.value if finding else "",
            },
            "by_period": by_period,
            "findings": [
                Result.major_nc,
                Result.minor_nc,
                Result.observation,
                Result.improvement,
            ],
            "result_labels": RESULT_LABELS,
            "departments": {d.id: d for d in auth.list_departments(session=session)},
            "statuses": list(AuditStatus),
            "status_labels": STATUS_LABELS,
        },
    )


def _programme_context(session, user, year: int, **extra):
    programmes = service.read_programmes(session=session, by=user)
    programme = next((p for p in programmes if p.year == year), None)
    audits = service.programme_audits(session=session, programme=programme) if programme else []
    departments = auth.list_departments(session=session)
    grid = {d.id: {q: [] for q in (1, 2, 3, 4)} for d in departments}
    for audit in audits:
        grid.setdefault(audit.department_id, {q: [] for q in (1, 2, 3, 4)})[audit.quarter].append(
            audit
        )
    return {
        "year": year,
        "programme": programme,
        "programme_status": service.programme_status(audits) if programme else None,
        "not_covered": service.departments_without_audit(session=session, year=year),
        "audits": audits,
        "departments": departments,
        "grid": grid,
        "status_labels": STATUS_LABELS,
        "programme_labels": PROGRAMME_LABELS,
        **extra,
    }


@router.get("/audit-programmes/{year}")
def programme_page(
    request: Request,
    year: int,
    session: SessionDep,
    user: PageUser,
):
    context = _programme_context(session, user, year)
    if not 2000 <= year <= 2100:
        raise NotFound("There is no audit programme for %(year)s.", year=year)
    return render(request, "audits/programme.html", context)


@router.post("/audit-programmes")
async def create_programme(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        body = parse(ProgrammeCreate, data)
        service.create_programme(session=session, by=user, **body.model_dump())
    except QMSError as exc:
        session.rollback()
        if exc.status == 403:
            raise
        return refused(
            request,
            "audits/programme.html",
            exc,
            _programme_context(session, user, _safe_year(data.get("year")), form=data),
        )
    return redirect(
        request, f"/audit-programmes/{body.year}", flash=N_("The audit programme was saved.")
    )


def _safe_year(value) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return date.today().year
    return year if 2000 <= year <= 2100 else date.today().year


@router.post("/audit-programmes/{year}")
async def update_programme(request: Request, year: int, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        programme = service.get_programme(session=session, year=year)
        body = parse(ProgrammeUpdate, data)
        service.update_programme(session=session, by=user, programme=programme, **body.model_dump())
    except QMSError as exc:
        session.rollback()
        if exc.status in (403, 404):
            raise
        return refused(
            request,
            "audits/programme.html",
            exc,
            _programme_context(session, user, year, form=data),
        )
    return redirect(
        request, f"/audit-programmes/{year}", flash=N_("The audit programme was saved.")
    )


# --- planning ---------------------------------------------------------------------------


def _plan_context(session, **extra):
    found = checklists.catalogue()
    return {
        "departments": auth.list_departments(session=session),
        "auditors": service.auditors(session=session),
        "templates": list(found.templates.values()),
        **extra,
    }


PLAN_REQUIRED = {
    "department_id": N_("Choose the audited department."),
    "lead_auditor_id": N_("Choose the lead auditor."),
    "planned_start_on": N_("Enter a date (day, month, year)."),
    "planned_end_on": N_("Enter a date (day, month, year)."),
}


def _blank_or(value, parse, *args):
    """None for a field left empty (the service names it with the others), else parsed."""
    return None if value in (None, "") else parse(value, *args)


def _plan_fields(data) -> dict:
    return {
        "title": str(data.get("title", "")),
        "scope": str(data.get("scope", "")),
        "criteria": str(data.get("criteria", "")),
        "department_id": _blank_or(
            data.get("department_id"),
            _int,
            "department_id",
            N_("Choose the audited department."),
        ),
        "lead_auditor_id": _blank_or(
            data.get("lead_auditor_id"),
            _int,
            "lead_auditor_id",
            N_("Choose the lead auditor."),
        ),
        "auditor_ids": _ints(data.get("auditor_ids"), "auditor_ids"),
        "planned_start_on": _blank_or(data.get("planned_start_on"), _date, "planned_start_on"),
        "planned_end_on": _blank_or(data.get("planned_end_on"), _date, "planned_end_on"),
        "template_keys": _strings(data.get("template_keys")),
    }


@router.get("/audits/new")
def new_audit_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
):
    require(user, "audit.create")
    start = settings.today() + timedelta(days=14)
    form = {
        "planned_start_on": start.isoformat(),
        "planned_end_on": (start + timedelta(days=1)).isoformat(),
        "template_keys": ["iso9001-2015"],
    }
    if department_id is not None:
        # From the programme's warning about a department not yet audited this year.
        form["department_id"] = str(department_id)
    return render(request, "audits/plan.html", _plan_context(session, form=form, audit=None))


@router.post("/audits")
async def create_audit(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    require(user, "audit.create")
    try:
        audit = service.create_audit(session=session, by=user, **_plan_fields(data))
    except QMSError as exc:
        session.rollback()
        return refused(
            request, "audits/plan.html", exc, _plan_context(session, form=data, audit=None)
        )
    return redirect(request, f"/audits/{audit.id}", flash=N_("The audit was planned."))


@router.get("/audits/{audit_id}/edit")
def edit_audit_page(request: Request, user: PageUser, audit: CurrentAudit, session: SessionDep):
    require(user, "audit.update", audit)
    form = {
        "title": audit.title,
        "scope": audit.scope,
        "criteria": audit.criteria,
        "department_id": str(audit.department_id),
        "lead_auditor_id": str(audit.lead_auditor_id),
        "auditor_ids": [str(i) for i in audit.auditor_ids],
        "planned_start_on": audit.planned_start_on.isoformat(),
        "planned_end_on": audit.planned_end_on.isoformat(),
        "template_keys": audit.template_keys,
        "version": str(audit.version),
    }
    return render(request, "audits/plan.html", _plan_context(session, form=form, audit=audit))


@router.post("/audits/{audit_id}/edit")
async def edit_audit(request: Request, user: PageUser, audit: CurrentAudit, session: SessionDep):
    data = await form_data(request)
    require(user, "audit.update", audit)
    try:
        fields = _plan_fields(data)
        if audit.status != AuditStatus.planned.value:
            # Started: the auditee and templates are fixed and not on the form.
            fields.pop("department_id")
            fields.pop("template_keys")
        problems = Problems()
        for name, message in PLAN_REQUIRED.items():
            if name in fields and fields[name] is None:
                problems.add(message, field=name)
        problems.raise_any()
        version = parse(Transition, data).version
        service.update_audit(session=session, by=user, audit=audit, version=version, **fields)
    except QMSError as exc:
        session.rollback()
        return refused(
            request, "audits/plan.html", exc, _plan_context(session, form=data, audit=audit)
        )
    return redirect(request, f"/audits/{audit.id}", flash=N_("The audit plan was saved."))


# --- the audit record -------------------------------------------------------------------


def _record_context(session, audit: Audit, user, **extra) -> dict:
    team = service.people(session=session, ids=[audit.lead_auditor_id, *audit.auditor_ids])
    answered, total = service.progress(session=session, audit_ids=[audit.id])[audit.id]
    raised = findings.for_audit(session=session, audit=audit)
    owners = service.people(session=session, ids=[nc.owner_id for nc in raised])
    signature, signature_state = service.report_signature(session=session, audit=audit)
    return {
        "audit": audit,
        "department": auth.get_department(session=session, department_id=audit.department_id),
        "lead": team.get(audit.lead_auditor_id),
        "team": [team[i] for i in audit.auditor_ids if i in team],
        "answered": answered,
        "total": total,
        "nonconformities": raised,
        "owners": owners,
        "unsettled": [nc for nc in raised if nc.status not in findings.SETTLED],
        "signature": signature,
        "signature_state": signature_state,
        "nc_status": findings.status_label,
        "checklists": service.checklists_of(session=session, audit=audit),
        "status_labels": STATUS_LABELS,
        "templates": checklists.catalogue().templates,
        # The register entries its findings revealed or realised (risks domain).
        "linked_risks_rows": risks.linked_to_audit(session=session, audit_id=audit.id),
        # Exactly the forms this viewer may use now, asked of the actions' own declarations.
        "may": allowed_now(FORMS, user, audit, session=session),
        **extra,
    }


@router.get("/audits/{audit_id}")
def audit_page(request: Request, user: PageUser, audit: CurrentAudit, session: SessionDep):
    service.read_audit(session=session, by=user, audit=audit)
    return render(request, "audits/record.html", _record_context(session, audit, user))


def _transition_refused(request, session, user, audit: Audit, exc: QMSError, data: dict):
    session.rollback()
    if exc.status in (403, 404):
        raise exc
    return refused(
        request, "audits/record.html", exc, _record_context(session, audit, user, form=data)
    )


@router.post("/audits/{audit_id}/start")
async def start_audit(request: Request, user: PageUser, audit: CurrentAudit, session: SessionDep):
    data = await form_data(request)
    try:
        body = parse(Transition, data)
        await run_in_threadpool(
            partial(service.start_audit, session=session, by=user, audit=audit, **body.model_dump())
        )
    except QMSError as exc:
        return _transition_refused(request, session, user, audit, exc, data)
    return redirect(request, f"/audits/{audit.id}/checklist", flash=N_("The audit has started."))


@router.post("/audits/{audit_id}/report")
async def report_audit(
    request: Request,
    user: PageUser,
    audit: CurrentAudit,
    session: SessionDep,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(ReportCreate, data)
        await run_in_threadpool(
            partial(
                service.report_audit,
                session=session,
                by=user,
                audit=audit,
                settings=settings,
                **body.model_dump(),
            )
        )
    except QMSError as exc:
        data.pop("password", None)
        return _transition_refused(request, session, user, audit, exc, data)
    return redirect(
        request, f"/audits/{audit.id}", flash=N_("The audit report was signed and its PDF kept.")
    )


@router.post("/audits/{audit_id}/close")
async def close_audit(request: Request, user: PageUser, audit: CurrentAudit, session: SessionDep):
    data = await form_data(request)
    try:
        body = parse(CloseAudit, data)
        service.close_audit(session=session, by=user, audit=audit, **body.model_dump())
    except QMSError as exc:
        return _transition_refused(request, session, user, audit, exc, data)
    return redirect(request, f"/audits/{audit.id}", flash=N_("The audit was closed."))


@router.post("/audits/{audit_id}/cancel")
async def cancel_audit(request: Request, user: PageUser, audit: CurrentAudit, session: SessionDep):
    data = await form_data(request)
    try:
        body = parse(CancelAudit, data)
        service.cancel_audit(session=session, by=user, audit=audit, **body.model_dump())
    except QMSError as exc:
        return _transition_refused(request, session, user, audit, exc, data)
    return redirect(request, f"/audits/{audit.id}", flash=N_("The audit was cancelled."))


# --- the checklist ----------------------------------------------------------------------


def _checklist_context(session, audit: Audit, user, lang: str, show: str, **extra) -> dict:
    items = service.items_of(session=session, audit=audit)
    attachments = service.attachments_of(session=session, item_ids=[i.id for i in items])
    raised = findings.by_item(session=session, audit=audit)
    groups = []
    for checklist in service.checklists_of(session=session, audit=audit):
        own = [i for i in items if i.checklist_id == checklist.id]
        sections: list[dict] = []
        for item in own:
            if (
                not sections
                or sections[-1]["clause"] != item.clause
                or (sections[-1]["title"] != item.section_title(lang))
            ):
                sections.append(
                    {"clause": item.clause, "title": item.section_title(lang), "items": []}
                )
            sections[-1]["items"].append(item)
        for number, section in enumerate(sections):
            section["anchor"] = f"s-{checklist.id}-{number}"
            section["answered"] = sum(1 for i in section["items"] if i.result)
            section["total"] = len(section["items"])
            if show == "open":
                section["items"] = [i for i in section["items"] if not i.result]
        groups.append(
            {
                "checklist": checklist,
                "sections": sections,
                "answered": sum(1 for i in own if i.result),
                "total": len(own),
            }
        )
    return {
        "audit": audit,
        "groups": groups,
        "answered": sum(1 for i in items if i.result),
        "total": len(items),
        "attachments": attachments,
        "raised": raised,
        # The items whose nonconformity a changed answer would cancel (it is not yet settled).
        "withdrawable": {i for i, nc in raised.items() if nc.status not in findings.SETTLED},
        "may_answer": ANSWER.refusal(user, audit, session=session) is None,
        "results": list(Result),
        "result_labels": RESULT_LABELS,
        "show": show,
        "status_labels": STATUS_LABELS,
        "people": service.people(session=session, ids=[i.answered_by_id for i in items]),
        "item_errors": {},
        "stale": {},
        "typed": {},
        "department": auth.get_department(session=session, department_id=audit.department_id),
        **extra,
    }


def _show(value: str | None) -> str:
    return "open" if value == "open" else "all"


@router.get("/audits/{audit_id}/checklist")
def checklist_page(
    request: Request,
    user: PageUser,
    audit: CurrentAudit,
    session: SessionDep,
    show: str | None = Query(default=None, max_length=10),
):
    service.read_audit(session=session, by=user, audit=audit)
    lang = request_lang(request, request.state.viewer)
    return render(
        request,
        "audits/checklist.html",
        _checklist_context(session, audit, user, lang, _show(show)),
    )


def _save_answer(session, user, settings, audit: Audit, item, data: dict, uploads):
    require(user, "audit.answer", audit)
    # The page's box is ticked to confirm a new nonconformity; unticked, it sends nothing.
    body = parse(
        ItemAnswer, {**data, "confirm_nonconformity": data.get("confirm_nonconformity") == "yes"}
    )
    if body.result is not None or body.evidence.strip() or item.result:
        item = service.answer_item(
            session=session,
            by=user,
            item=item,
            lang=settings.lang,
            today=settings.today(),
            **body.model_dump(),
        )
    for upload in uploads:
        service.add_attachment(
            session=session,
            by=user,
            item=item,
            filename=upload.filename or "",
            stream=upload.file,
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
        )
    return item


def _next_anchor(session, audit: Audit, item_id: int, show: str) -> str:
    """Back to the saved item; when only open items show, to the next open one."""
    if show != "open":
        return f"item-{item_id}"
    items = service.items_of(session=session, audit=audit)
    ids = [i.id for i in items]
    position = ids.index(item_id) if item_id in ids else -1
    for item in items[position + 1 :]:
        if not item.result:
            return f"item-{item.id}"
    return "top"


@router.post("/audits/{audit_id}/items/{item_id}")
async def answer_item(
    request: Request,
    user: PageUser,
    audit: CurrentAudit,
    item: CurrentItem,
    session: SessionDep,
    settings: SettingsDep,
):
    if item.audit_id != audit.id:
        raise NotFound("Checklist item %(id)s does not exist.", id=item.id)
    item_id = item.id
    form = await request.form()
    uploads = [
        f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)
    ]
    data = await form_data(request)
    show = _show(str(data.get("show", "")))
    try:
        await run_in_threadpool(
            partial(_save_answer, session, user, settings, audit, item, data, uploads)
        )
    except QMSError as exc:
        session.rollback()
        if exc.status in (403, 404):
            raise
        lang = request_lang(request, request.state.viewer)
        gettext = gettext_for(lang)
        # Every refused field of the item at once, each under its name.
        messages = {
            each.field or "_form": each.render(gettext)
            for each in getattr(exc, "errors", None) or [exc]
        }
        extra = {"item_errors": {item_id: messages}}
        if isinstance(exc, StaleVersion):
            # The newer answer is shown in the form; what this person typed is shown beside.
            extra["stale"] = {
                item_id: {"result": data.get("result") or "", "evidence": data.get("evidence", "")}
            }
        else:
            extra["typed"] = {
                item_id: {
                    "result": data.get("result") or "",
                    "evidence": data.get("evidence", ""),
                    "change_reason": data.get("change_reason", ""),
                }
            }
        context = _checklist_context(session, audit, user, lang, show, **extra)
        return render(request, "audits/checklist.html", context, status_code=exc.status)
    anchor = _next_anchor(session, audit, item_id, show)
    query = "?show=open" if show == "open" else ""
    return redirect(request, f"/audits/{audit.id}/checklist{query}#{anchor}", flash=N_("Saved."))


@router.post("/audits/{audit_id}/attachments/{attachment_id}/delete")
async def remove_attachment(
    request: Request,
    user: PageUser,
    audit: CurrentAudit,
    row: CurrentAttachment,
    session: SessionDep,
):
    data = await form_data(request)
    item = service.get_item(session=session, item_id=row.item_id)
    if item.audit_id != audit.id:
        raise NotFound("Attachment %(id)s does not exist.", id=row.id)
    service.remove_attachment(session=session, by=user, attachment=row)
    query = "?show=open" if _show(str(data.get("show", ""))) == "open" else ""
    return redirect(
        request,
        f"/audits/{audit.id}/checklist{query}#item-{item.id}",
        flash=N_("The attachment was removed."),
    )


# --- templates --------------------------------------------------------------------------


@router.get("/audit-templates")
def templates_page(request: Request, user: PageUser):
    found = service.read_templates(by=user)
    return render(
        request,
        "audits/templates.html",
        {"templates": list(found.templates.values()), "broken": found.errors},
    )


@router.get("/audit-templates/{key}")
def template_page(
    request: Request,
    user: PageUser,
    key: str,
):
    found = service.read_templates(by=user)
    if key not in found.templates and key not in found.errors:
        raise NotFound("There is no checklist template %(key)s.", key=key)
    return render(
        request,
        "audits/template.html",
        {"key": key, "template": found.templates.get(key), "error": found.errors.get(key)},
    )
