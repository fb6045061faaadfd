"""JSON API: audit programmes, audits and their transitions, checklists, items, attachments,
the PDF audit record and the checklist templates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from qms import files
from qms.audits import exports, findings, service
from qms.audits.deps import CurrentAttachment, CurrentAudit, CurrentItem
from qms.audits.models import (
    AttachmentPublic,
    AuditCreate,
    AuditPage,
    AuditPublic,
    AuditUpdate,
    Bilingual,
    CancelAudit,
    ChecklistItemPublic,
    ChecklistPublic,
    CloseAudit,
    DepartmentRef,
    ItemAnswer,
    PlannedAudit,
    ProgrammeCoverage,
    ProgrammeCreate,
    ProgrammePublic,
    ProgrammeUpdate,
    Progress,
    ReportCreate,
    Result,
    TemplatePublic,
    TemplateSummary,
    Transition,
)
from qms.audits.states import AuditStatus
from qms.deps import MAX_ID, CurrentUser, DayQuery, SessionDep, SettingsDep
from qms.errors import Conflict, Invalid, NotFound
from qms.pages import request_lang

router = APIRouter(tags=["audits"])


ATTACHMENT_TYPES = {
    "image/jpeg": {},
    "image/png": {},
    "application/pdf": {},
    **{content_type: {} for content_type in files.OFFICE_TYPES},
}

YearPath = Annotated[int, Path(ge=2000, le=2100)]
KeyPath = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]


# --- shapes -----------------------------------------------------------------------------


def audit_public(audit, progress: tuple[int, int]) -> AuditPublic:
    return AuditPublic(
        id=audit.id,
        code=audit.code,
        status=audit.status,
        version=audit.version,
        programme_id=audit.programme_id,
        year=audit.year,
        quarter=audit.quarter,
        title=audit.title,
        scope=audit.scope,
        criteria=audit.criteria,
        department_id=audit.department_id,
        lead_auditor_id=audit.lead_auditor_id,
        auditor_ids=audit.auditor_ids,
        planned_start_on=audit.planned_start_on,
        planned_end_on=audit.planned_end_on,
        template_keys=audit.template_keys,
        progress=Progress(answered=progress[0], total=progress[1]),
        started_at=audit.started_at,
        summary=audit.summary,
        strengths=audit.strengths,
        reported_at=audit.reported_at,
        report_sha256=audit.report_sha256,
        report_url=f"/api/v1/audits/{audit.id}.pdf" if audit.report_sha256 else None,
        closed_at=audit.closed_at,
        close_note=audit.close_note,
        carried_over_ids=audit.carried_over_ids,
        cancelled_at=audit.cancelled_at,
        cancel_reason=audit.cancel_reason,
    )


def _one(session, audit) -> AuditPublic:
    return audit_public(audit, service.progress(session=session, audit_ids=[audit.id])[audit.id])


def attachment_public(row) -> AttachmentPublic:
    return AttachmentPublic(
        id=row.id,
        item_id=row.item_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
        uploaded_by_id=row.uploaded_by_id,
        url=f"/api/v1/audit-attachments/{row.id}",
    )


def item_public(item, attachments, nonconformity=None) -> ChecklistItemPublic:
    return ChecklistItemPublic(
        id=item.id,
        checklist_id=item.checklist_id,
        audit_id=item.audit_id,
        position=item.position,
        clause=item.clause,
        section_title=Bilingual(vi=item.section_title_vi, en=item.section_title_en),
        ref=item.ref,
        question=Bilingual(vi=item.question_vi, en=item.question_en),
        guidance=Bilingual(vi=item.guidance_vi, en=item.guidance_en),
        result=item.result,
        evidence=item.evidence,
        answered_at=item.answered_at,
        answered_by_id=item.answered_by_id,
        status=item.status,
        version=item.version,
        attachments=[attachment_public(a) for a in attachments],
        nonconformity_id=nonconformity.id if nonconformity is not None else None,
        nonconformity_code=nonconformity.code if nonconformity is not None else None,
    )


def _item_out(session, item) -> ChecklistItemPublic:
    attachments = service.attachments_of(session=session, item_ids=[item.id])[item.id]
    return item_public(item, attachments, findings.for_item(session=session, item=item))


def programme_public(session, programme) -> ProgrammePublic:
    audits = service.programme_audits(session=session, programme=programme)
    return ProgrammePublic(
        id=programme.id,
        year=programme.year,
        objectives=programme.objectives,
        status=service.programme_status(audits),
        version=programme.version,
        audits=[
            PlannedAudit(
                id=a.id,
                code=a.code,
                title=a.title,
                status=a.status,
                department_id=a.department_id,
                quarter=a.quarter,
                planned_start_on=a.planned_start_on,
                planned_end_on=a.planned_end_on,
            )
            for a in audits
        ],
    )


# --- templates --------------------------------------------------------------------------


@router.get("/audit-templates", response_model=list[TemplateSummary])
def list_templates(user: CurrentUser):
    found = service.read_templates(by=user)
    out = [
        TemplateSummary(
            key=t.key,
            title=Bilingual(vi=t.title.vi, en=t.title.en),
            description=Bilingual(vi=t.description.vi, en=t.description.en),
            sections=len(t.sections),
            items=t.item_count,
            status="valid",
            problems=[],
        )
        for t in found.templates.values()
    ]
    out += [
        TemplateSummary(
            key=key,
            title=Bilingual(vi=key, en=key),
            description=Bilingual(vi="", en=""),
            sections=0,
            items=0,
            status="invalid",
            problems=[p.render(error.name) for p in error.problems],
        )
        for key, error in found.errors.items()
    ]
    return sorted(out, key=lambda t: t.key)


@router.get("/audit-templates/{key}", response_model=TemplatePublic)
def get_template(key: KeyPath, user: CurrentUser):
    found = service.read_templates(by=user)
    if key in found.errors:
        raise Conflict(
            "The checklist template %(key)s cannot be used (%(problem)s).",
            key=key,
            problem=str(found.errors[key]),
        )
    if key not in found.templates:
        raise NotFound("There is no checklist template %(key)s.", key=key)
    template = found.templates[key]
    return TemplatePublic.model_validate(
        {
            "key": template.key,
            "status": "valid",
            "title": template.title.model_dump(),
            "description": template.description.model_dump(),
            "sections": [section.model_dump() for section in template.sections],
        }
    )


# --- programme --------------------------------------------------------------------------


@router.get("/audit-programmes", response_model=list[ProgrammePublic])
def list_programmes(session: SessionDep, user: CurrentUser):
    programmes = service.read_programmes(session=session, by=user)
    return [programme_public(session, p) for p in programmes]


@router.post("/audit-programmes", status_code=201, response_model=ProgrammePublic)
def create_programme(body: ProgrammeCreate, session: SessionDep, user: CurrentUser):
    programme = service.create_programme(
        session=session, by=user, year=body.year, objectives=body.objectives
    )
    return programme_public(session, programme)


@router.get("/audit-programmes/{year}", response_model=ProgrammePublic)
def get_programme(year: YearPath, session: SessionDep, user: CurrentUser):
    return programme_public(session, service.read_programme(session=session, by=user, year=year))


@router.get("/audit-programmes/{year}/not-covered", response_model=ProgrammeCoverage)
def programme_not_covered(year: YearPath, session: SessionDep, user: CurrentUser):
    """The programme's warning (ISO 9001:2015, 9.2.2 a): the departments with no internal
    audit of the year planned, under way, reported or closed (a cancelled audit does not
    count). Answers for a year with no programme yet too: then no department is covered."""
    departments = service.read_departments_without_audit(session=session, by=user, year=year)
    return ProgrammeCoverage(
        year=year,
        not_covered=[DepartmentRef(id=d.id, code=d.code, name=d.name) for d in departments],
    )


@router.patch("/audit-programmes/{year}", response_model=ProgrammePublic)
def update_programme(year: YearPath, body: ProgrammeUpdate, session: SessionDep, user: CurrentUser):
    programme = service.get_programme(session=session, year=year)
    programme = service.update_programme(
        session=session,
        by=user,
        programme=programme,
        objectives=body.objectives,
        version=body.version,
    )
    return programme_public(session, programme)


# --- audits -----------------------------------------------------------------------------


def _register_filters(
    year: int | None = Query(default=None, ge=2000, le=2100),
    status: AuditStatus | None = None,
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    q: str | None = Query(default=None, max_length=100),
    reported_from: DayQuery = None,
    reported_to: DayQuery = None,
    finding: Result | None = None,
) -> service.AuditFilters:
    """The register's filters, the same for the list and its exports."""
    if reported_from and reported_to and reported_from > reported_to:
        raise Invalid("The first day must not be after the last day.", field="reported_from")
    return service.AuditFilters(
        year=year,
        status=status.value if status else None,
        department_id=department_id,
        q=q,
        reported_from=reported_from,
        reported_to=reported_to,
        finding=finding.value if finding else None,
    )


