"""JSON API of document control: the register, revisions, sign-offs, copies, acknowledgement."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import Response as RawResponse
from sqlmodel import Session

from qms import files
from qms.auth.permissions import require
from qms.deps import MAX_ID, CurrentUser, SessionDep, SettingsDep
from qms.documents import copies, service
from qms.documents.deps import CurrentDocument, CurrentRevision
from qms.documents.models import (
    AcknowledgementPublic,
    AcknowledgementsPublic,
    ControlledDocument,
    DistributionBody,
    DocumentCreate,
    DocumentPublic,
    DocumentUpdate,
    FilePublic,
    ObsoleteBody,
    PeriodicReviewBody,
    PeriodicReviewPublic,
    PublishBody,
    ReaderPublic,
    ReturnBody,
    Revision,
    RevisionCreate,
    RevisionPublic,
    RevisionSummary,
    RevisionUpdate,
    SignBody,
    SignOffPublic,
    SubmitBody,
)
from qms.documents.states import ATTACH_FILE, Kind
from qms.errors import Invalid

router = APIRouter(tags=["documents"])


def _today(settings):
    return datetime.now(settings.tz).date()


def summary(session: Session, revision: Revision, cls=RevisionSummary, **extra):
    file = None
    if revision.file_sha256:
        file = FilePublic(
            sha256=revision.file_sha256,
            name=revision.file_name,
            type=revision.file_type,
            size=revision.file_size,
        )
    return cls(
        id=revision.id,
        document_id=revision.document_id,
        number=revision.number,
        label=revision.label,
        status=revision.status,
        version=revision.version,
        change_summary=revision.change_summary,
        author_id=revision.author_id,
        reviewer_id=revision.reviewer_id,
        approver_id=revision.approver_id,
        submitted_at=revision.submitted_at,
        reviewed_at=revision.reviewed_at,
        approved_at=revision.approved_at,
        published_at=revision.published_at,
        effective_on=revision.effective_on,
        superseded_on=revision.superseded_on,
        return_comment=revision.return_comment,
        content_hash=revision.content_hash,
        file=file,
        signoffs=[
            SignOffPublic(
                meaning=s.meaning,
                signer_id=s.signer_id,
                signer_name=s.signer_name,
                signer_title=s.signer_title,
                at=s.at,
                comment=s.comment,
                content_hash=s.content_hash,
            )
            for s in service.signoffs(session=session, revision=revision)
        ],
        **extra,
    )


def revision_public(session: Session, revision: Revision) -> RevisionPublic:
    return summary(session, revision, RevisionPublic, content_md=revision.content_md)


def document_public(
    session: Session, document: ControlledDocument, *, effective: Revision | None = None
) -> DocumentPublic:
    return DocumentPublic(
        id=document.id,
        code=document.code,
        title=document.title,
        kind=document.kind,
        department_id=document.department_id,
        owner_id=document.owner_id,
        clauses=document.clauses,
        review_interval_months=document.review_interval_months,
        next_review_on=document.next_review_on,
        status=document.status,
        version=document.version,
        distributed_to=sorted(document.distributed_to),
        obsolete_on=document.obsolete_on,
        obsolete_reason=document.obsolete_reason,
        effective_revision=revision_public(session, effective) if effective else None,
    )


@router.get("/documents", response_model=list[DocumentPublic])
def list_documents(
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    status: str | None = Query(default=None, max_length=20),
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    kind: Kind | None = None,
    clause: str | None = Query(default=None, max_length=20),
    q: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=service.MAX_PAGE),
    offset: int = Query(default=0, ge=0, le=MAX_ID),
):
    """The register; obsolete documents only with status=obsolete or status=all."""
    page = service.list_documents(
        session=session,
        by=user,
        status=status,
        department_id=department_id,
        kind=kind.value if kind else None,
        clause=clause,
        q=q,
        limit=limit,
        offset=offset,
    )
    response.headers["X-Total-Count"] = str(page.total)
    return [document_public(session, d) for d in page.items]


@router.post("/documents", status_code=201, response_model=DocumentPublic)
def create_document(body: DocumentCreate, session: SessionDep, user: CurrentUser):
    document = service.create_document(session=session, by=user, **body.model_dump())
    return document_public(session, document)


@router.get("/documents/{document_id}", response_model=DocumentPublic)
def get_document(document: CurrentDocument, session: SessionDep, user: CurrentUser):
    service.read_document(session=session, by=user, document=document)
    effective = service.effective_revision(session=session, document=document)
    if effective is not None:
        service.read_revision(session=session, by=user, revision=effective)
    return document_public(session, document, effective=effective)


@router.patch("/documents/{document_id}", response_model=DocumentPublic)
def update_document(
    document: CurrentDocument, body: DocumentUpdate, session: SessionDep, user: CurrentUser
):
    fields = body.model_dump(exclude_unset=True)
    version = fields.pop("version")
    service.update_document(session=session, by=user, document=document, version=version, **fields)
    return document_public(session, document)


@router.get("/documents/{document_id}/revisions", response_model=list[RevisionSummary])
def list_revisions(document: CurrentDocument, session: SessionDep, user: CurrentUser):
    service.read_document(session=session, by=user, document=document)
    revisions = service.revisions_of(session=session, document=document)
    return [summary(session, r) for r in service.readable(by=user, revisions=revisions)]


@router.post("/documents/{document_id}/revisions", status_code=201, response_model=RevisionPublic)
def create_revision(
    document: CurrentDocument, body: RevisionCreate, session: SessionDep, user: CurrentUser
):
    revision = service.create_revision(
        session=session,
        by=user,
        document=document,
        content_md=body.content_md,
        change_summary=body.change_summary,
    )
    return revision_public(session, revision)


@router.put("/documents/{document_id}/distribution", response_model=DocumentPublic)
def distribute(
    document: CurrentDocument, body: DistributionBody, session: SessionDep, user: CurrentUser
):
    service.distribute(
        session=session, by=user, document=document, department_ids=body.department_ids
    )
    return document_public(session, document)


@router.get("/documents/{document_id}/acknowledgements", response_model=AcknowledgementsPublic)
def acknowledgements(document: CurrentDocument, session: SessionDep, user: CurrentUser):
    found = service.readers(session=session, by=user, document=document)

    def row(reader):
        return ReaderPublic(
            user_id=reader.user.id,
            full_name=reader.user.full_name,
            department_id=reader.user.department_id,
            acknowledged_at=reader.acknowledged_at,
        )

    return AcknowledgementsPublic(
        revision_id=found.revision.id if found.revision else None,
        acknowledged=[row(r) for r in found.acknowledged],
        pending=[row(r) for r in found.pending],
    )


@router.post(
    "/documents/{document_id}/periodic-review",
    status_code=201,
    response_model=PeriodicReviewPublic,
)
def periodic_review(
    document: CurrentDocument,
    body: PeriodicReviewBody,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
):
    """Record 'reviewed, no change': the next review date moves on by the interval."""
    row = service.record_periodic_review(
        session=session, by=user, document=document, comment=body.comment, today=_today(settings)
    )
    return PeriodicReviewPublic(
        id=row.id,
        document_id=row.document_id,
        reviewed_on=row.reviewed_on,
        comment=row.comment,
        next_review_on=row.next_review_on,
    )


@router.post("/documents/{document_id}/obsolete", response_model=DocumentPublic)
def make_obsolete(
    document: CurrentDocument,
    body: ObsoleteBody,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
):
    service.make_obsolete(
        session=session,
        by=user,
        document=document,
        reason=body.reason,
        today=_today(settings),
        settings=settings,
        version=body.version,
    )
    return document_public(session, document)


# --- revisions --------------------------------------------------------------------------


# Before /revisions/{revision_id}, which would otherwise take "5.pdf" as an id.
@router.get(
    "/revisions/{revision_id}.pdf",
    response_class=RawResponse,
    responses={200: {"content": {"application/pdf": {}}, "description": "The PDF"}},
)
def controlled_copy(
    revision: CurrentRevision, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    """The controlled copy (Bản kiểm soát), in the organisation's language."""
    return pdf_response(session, user, revision, settings)


