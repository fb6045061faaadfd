"""Pages: the certification evidence of a period, clause by clause with its gaps, and the
export of the pack (its progress page refreshes itself; no JavaScript)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import FileResponse

from qms.auth.permissions import can, require
from qms.db import unit_of_work
from qms.deps import PageUser, SessionDep, SettingsDep
from qms.documents.states import KIND_LABELS as DOCUMENT_KINDS
from qms.errors import QMSError
from qms.evidence import jobs, service
from qms.evidence.deps import CurrentExport
from qms.evidence.requirements import KIND_LABELS, SOURCE_LABELS
from qms.evidence.states import PENDING, REMOVE, STATUS_LABELS, Status
from qms.i18n import N_
from qms.pages import NavItem, form_data, redirect, refused, render, request_lang, verify_csrf
from qms.trail import labels as trail_labels
from qms.trail.labels import register_values

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

NAV = [NavItem(N_("Certification evidence"), "/evidence", "evidence.read")]
# Seconds between two refreshes of a page waiting for an export.
REFRESH_SECONDS = 3

trail_labels.RECORD_TYPES.setdefault(service.RECORD, N_("Evidence pack export"))
trail_labels.ACTIONS.setdefault("requested", N_("requested"))
trail_labels.ACTIONS.setdefault("making_started", N_("making started"))
trail_labels.ACTIONS.setdefault("made", N_("made"))
trail_labels.ACTIONS.setdefault("failed", N_("failed"))
trail_labels.ACTIONS.setdefault("interrupted", N_("interrupted"))
trail_labels.ACTIONS.setdefault("downloaded", N_("downloaded"))
trail_labels.ACTIONS.setdefault("removed", N_("removed"))
register_values(service.RECORD, "status", STATUS_LABELS)

LABELS = {
    "status_labels": STATUS_LABELS,
    "kind_labels": KIND_LABELS,
    "source_labels": SOURCE_LABELS,
    "document_kinds": DOCUMENT_KINDS,
    "page_items": service.PAGE_ITEMS,
    "pending": {s.value for s in PENDING},
}


def _period(data, today: date) -> tuple[date, date]:
    """The period of the page's form (from, to), the last 12 months when not given."""
    start, end = service.default_period(today)
    if data.get("from"):
        start = service.parse_day(data.get("from"), "from")
    if data.get("to"):
        end = service.parse_day(data.get("to"), "to")
    service.check_period(start, end, fields=("from", "to"))
    return start, end


def _context(session, user, settings, pack, **extra) -> dict:
    exports = service.list_exports(session=session, by=user) if can(user, "evidence.export") else []
    return {**LABELS, "pack": pack, "exports": exports, **extra}


@router.get("/evidence")
def evidence_page(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "evidence.read")
    today = settings.today()
    query = request.query_params
    form = {"from": query.get("from", ""), "to": query.get("to", "")}
    try:
        start, end = _period(query, today)
        pack = service.read_pack(session=session, by=user, start=start, end=end, today=today)
    except QMSError as exc:
        return refused(
            request, "evidence/page.html", exc, _context(session, user, settings, None, form=form)
        )
    form = {"from": start.isoformat(), "to": end.isoformat()}
    return render(request, "evidence/page.html", _context(session, user, settings, pack, form=form))


@router.post("/evidence/exports")
async def start_export(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    today = settings.today()
    try:
        require(user, "evidence.export")
        start, end = _period(data, today)
        export = service.request_export(
            session=session,
            by=user,
            settings=settings,
            start=start,
            end=end,
            lang=request_lang(request, user),
        )
    except QMSError as exc:
        session.rollback()
        form = {"from": str(data.get("from", "")), "to": str(data.get("to", ""))}
        return refused(
            request, "evidence/page.html", exc, _context(session, user, settings, None, form=form)
        )
    background.add_task(jobs.run_pending, request.app.state.engine, settings)
    return redirect(
        request,
        f"/evidence/exports/{export.id}",
        flash=N_("The export was started: this page shows its progress."),
    )


@router.get("/evidence/exports/{export_id}")
def export_page(request: Request, session: SessionDep, user: PageUser, export: CurrentExport):
    require(user, "evidence.export", export)
    return render(request, "evidence/export.html", _export_context(user, export))


def _export_context(user, export, *, refresh: bool = True) -> dict:
    pending = export.status in LABELS["pending"]
    return {
        **LABELS,
        "export": export,
        "refresh": REFRESH_SECONDS if refresh and pending else None,
        "file_name": service.file_name(export),
        # Its file is there to download; removing it is offered once it was downloaded.
        "ready": export.status == Status.done,
        "may": {"remove": REMOVE.refusal(user, export) is None},
    }


@router.get("/evidence/exports/{export_id}/download")
def download(
    request: Request,
    session: SessionDep,
    user: PageUser,
    export: CurrentExport,
    settings: SettingsDep,
):
    path = service.downloadable(settings=settings, by=user, export=export)
    stamp_download(request, session, settings, user, export)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=service.file_name(export),
        headers={"X-Content-SHA256": export.sha256 or "", "Cache-Control": "private, no-cache"},
    )


def stamp_download(request, session, settings, user, export) -> None:
    """The first download is written down; a SQLite read request's transaction stays a reader
    (a deferred transaction cannot safely turn into a writer), so there in a short one."""
    if settings.is_sqlite:
        with unit_of_work(request.app.state.engine) as writer:
            service.mark_downloaded(session=writer, by=user, export_id=export.id)
    else:
        service.mark_downloaded(session=session, by=user, export_id=export.id)


@router.post("/evidence/exports/{export_id}/remove")
async def remove(
    request: Request,
    session: SessionDep,
    user: PageUser,
    export: CurrentExport,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        version = int(data["version"]) if str(data.get("version", "")).isdigit() else None
        service.remove_export(
            session=session, by=user, settings=settings, export=export, version=version
        )
    except QMSError as exc:
        session.rollback()
        return refused(
            request,
            "evidence/export.html",
            exc,
            _export_context(user, export, refresh=False),
        )
    return redirect(request, "/evidence", flash=N_("The pack's file was removed."))