RegisterFilters = Annotated[service.AuditFilters, Depends(_register_filters)]


@router.get("/audits", response_model=AuditPage)
def list_audits(
    session: SessionDep,
    user: CurrentUser,
    filters: RegisterFilters,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_ID),
):
    rows, total = service.list_audits(
        session=session, user=user, filters=filters, limit=limit, offset=offset
    )
    done = service.progress(session=session, audit_ids=[a.id for a in rows])
    return AuditPage(
        items=[audit_public(a, done[a.id]) for a in rows], total=total, limit=limit, offset=offset
    )


def _exporter(kind: str, media_type: str, write):
    """The register's export as `kind`: the same handler for each format."""

    def export(
        request: Request,
        session: SessionDep,
        user: CurrentUser,
        settings: SettingsDep,
        filters: RegisterFilters,
    ):
        rows, _total = service.list_audits(session=session, user=user, filters=filters, limit=None)
        lang = request_lang(request, user)
        table = exports.register_rows(session=session, audits=rows, settings=settings, lang=lang)
        stamp = datetime.now(settings.tz).date().isoformat()
        return Response(
            write(table, lang),
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="audits-{stamp}.{kind}"'},
        )

    return export


for _kind, _media_type, _write, _what in (
    (
        "csv",
        "text/csv; charset=utf-8",
        lambda t, _lang: exports.to_csv(t),
        "CSV (UTF-8 with a byte-order mark)",
    ),
    ("xlsx", exports.XLSX, lambda t, lang: exports.to_xlsx(t, lang=lang), "an Excel workbook"),
):
    router.add_api_route(
        f"/audits.{_kind}",
        _exporter(_kind, _media_type, _write),
        methods=["GET"],
        response_class=Response,
        name=f"export_{_kind}",
        description=f"The audits, filtered as the list is, as {_what}.",
    )