@router.get("/revisions/{revision_id}", response_model=RevisionPublic)
def get_revision(revision: CurrentRevision, session: SessionDep, user: CurrentUser):
    service.read_revision(session=session, by=user, revision=revision)
    return revision_public(session, revision)


@router.patch("/revisions/{revision_id}", response_model=RevisionPublic)
def update_revision(
    revision: CurrentRevision, body: RevisionUpdate, session: SessionDep, user: CurrentUser
):
    service.update_revision(
        session=session,
        by=user,
        revision=revision,
        version=body.version,
        content_md=body.content_md,
        change_summary=body.change_summary,
        remove_file=body.remove_file,
    )
    return revision_public(session, revision)


@router.post("/revisions/{revision_id}/file", response_model=RevisionPublic)
def upload_file(
    revision: CurrentRevision,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    file: UploadFile | None = File(default=None),
    version: int | None = Form(default=None),
):
    """Attach a PDF, DOCX, XLSX or ODT file to a draft (the type is read from its bytes)."""
    require(user, ATTACH_FILE.permission, revision)
    if file is None:
        raise Invalid("Choose a file to attach.", field="file")
    service.attach_file(
        session=session,
        by=user,
        revision=revision,
        data=file.file,
        filename=file.filename or "",
        files_dir=settings.files_dir,
        max_bytes=settings.upload_max_bytes,
        version=version,
    )
    return revision_public(session, revision)


