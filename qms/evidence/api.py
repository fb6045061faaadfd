"""JSON API of the certification evidence pack: the clauses with their records and gaps for a
period, and its exports (queued, made in the background, downloaded as a ZIP, removed)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import FileResponse

from qms.auth.permissions import require
from qms.deps import CurrentUser, DayQuery, SessionDep, SettingsDep
from qms.errors import readable
from qms.evidence import jobs, service
from qms.evidence.deps import CurrentExport
from qms.evidence.models import (
    ClausePublic,
    EvidenceExport,
    ExclusionPublic,
    ExportCreate,
    ExportPublic,
    GapPublic,
    ItemPublic,
    PackPublic,
)
from qms.evidence.web import stamp_download
from qms.i18n import translations
from qms.pages import request_lang

router = APIRouter(tags=["certification evidence"])


def export_public(export: EvidenceExport) -> ExportPublic:
    return ExportPublic(
        **export.model_dump(include=set(ExportPublic.model_fields) - {"download_url"}),
        download_url=f"/api/v1/evidence/exports/{export.id}.zip"
        if export.status == "done"
        else None,
    )


def pack_public(pack: service.Pack, gettext) -> PackPublic:
    def gap(g) -> GapPublic:
        text = gettext(g.message)
        text = text % readable(g.params, gettext) if g.params else text
        return GapPublic(source=g.source, message=text, url=g.href)

    def exclusion(e) -> ExclusionPublic:
        return ExclusionPublic(
            clause=e.clause, title=e.title, justification=e.justification, code=e.code, url=e.href
        )

    return PackPublic(
        period_start=pack.start,
        period_end=pack.end,
        records=pack.records,
        gaps=pack.gaps,
        clauses=[
            ClausePublic(
                clause=c.requirement.clause,
                title=gettext(c.requirement.title),
                kind=c.requirement.kind,
                count=c.count,
                items=[
                    ItemPublic(
                        source=i.source,
                        code=i.code,
                        title=i.title,
                        url=i.href,
                        on=i.on,
                        kept=bool(i.kept_kind),
                    )
                    for i in c.items[: service.PAGE_ITEMS]
                ],
                more=max(c.count - service.PAGE_ITEMS, 0),
                registers=[href for _kind, href in c.registers],
                gaps=[gap(g) for g in c.gaps],
                gaps_total=c.gap_count,
                excluded=exclusion(c.excluded) if c.excluded else None,
                partly_excluded=[exclusion(e) for e in c.partly_excluded],
            )
            for c in pack.clauses
        ],
        exclusions=[exclusion(e) for e in pack.exclusions],
    )


@router.get("/evidence", response_model=PackPublic)
def read_pack(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    period_start: DayQuery = None,
    period_end: DayQuery = None,
):
    """Each clause of the requirement table with the records of the period (the first
    PAGE_ITEMS of them; `count` is all), the registers behind them and the gaps. The period
    defaults to the last 12 months."""
    start, end = service.default_period(settings.today())
    pack = service.read_pack(
        session=session,
        by=user,
        start=period_start or start,
        end=period_end or end,
        today=settings.today(),
    )
    return pack_public(pack, translations(request_lang(request, user)).gettext)


@router.post("/evidence/exports", status_code=202, response_model=ExportPublic)
def request_export(
    body: ExportCreate,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
):
    """Queue the export of the period's pack; it is made in the background (follow its
    status and counters at GET /evidence/exports/{id})."""
    export = service.request_export(
        session=session,
        by=user,
        settings=settings,
        start=body.period_start,
        end=body.period_end,
        lang=request_lang(request, user),
    )
    background.add_task(jobs.run_pending, request.app.state.engine, settings)
    return export_public(export)


@router.get("/evidence/exports", response_model=list[ExportPublic])
def list_exports(session: SessionDep, user: CurrentUser):
    require(user, "evidence.export")
    return [export_public(e) for e in service.list_exports(session=session, by=user)]


@router.get(
    "/evidence/exports/{export_id}.zip",
    responses={200: {"description": "The pack", "content": {"application/zip": {}}}},
    response_class=FileResponse,
)
def download(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
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


@router.get("/evidence/exports/{export_id}", response_model=ExportPublic)
def get_export(session: SessionDep, user: CurrentUser, export: CurrentExport):
    require(user, "evidence.export", export)
    return export_public(export)


@router.post("/evidence/exports/{export_id}/remove", response_model=ExportPublic)
def remove_export(
    session: SessionDep, user: CurrentUser, export: CurrentExport, settings: SettingsDep
):
    service.remove_export(session=session, by=user, settings=settings, export=export)
    return export_public(export)