@router.post("/audits", status_code=201, response_model=AuditPublic)
def create_audit(body: AuditCreate, session: SessionDep, user: CurrentUser):
    audit = service.create_audit(session=session, by=user, **body.model_dump())
    return _one(session, audit)


@router.get(
    "/audits/{audit_id}.pdf",
    responses={
        200: {
            "description": "The PDF audit record, byte for byte as kept",
            "content": {"application/pdf": {}},
        }
    },
)
def audit_pdf(user: CurrentUser, audit: CurrentAudit, session: SessionDep, settings: SettingsDep):
    service.read_audit(session=session, by=user, audit=audit)
    data = service.report_bytes(audit=audit, files_dir=settings.files_dir)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{audit.code}.pdf"',
            "ETag": f'"{audit.report_sha256}"',
            "X-Content-SHA256": audit.report_sha256,
            "Cache-Control": "private, no-cache",
        },
    )


@router.get("/audits/{audit_id}", response_model=AuditPublic)
def get_audit(user: CurrentUser, audit: CurrentAudit, session: SessionDep):
    service.read_audit(session=session, by=user, audit=audit)
    return _one(session, audit)


@router.patch("/audits/{audit_id}", response_model=AuditPublic)
def update_audit(user: CurrentUser, audit: CurrentAudit, body: AuditUpdate, session: SessionDep):
    fields = body.model_dump(exclude_unset=True)
    version = fields.pop("version")
    audit = service.update_audit(session=session, by=user, audit=audit, version=version, **fields)
    return _one(session, audit)


@router.post("/audits/{audit_id}/start", response_model=AuditPublic)
def start_audit(
    user: CurrentUser, audit: CurrentAudit, session: SessionDep, body: Transition | None = None
):
    audit = service.start_audit(
        session=session, by=user, audit=audit, version=body.version if body else None
    )
    return _one(session, audit)