@router.get(
    "/revisions/{revision_id}/file",
    response_class=RawResponse,
    responses={
        200: {
            "content": {files.KINDS[kind]: {} for kind in service.FILE_KINDS},
            "description": "The attached file, as uploaded",
        }
    },
)
def download_file(
    revision: CurrentRevision, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    data = service.revision_file(
        session=session, by=user, revision=revision, files_dir=settings.files_dir
    )
    return file_response(revision, data)


def file_response(revision: Revision, data: bytes) -> RawResponse:
    media_type = files.KINDS[revision.file_type]
    name = quote(revision.file_name or f"{revision.document.code}.{revision.file_type}")
    return RawResponse(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/revisions/{revision_id}/submit", response_model=RevisionPublic)
def submit(revision: CurrentRevision, body: SubmitBody, session: SessionDep, user: CurrentUser):
    service.submit(
        session=session,
        by=user,
        revision=revision,
        reviewer_id=body.reviewer_id,
        approver_id=body.approver_id,
        version=body.version,
    )
    return revision_public(session, revision)


@router.post("/revisions/{revision_id}/review", response_model=RevisionPublic)
def review(revision: CurrentRevision, body: SignBody, session: SessionDep, user: CurrentUser):
    service.review(
        session=session,
        by=user,
        revision=revision,
        password=body.password,
        comment=body.comment,
        version=body.version,
    )
    return revision_public(session, revision)


@router.post("/revisions/{revision_id}/return", response_model=RevisionPublic)
def return_to_draft(
    revision: CurrentRevision, body: ReturnBody, session: SessionDep, user: CurrentUser
):
    service.return_to_draft(
        session=session, by=user, revision=revision, comment=body.comment, version=body.version
    )
    return revision_public(session, revision)


@router.post("/revisions/{revision_id}/approve", response_model=RevisionPublic)
def approve(revision: CurrentRevision, body: SignBody, session: SessionDep, user: CurrentUser):
    service.approve(
        session=session,
        by=user,
        revision=revision,
        password=body.password,
        comment=body.comment,
        version=body.version,
    )
    return revision_public(session, revision)


@router.post("/revisions/{revision_id}/publish", response_model=RevisionPublic)
def publish(
    revision: CurrentRevision,
    body: PublishBody,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
):
    service.publish(
        session=session,
        by=user,
        revision=revision,
        today=_today(settings),
        settings=settings,
        effective_on=body.effective_on,
        version=body.version,
    )
    return revision_public(session, revision)


@router.post(
    "/revisions/{revision_id}/acknowledge", status_code=201, response_model=AcknowledgementPublic
)
def acknowledge(revision: CurrentRevision, session: SessionDep, user: CurrentUser):
    row = service.acknowledge(session=session, by=user, revision=revision)
    return AcknowledgementPublic(
        id=row.id,
        revision_id=row.revision_id,
        user_id=row.user_id,
        acknowledged_at=row.acknowledged_at,
    )


def pdf_response(session, user, revision: Revision, settings) -> RawResponse:
    data = copies.copy_for(session=session, by=user, revision=revision, settings=settings)
    name = f"{revision.document.code}-{revision.label}.pdf"
    return RawResponse(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
