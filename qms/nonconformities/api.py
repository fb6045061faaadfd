"""JSON API of nonconformities and corrective actions: the register, the moves, the form."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlmodel import Session

from qms import files
from qms.auth.permissions import require
from qms.config import Settings
from qms.deps import MAX_ID, CurrentUser, DayQuery, IdPath, SessionDep, SettingsDep
from qms.errors import Invalid
from qms.nonconformities import exports, pdf, service
from qms.nonconformities.deps import CurrentAction, CurrentNonconformity
from qms.nonconformities.models import (
    ActionCompletion,
    ActionCreate,
    ActionPublic,
    Cancellation,
    CheckPublic,
    CheckResult,
    Closure,
    DocumentLinks,
    EvidenceFilePublic,
    Investigation,
    Nonconformity,
    NonconformityCreate,
    NonconformityDetail,
    NonconformityPublic,
    Severity,
    SignatureSummary,
    Source,
    Verification,
)
from qms.nonconformities.states import Status
from qms.pages import request_lang
from qms.trail.models import Signature

router = APIRouter(tags=["nonconformities"])

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _today(settings: Settings):
    return datetime.now(settings.tz).date()


def _publics(session: Session, ncs: list[Nonconformity], settings: Settings):
    today = _today(settings)
    ids = [nc.id for nc in ncs]
    overdue = service.overdue_ids(session=session, ids=ids, today=today)
    ready = service.ready_ids(session=session, ids=ids)
    return [
        NonconformityPublic(
            **nc.model_dump(exclude={"created_at", "updated_at"}),
            age_days=service.age_days(nc, today=today, tz=settings.tz),
            overdue=nc.id in overdue,
            ready_to_close=nc.id in ready,
        )
        for nc in ncs
    ]


def file_public(row) -> EvidenceFilePublic:
    return EvidenceFilePublic(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
        url=f"/api/v1/evidence-files/{row.id}",
    )


def detail(session: Session, nc: Nonconformity, settings: Settings) -> NonconformityDetail:
    today = _today(settings)
    base = _publics(session, [nc], settings)[0]
    actions = service.actions_of(session=session, nc=nc)
    checks = service.checks_of(session=session, nc=nc)
    attached = service.files_of(session=session, actions=actions)
    people = service.people_named(
        session=session,
        ids=[a.owner_id for a in actions] + [c.verifier_id for c in checks],
    )
    signature = session.get(Signature, nc.signature_id) if nc.signature_id else None
    return NonconformityDetail(
        **base.model_dump(),
        containment=nc.containment,
        root_cause_method=nc.root_cause_method,
        whys=list(nc.whys or []),
        root_cause=nc.root_cause,
        cancel_reason=nc.cancel_reason,
        closed_at=nc.closed_at,
        document_ids=service.document_ids_of(session=session, nc=nc),
        actions=[
            ActionPublic(
                id=a.id,
                nonconformity_id=a.nonconformity_id,
                description=a.description,
                owner_id=a.owner_id,
                owner_name=people[a.owner_id].full_name,
                due_on=a.due_on,
                done_on=a.done_on,
                evidence=a.evidence,
                overdue=a.done_on is None and a.due_on < today,
                status=a.status,
                version=a.version,
                files=[file_public(f) for f in attached[a.id]],
            )
            for a in actions
        ],
        checks=[
            CheckPublic(
                id=c.id,
                verifier_id=c.verifier_id,
                verifier_name=people[c.verifier_id].full_name,
                result=c.result,
                comment=c.comment,
                due_on=c.due_on,
                checked_on=c.checked_on,
                status=c.result,
            )
            for c in checks
        ],
        files=[file_public(f) for f in service.finding_files(session=session, nc=nc)],
        closure_signature=SignatureSummary(
            signer_name=signature.signer_name,
            signer_title=signature.signer_title,
            meaning=signature.meaning,
            at=signature.at,
            content_hash=signature.content_hash,
        )
        if signature
        else None,
    )


def _filters(
    status: Status | None,
    department_id: int | None,
    audit_id: int | None,
    source: Source | None,
    severity: Severity | None,
    clause: str | None,
    owner_id: int | None,
    overdue: bool | None,
    period: tuple = (None, None, None),
    q: str | None = None,
) -> service.Filters:
    raised_from, raised_to, check_result = period
    if raised_from and raised_to and raised_from > raised_to:
        raise Invalid("The first day must not be after the last day.", field="raised_from")
    return service.Filters(
        raised_from=raised_from,
        raised_to=raised_to,
        check_result=check_result.value if check_result else None,
        status=status.value if status else None,
        department_id=department_id,
        audit_id=audit_id,
        source=source.value if source else None,
        severity=severity.value if severity else None,
        clause=clause,
        owner_id=owner_id,
        overdue=overdue,
        q=q,
    )


ClauseQuery = Annotated[str | None, Query(max_length=20, pattern=r"^\d+(\.\d+)*$")]
# Words to find in the code, description, containment or root cause (all of them).
SearchQuery = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]


@router.get("/nonconformities", response_model=list[NonconformityPublic])
def list_nonconformities(
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    status: Status | None = None,
    department_id: IdQuery = None,
    audit_id: IdQuery = None,
    source: Source | None = None,
    severity: Severity | None = None,
    clause: ClauseQuery = None,
    owner_id: IdQuery = None,
    overdue: bool | None = None,
    raised_from: DayQuery = None,
    raised_to: DayQuery = None,
    check_result: CheckResult | None = None,
    q: SearchQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    """The register, newest first; the total matching is in the X-Total-Count header."""
    require(user, "nonconformity.list")
    filters = _filters(
        status,
        department_id,
        audit_id,
        source,
        severity,
        clause,
        owner_id,
        overdue,
        (raised_from, raised_to, check_result),
        q,
    )
    rows, total = service.list_nonconformities(
        session=session, filters=filters, today=_today(settings), limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(total)
    return _publics(session, rows, settings)


def _export(kind, request, session, user, settings, filters):
    require(user, "nonconformity.list")
    rows, _total = service.list_nonconformities(
        session=session, filters=filters, today=_today(settings), limit=None
    )
    lang = request_lang(request, user)
    table = exports.register_rows(session=session, ncs=rows, settings=settings, lang=lang)
    stamp = _today(settings).isoformat()
    if kind == "csv":
        body, media_type = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        body, media_type = exports.to_xlsx(table, lang=lang), exports.XLSX
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="nonconformities-{stamp}.{kind}"'},
    )


@router.get("/nonconformities.csv", response_class=Response)
def export_csv(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    status: Status | None = None,
    department_id: IdQuery = None,
    audit_id: IdQuery = None,
    source: Source | None = None,
    severity: Severity | None = None,
    clause: ClauseQuery = None,
    owner_id: IdQuery = None,
    overdue: bool | None = None,
    raised_from: DayQuery = None,
    raised_to: DayQuery = None,
    check_result: CheckResult | None = None,
    q: SearchQuery = None,
):
    """The register, filtered as the list is, as CSV (UTF-8 with a byte-order mark)."""
    filters = _filters(
        status,
        department_id,
        audit_id,
        source,
        severity,
        clause,
        owner_id,
        overdue,
        (raised_from, raised_to, check_result),
        q,
    )
    return _export("csv", request, session, user, settings, filters)


@router.get("/nonconformities.xlsx", response_class=Response)
def export_xlsx(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    status: Status | None = None,
    department_id: IdQuery = None,
    audit_id: IdQuery = None,
    source: Source | None = None,
    severity: Severity | None = None,
    clause: ClauseQuery = None,
    owner_id: IdQuery = None,
    overdue: bool | None = None,
    raised_from: DayQuery = None,
    raised_to: DayQuery = None,
    check_result: CheckResult | None = None,
    q: SearchQuery = None,
):
    """The register, filtered as the list is, as an Excel workbook."""
    filters = _filters(
        status,
        department_id,
        audit_id,
        source,
        severity,
        clause,
        owner_id,
        overdue,
        (raised_from, raised_to, check_result),
        q,
    )
    return _export("xlsx", request, session, user, settings, filters)


@router.post("/nonconformities", status_code=201, response_model=NonconformityDetail)
def raise_nonconformity(
    body: NonconformityCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    nc = service.raise_nonconformity(
        session=session, by=user, today=_today(settings), **body.model_dump()
    )
    return detail(session, nc, settings)


@router.get(
    "/nonconformities/{nonconformity_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def nonconformity_pdf(
    request: Request,
    nonconformity_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
):
    """The corrective-action request form (Phiếu yêu cầu hành động khắc phục) as PDF."""
    lang = request_lang(request, user)
    body, code = await run_in_threadpool(
        pdf.form_for,
        session=session,
        user=user,
        settings=settings,
        nonconformity_id=nonconformity_id,
        lang=lang,
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{quote(code)}.pdf"'},
    )


@router.get("/nonconformities/{nonconformity_id}", response_model=NonconformityDetail)
def get_nonconformity(
    session: SessionDep, user: CurrentUser, nc: CurrentNonconformity, settings: SettingsDep
):
    require(user, "nonconformity.read")
    return detail(session, nc, settings)


@router.post("/nonconformities/{nonconformity_id}/investigate", response_model=NonconformityDetail)
def investigate(
    body: Investigation,
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    """Record the containment and the root cause: open → investigating."""
    service.investigate(session=session, nc=nc, by=user, **body.model_dump())
    return detail(session, nc, settings)


@router.post(
    "/nonconformities/{nonconformity_id}/actions",
    status_code=201,
    response_model=NonconformityDetail,
)
def plan_action(
    body: ActionCreate,
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    """Plan a corrective action: investigating → action_planned."""
    service.plan_action(
        session=session, nc=nc, by=user, today=_today(settings), **body.model_dump()
    )
    return detail(session, nc, settings)


@router.post(
    "/corrective-actions/{action_id}/files", status_code=201, response_model=EvidenceFilePublic
)
async def attach_evidence(
    action_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
):
    """Attach a file (PDF, PNG, JPEG or an Office document) as evidence of the action."""

    def attach(content, filename: str | None):
        action = service.get_action(session=session, action_id=action_id)
        require(user, "corrective_action.complete", action)
        if content is None:
            raise Invalid("Choose a file to attach.", field="file")
        return service.attach_evidence(
            session=session,
            action=action,
            by=user,
            filename=filename,
            content=content,
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
        )

    # The spooled upload is streamed into the store off the event loop.
    row = await run_in_threadpool(
        attach, file.file if file is not None else None, file.filename if file else None
    )
    return file_public(row)


@router.post(
    "/nonconformities/{nonconformity_id}/files",
    status_code=201,
    response_model=EvidenceFilePublic,
)
def attach_to_finding(
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
):
    """Attach a file of the finding itself (a photo, the complaint: PDF, PNG, JPEG or an
    Office document) while the nonconformity is open."""
    require(user, "nonconformity.attach", nc)
    if file is None:
        raise Invalid("Choose a file to attach.", field="file")
    row = service.attach_to_finding(
        session=session,
        nc=nc,
        by=user,
        filename=file.filename,
        content=file.file,
        files_dir=settings.files_dir,
        max_bytes=settings.upload_max_bytes,
    )
    return file_public(row)


@router.get("/evidence-files/{file_id}", response_class=FileResponse)
def evidence_file(file_id: IdPath, session: SessionDep, user: CurrentUser, settings: SettingsDep):
    require(user, "nonconformity.read")
    row = service.get_evidence_file(session=session, file_id=file_id)
    return FileResponse(
        files.path_of(settings.files_dir, row.sha256),
        media_type=row.content_type,
        filename=row.filename,
        content_disposition_type="attachment",
    )


@router.post("/corrective-actions/{action_id}/complete", response_model=ActionPublic)
def complete_action(
    body: ActionCompletion,
    session: SessionDep,
    user: CurrentUser,
    action: CurrentAction,
    settings: SettingsDep,
):
    """The action's owner marks it done; the last one done moves the nonconformity to
    verifying, its effectiveness check due QMS_EFFECTIVENESS_CHECK_DAYS later."""
    service.complete_action(
        session=session,
        action=action,
        by=user,
        evidence=body.evidence,
        version=body.version,
        today=_today(settings),
        check_days=settings.effectiveness_check_days,
    )
    nc = service.get_nonconformity(session=session, nonconformity_id=action.nonconformity_id)
    return next(a for a in detail(session, nc, settings).actions if a.id == action.id)


@router.post("/nonconformities/{nonconformity_id}/verify", response_model=NonconformityDetail)
def verify(
    body: Verification,
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    """Record the effectiveness check: effective (ready to close) or ineffective (back to
    action_planned)."""
    service.verify(
        session=session,
        nc=nc,
        by=user,
        result=CheckResult(body.result).value,
        comment=body.comment,
        version=body.version,
        today=_today(settings),
    )
    return detail(session, nc, settings)


@router.post("/nonconformities/{nonconformity_id}/close", response_model=NonconformityDetail)
def close(
    body: Closure,
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    """Close with an electronic signature (the password asked again)."""
    service.close(session=session, nc=nc, by=user, settings=settings, **body.model_dump())
    return detail(session, nc, settings)


@router.post("/nonconformities/{nonconformity_id}/cancel", response_model=NonconformityDetail)
def cancel(
    body: Cancellation,
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    """Cancel (quality officer), with a reason, from any state before closure."""
    service.cancel(session=session, nc=nc, by=user, **body.model_dump())
    return detail(session, nc, settings)


@router.put("/nonconformities/{nonconformity_id}/documents", response_model=NonconformityDetail)
def link_documents(
    body: DocumentLinks,
    session: SessionDep,
    user: CurrentUser,
    nc: CurrentNonconformity,
    settings: SettingsDep,
):
    """Set the controlled documents the nonconformity concerns."""
    service.link_documents(session=session, nc=nc, by=user, **body.model_dump())
    return detail(session, nc, settings)