@router.get("/audits/{audit_id}/checklists", response_model=list[ChecklistPublic])
def audit_checklists(user: CurrentUser, audit: CurrentAudit, session: SessionDep):
    service.read_audit(session=session, by=user, audit=audit)
    items = service.items_of(session=session, audit=audit)
    attachments = service.attachments_of(session=session, item_ids=[i.id for i in items])
    raised = findings.by_item(session=session, audit=audit)
    out = []
    for checklist in service.checklists_of(session=session, audit=audit):
        own = [i for i in items if i.checklist_id == checklist.id]
        answered = sum(1 for i in own if i.result)
        out.append(
            ChecklistPublic(
                id=checklist.id,
                audit_id=audit.id,
                template_key=checklist.template_key,
                title=Bilingual(vi=checklist.title_vi, en=checklist.title_en),
                status="complete" if answered == len(own) else "open",
                version=checklist.version,
                progress=Progress(answered=answered, total=len(own)),
                items=[item_public(i, attachments[i.id], raised.get(i.id)) for i in own],
            )
        )
    return out


@router.post("/audits/{audit_id}/report", response_model=AuditPublic)
def report_audit(
    user: CurrentUser,
    audit: CurrentAudit,
    body: ReportCreate,
    session: SessionDep,
    settings: SettingsDep,
):
    audit = service.report_audit(
        session=session, by=user, audit=audit, settings=settings, **body.model_dump()
    )
    return _one(session, audit)


@router.post("/audits/{audit_id}/close", response_model=AuditPublic)
def close_audit(user: CurrentUser, audit: CurrentAudit, body: CloseAudit, session: SessionDep):
    audit = service.close_audit(session=session, by=user, audit=audit, **body.model_dump())
    return _one(session, audit)


@router.post("/audits/{audit_id}/cancel", response_model=AuditPublic)
def cancel_audit(user: CurrentUser, audit: CurrentAudit, body: CancelAudit, session: SessionDep):
    audit = service.cancel_audit(session=session, by=user, audit=audit, **body.model_dump())
    return _one(session, audit)


# --- items and attachments --------------------------------------------------------------


@router.get("/checklist-items/{item_id}", response_model=ChecklistItemPublic)
def get_item(user: CurrentUser, item: CurrentItem, session: SessionDep):
    return _item_out(session, service.read_item(session=session, by=user, item=item))


@router.patch("/checklist-items/{item_id}", response_model=ChecklistItemPublic)
def answer_item(
    user: CurrentUser,
    item: CurrentItem,
    body: ItemAnswer,
    session: SessionDep,
    settings: SettingsDep,
):
    item = service.answer_item(
        session=session,
        by=user,
        item=item,
        lang=settings.lang,
        today=settings.today(),
        **body.model_dump(),
    )
    return _item_out(session, item)


@router.post(
    "/checklist-items/{item_id}/attachments", status_code=201, response_model=AttachmentPublic
)
def attach(
    user: CurrentUser,
    item: CurrentItem,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[
        UploadFile | None, File(description="A photo (JPEG, PNG), a PDF or an Office file")
    ] = None,
):
    row = service.add_attachment(
        session=session,
        by=user,
        item=item,
        filename=file.filename or "" if file else "",
        stream=file.file if file else None,
        files_dir=settings.files_dir,
        max_bytes=settings.upload_max_bytes,
    )
    return attachment_public(row)


@router.get(
    "/audit-attachments/{attachment_id}",
    responses={200: {"description": "The attached file", "content": ATTACHMENT_TYPES}},
)
def attachment_file(
    user: CurrentUser, row: CurrentAttachment, session: SessionDep, settings: SettingsDep
):
    service.read_attachment(session=session, by=user, attachment=row)
    return FileResponse(
        files.existing(settings.files_dir, row.sha256),
        media_type=row.content_type,
        filename=row.filename,
        content_disposition_type="inline" if row.is_image else "attachment",
    )


@router.delete("/audit-attachments/{attachment_id}", response_model=AttachmentPublic)
def remove_attachment(user: CurrentUser, row: CurrentAttachment, session: SessionDep):
    out = attachment_public(row)
    service.remove_attachment(session=session, by=user, attachment=row)
    return out
