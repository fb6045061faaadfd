"""Pages of document control: the register, a document, a revision with its sign-off forms,
history and diffs, what waits for one's signature, and what one has to read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qms.auth import service as auth
from qms.auth.permissions import can, require
from qms.deps import MAX_ID, PageUser, SessionDep, SettingsDep
from qms.documents import content, export, search, service
from qms.documents.api import file_response, pdf_response
from qms.documents.deps import CurrentDocument, CurrentRevision
from qms.documents.models import (
    DistributionBody,
    DocumentCreate,
    DocumentUpdate,
    FileBody,
    ObsoleteBody,
    PeriodicReviewBody,
    PublishBody,
    ReturnBody,
    Revision,
    RevisionCreate,
    RevisionUpdate,
    SignBody,
    SubmitBody,
)
from qms.documents.permissions import may_approve_documents
from qms.documents.states import (
    ACKNOWLEDGE,
    APPROVE,
    ATTACH_FILE,
    DISTRIBUTE,
    DOCUMENT_FORMS,
    DOCUMENT_STATUS_LABELS,
    EDIT,
    KIND_LABELS,
    NO_LONGER_IN_FORCE,
    OBSOLETE,
    OPEN_DRAFT,
    PERIODIC_REVIEW,
    PUBLISH,
    PUBLISHED,
    RETURN,
    REVIEW,
    REVISION_FORMS,
    REVISION_STATUS_LABELS,
    SUBMIT,
    DocumentStatus,
    Kind,
    RevisionStatus,
)
from qms.errors import Invalid, QMSError
from qms.forms import parse
from qms.home.service import Panel, WorkItem, WorkList, panel_provider, work_provider
from qms.i18n import N_, Formatter, translations
from qms.nonconformities import service as nonconformities
from qms.nonconformities.states import STATUS_LABELS as NC_STATUS_LABELS
from qms.pages import NavItem, form_data, redirect, refused, render, request_lang, verify_csrf
from qms.trail.labels import register_values
from qms.workflow import allowed_now

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# The trail shows these coded fields by their labels.
register_values("revision", "status", REVISION_STATUS_LABELS)
register_values("document", "status", DOCUMENT_STATUS_LABELS)
register_values("document", "kind", KIND_LABELS)

NAV = [
    NavItem(N_("Documents"), "/documents", "document.list"),
    NavItem(N_("To read"), "/documents/to-read", "document.read"),
]
PAGE_SIZE = 25
# Periodic reviews show on the owner's home this long before they fall due.
REVIEW_NOTICE = timedelta(days=30)

LABELS = {
    "kinds": KIND_LABELS,
    "document_statuses": DOCUMENT_STATUS_LABELS,
    "revision_statuses": REVISION_STATUS_LABELS,
}


def _today(settings) -> date:
    return datetime.now(settings.tz).date()


def _clauses(value) -> list[str]:
    """The clauses typed in one field, separated by commas, semicolons or spaces."""
    return [c for c in str(value or "").replace(";", ",").replace(" ", ",").split(",") if c]


# --- the register -----------------------------------------------------------------------


def _filters(status, department_id, kind, clause, q) -> dict:
    if kind and kind not in {k.value for k in Kind}:
        kind = None
    return {
        "status": status or None,
        "department_id": department_id,
        "kind": kind or None,
        "clause": clause or None,
        "q": q or None,
    }


@router.get("/documents")
def register(
    request: Request,
    session: SessionDep,
    user: PageUser,
    status: str | None = Query(default=None, max_length=20),
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    kind: str | None = Query(default=None, max_length=32),
    clause: str | None = Query(default=None, max_length=20),
    q: str | None = Query(default=None, max_length=200),
    offset: int = Query(default=0, ge=0, le=MAX_ID),
):
    filters = _filters(status, department_id, kind, clause, q)
    page = service.list_documents(
        session=session, by=user, limit=PAGE_SIZE, offset=offset, **filters
    )
    effective = service.effective_revisions_for(
        session=session, document_ids=[d.id for d in page.items]
    )
    return render(
        request,
        "documents/list.html",
        {
            "page": page,
            "filters": filters,
            "effective": effective,
            # A search: each result's title with the matched words marked, and a snippet
            # of its effective text around them (escaped, see search.snippet).
            "found": {
                d.id: (
                    search.highlight(d.title, q or ""),
                    search.snippet(
                        effective[d.id].content_md if d.id in effective else "", q or ""
                    ),
                )
                for d in page.items
            }
            if page.ranked
            else {},
            "departments": auth.list_departments(session=session),
            "statuses": [("", N_("Current (not obsolete)"))]
            + [(s.value, DOCUMENT_STATUS_LABELS[s]) for s in DocumentStatus]
            + [(service.ALL, N_("All"))],
            **LABELS,
        },
    )


def _export(request, session, user, settings, filters) -> tuple[list[list], str]:
    lang = request_lang(request, getattr(request.state, "viewer", None))
    documents = service.all_documents(session=session, by=user, **filters)
    table = export.rows(
        session=session, documents=documents, lang=lang, fmt=Formatter(lang, settings.tz)
    )
    return table, f"documents-{_today(settings).isoformat()}"


@router.get("/documents.csv")
def register_csv(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    status: str | None = Query(default=None, max_length=20),
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    kind: str | None = Query(default=None, max_length=32),
    clause: str | None = Query(default=None, max_length=20),
    q: str | None = Query(default=None, max_length=200),
):
    filters = _filters(status, department_id, kind, clause, q)
    table, name = _export(request, session, user, settings, filters)
    return Response(
        export.to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/documents.xlsx")
def register_xlsx(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    status: str | None = Query(default=None, max_length=20),
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    kind: str | None = Query(default=None, max_length=32),
    clause: str | None = Query(default=None, max_length=20),
    q: str | None = Query(default=None, max_length=200),
):
    filters = _filters(status, department_id, kind, clause, q)
    table, name = _export(request, session, user, settings, filters)
    return Response(
        export.to_xlsx(table, title="Documents"),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def _form_context(request, session, **extra) -> dict:
    gettext = translations(request_lang(request, getattr(request.state, "viewer", None))).gettext
    return {
        "kind_options": [(k.value, gettext(KIND_LABELS[k])) for k in Kind],
        "department_options": [
            (d.id, f"{d.code} – {d.name}") for d in auth.list_departments(session=session)
        ],
        "people_options": [(p.id, _person(p)) for p in service.department_users(session=session)],
        **extra,
    }


def _form(model, data, *, user, action, record):
    """The form as its API model reads it, read only for one the action permits: a wrong
    role is refused (403) whatever the form says."""
    require(user, action.permission, record)
    return parse(model, data)


def _register_entry(data) -> dict:
    """The register entry's form as its API model reads it: the clauses typed in one field."""
    return {**data, "clauses": _clauses(data.get("clauses"))}


@router.get("/documents/new")
def new_document_form(request: Request, session: SessionDep, user: PageUser):
    require(user, "document.create")
    return render(
        request,
        "documents/form.html",
        _form_context(request, session, document=None, form={"owner_id": str(user.id)}),
    )


@router.post("/documents")
async def create_document(request: Request, session: SessionDep, user: PageUser):
    # Asked before the form is read: the form is refused only to one who may register.
    require(user, "document.create")
    data = await form_data(request)
    try:
        body = parse(DocumentCreate, _register_entry(data))
        document = service.create_document(session=session, by=user, **body.model_dump())
    except QMSError as exc:
        session.rollback()
        return refused(
            request,
            "documents/form.html",
            exc,
            _form_context(request, session, document=None, form=data),
        )
    return redirect(request, f"/documents/{document.id}", flash=N_("The document was registered."))


# --- work lists -------------------------------------------------------------------------


@router.get("/documents/to-read")
def to_read_page(request: Request, session: SessionDep, user: PageUser):
    return render(
        request,
        "documents/to_read.html",
        {"revisions": service.to_read(session=session, user=user), **LABELS},
    )


@router.get("/documents/to-sign")
def to_sign_page(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    today = _today(settings)
    work = service.to_sign(session=session, by=user, before=today + REVIEW_NOTICE)
    return render(request, "documents/to_sign.html", {**vars(work), "today": today, **LABELS})


# --- a document -------------------------------------------------------------------------


def _document_context(session, user, document, **extra) -> dict:
    service.read_document(session=session, by=user, document=document)
    # Every department first: the document's own is then found in the session, no query.
    departments = auth.list_departments(session=session)
    current = service.current_revision(session=session, document=document)
    if current is not None:
        service.read_revision(session=session, by=user, revision=current)
    revisions = service.revisions_of(session=session, document=document)
    names = service.people(
        session=session,
        ids=[document.owner_id]
        + [i for r in revisions for i in (r.author_id, r.reviewer_id, r.approver_id)],
    )
    # Exactly the forms this viewer may use now, asked of the actions' own declarations.
    may = allowed_now(DOCUMENT_FORMS, user, document, session=session)
    may["acknowledge"] = current is not None and ACKNOWLEDGE.refusal(user, current) is None
    return {
        "document": document,
        "may": may,
        "withdrawn": DocumentStatus(document.status) is DocumentStatus.obsolete,
        "current": current,
        "current_html": content.render_markdown(current.content_md) if current else "",
        "revisions": revisions,
        "signoffs": service.signoffs_for(session=session, revisions=revisions),
        "open_revision": service.open_revision(session=session, document=document),
        "names": names,
        "department": auth.get_department(session=session, department_id=document.department_id),
        "departments": departments,
        "readers": service.readers(session=session, by=user, document=document, quietly=True),
        "acknowledged": service.acknowledged_by(session=session, revision=current, user=user),
        "periodic_reviews": service.periodic_reviews(session=session, document=document),
        "nonconformities": nonconformities.for_document(session=session, document_id=document.id),
        "nc_status_labels": NC_STATUS_LABELS,
        **LABELS,
        **extra,
    }


@router.get("/documents/{document_id}")
def document_page(request: Request, document: CurrentDocument, session: SessionDep, user: PageUser):
    return render(request, "documents/detail.html", _document_context(session, user, document))


def _document_refused(request, session, user, document, exc, data):
    session.rollback()
    return refused(
        request,
        "documents/detail.html",
        exc,
        _document_context(session, user, document, form=data),
    )


@router.get("/documents/{document_id}/edit")
def edit_document_form(
    request: Request, document: CurrentDocument, session: SessionDep, user: PageUser
):
    require(user, "document.update", document)
    return render(
        request, "documents/form.html", _form_context(request, session, document=document)
    )


@router.post("/documents/{document_id}/edit")
async def edit_document(
    request: Request, document: CurrentDocument, session: SessionDep, user: PageUser
):
    # Asked before the form is read: the form is refused only to one who may change it.
    require(user, "document.update", document)
    data = await form_data(request)
    try:
        fields = parse(DocumentUpdate, _register_entry(data)).model_dump(exclude_unset=True)
        version = fields.pop("version")
        service.update_document(
            session=session, by=user, document=document, version=version, **fields
        )
    except QMSError as exc:
        session.rollback()
        return refused(
            request,
            "documents/form.html",
            exc,
            _form_context(request, session, document=document, form=data),
        )
    return redirect(request, f"/documents/{document.id}", flash=N_("The document was saved."))


@router.post("/documents/{document_id}/revisions")
async def open_draft(
    request: Request, document: CurrentDocument, session: SessionDep, user: PageUser
):
    data = await form_data(request)
    try:
        body = _form(RevisionCreate, data, user=user, action=OPEN_DRAFT, record=document)
        revision = service.create_revision(
            session=session, by=user, document=document, change_summary=body.change_summary
        )
    except QMSError as exc:
        return _document_refused(request, session, user, document, exc, data)
    return redirect(request, f"/revisions/{revision.id}", flash=N_("A new draft was opened."))


@router.post("/documents/{document_id}/distribution")
async def distribute(
    request: Request, document: CurrentDocument, session: SessionDep, user: PageUser
):
    data = await form_data(request)
    try:
        # No department ticked: distributed to none. A value not a department's id is
        # refused naming the list.
        body = _form(
            DistributionBody,
            {"department_ids": data.get("department_ids") or []},
            user=user,
            action=DISTRIBUTE,
            record=document,
        )
        service.distribute(
            session=session, by=user, document=document, department_ids=body.department_ids
        )
    except QMSError as exc:
        for each in [exc, *(getattr(exc, "errors", None) or [])]:
            if (each.field or "").startswith("department_ids."):
                each.field = "department_ids"
        return _document_refused(request, session, user, document, exc, data)
    return redirect(request, f"/documents/{document.id}", flash=N_("The distribution was saved."))


@router.post("/documents/{document_id}/periodic-review")
async def periodic_review(
    request: Request,
    document: CurrentDocument,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = _form(PeriodicReviewBody, data, user=user, action=PERIODIC_REVIEW, record=document)
        service.record_periodic_review(
            session=session,
            by=user,
            document=document,
            comment=body.comment,
            today=_today(settings),
        )
    except QMSError as exc:
        return _document_refused(request, session, user, document, exc, data)
    return redirect(
        request, f"/documents/{document.id}", flash=N_("The periodic review was recorded.")
    )


@router.post("/documents/{document_id}/obsolete")
async def make_obsolete(
    request: Request,
    document: CurrentDocument,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = _form(ObsoleteBody, data, user=user, action=OBSOLETE, record=document)
        # Off the event loop: the kept copy is rendered and signed again.
        await run_in_threadpool(
            partial(
                service.make_obsolete,
                session=session,
                by=user,
                document=document,
                reason=body.reason,
                today=_today(settings),
                settings=settings,
                version=body.version,
            )
        )
    except QMSError as exc:
        return _document_refused(request, session, user, document, exc, data)
    return redirect(request, f"/documents/{document.id}", flash=N_("The document is now obsolete."))


@router.get("/documents/{document_id}/history")
def history(request: Request, document: CurrentDocument, session: SessionDep, user: PageUser):
    service.read_document(session=session, by=user, document=document)
    revisions = service.revisions_of(session=session, document=document)
    names = service.people(
        session=session, ids=[i for r in revisions for i in (r.author_id, r.published_by_id)]
    )
    return render(
        request,
        "documents/history.html",
        {
            "document": document,
            "revisions": revisions,
            "readable": service.readable(by=user, revisions=revisions),
            "names": names,
            "signoffs": service.signoffs_for(session=session, revisions=revisions),
            "events": service.trail_of(session=session, by=user, document=document),
            **LABELS,
        },
    )


@router.get("/documents/{document_id}/diff")
def diff_page(
    request: Request,
    document: CurrentDocument,
    session: SessionDep,
    user: PageUser,
    a: int | None = Query(default=None, ge=1, le=MAX_ID),
    b: int | None = Query(default=None, ge=1, le=MAX_ID),
):
    service.read_document(session=session, by=user, document=document)
    # Without parameters: the newest revision the reader may see against the one before it.
    readable = service.readable(
        by=user, revisions=service.revisions_of(session=session, document=document)
    )
    new = service.get_revision(session=session, revision_id=b) if b else None
    if new is None and readable:
        new = readable[0]
    old = service.get_revision(session=session, revision_id=a) if a else None
    if old is None and new is not None:
        old = next((r for r in readable if r.number < new.number), None)
    context = {
        "document": document,
        "old": old,
        "new": new,
        "blocks": [],
        "readable": readable,
        **LABELS,
    }
    if old is None or new is None:
        return render(request, "documents/diff.html", context)
    if old.document_id != document.id or new.document_id != document.id:
        raise Invalid("Compare two revisions of the same document.", field="b")
    context["blocks"] = service.diff(session=session, by=user, old=old, new=new)
    return render(request, "documents/diff.html", context)


# --- a revision -------------------------------------------------------------------------


def _revision_context(session, user, revision: Revision, settings, **extra) -> dict:
    # Only a person who may read the revision ever sees its page, again with a refusal too.
    service.read_revision(session=session, by=user, revision=revision)
    document = revision.document
    everyone = service.department_users(session=session)
    names = service.people(
        session=session,
        ids=[revision.author_id, revision.reviewer_id, revision.approver_id, document.owner_id],
    )
    author_id = revision.author_id or user.id
    status = RevisionStatus(revision.status)
    return {
        "revision": revision,
        # Exactly the forms this viewer may use now, asked of the actions' own declarations.
        "may": allowed_now(REVISION_FORMS, user, revision, session=session),
        "returned": status is RevisionStatus.draft and bool(revision.return_comment),
        "issued": status in PUBLISHED,
        "no_longer_in_force": status in NO_LONGER_IN_FORCE,
        "document": document,
        "names": names,
        "signoffs": service.signoffs(session=session, revision=revision),
        "void_signatures": service.void_signoffs(session=session, revision=revision),
        "content_html": content.render_markdown(revision.content_md),
        "reviewer_options": [(p.id, _person(p)) for p in everyone if p.id != author_id],
        "approver_options": [
            (p.id, _person(p)) for p in everyone if p.id != author_id and may_approve_documents(p)
        ],
        "today": _today(settings),
        "acknowledged": service.acknowledged_by(session=session, revision=revision, user=user),
        "max_mb": round(settings.upload_max_bytes / 1024 / 1024, 1),
        **LABELS,
        **extra,
    }


def _person(user) -> str:
    return f"{user.full_name} – {user.position_title}" if user.position_title else user.full_name


def _revision_refused(request, session, user, settings, revision, exc, data):
    session.rollback()
    data.pop("password", None)
    return refused(
        request,
        "documents/revision.html",
        exc,
        _revision_context(session, user, revision, settings, form=data),
    )


def _done(request, revision: Revision, flash: str):
    return redirect(request, f"/revisions/{revision.id}", flash=flash)


# Before /revisions/{revision_id}, which would otherwise take "5.pdf" as an id.
@router.get("/revisions/{revision_id}.pdf")
def controlled_copy(
    revision: CurrentRevision, session: SessionDep, user: PageUser, settings: SettingsDep
):
    return pdf_response(session, user, revision, settings)


@router.get("/revisions/{revision_id}")
def revision_page(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    return render(
        request, "documents/revision.html", _revision_context(session, user, revision, settings)
    )


@router.post("/revisions/{revision_id}")
async def edit_revision(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        if "content_md" in data:
            data["content_md"] = str(data["content_md"]).replace("\r\n", "\n")
        body = _form(RevisionUpdate, data, user=user, action=EDIT, record=revision)
        service.update_revision(
            session=session,
            by=user,
            revision=revision,
            version=body.version,
            content_md=body.content_md,
            change_summary=body.change_summary,
            remove_file=body.remove_file,
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return _done(request, revision, N_("The draft was saved."))


@router.post("/revisions/{revision_id}/file")
async def upload_file(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    require(user, ATTACH_FILE.permission, revision)
    data = await form_data(request)
    upload = data.pop("file", None)
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid("Choose a file to attach.", field="file")
        body = parse(FileBody, data)
        service.attach_file(
            session=session,
            by=user,
            revision=revision,
            data=upload.file,
            filename=upload.filename,
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
            version=body.version,
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return _done(request, revision, N_("The file was attached."))


@router.get("/revisions/{revision_id}/file")
def download_file(
    revision: CurrentRevision, session: SessionDep, user: PageUser, settings: SettingsDep
):
    data = service.revision_file(
        session=session, by=user, revision=revision, files_dir=settings.files_dir
    )
    return file_response(revision, data)


@router.post("/revisions/{revision_id}/submit")
async def submit(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = _form(SubmitBody, data, user=user, action=SUBMIT, record=revision)
        service.submit(session=session, by=user, revision=revision, **body.model_dump())
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return _done(request, revision, N_("The revision was sent for review."))


@router.post("/revisions/{revision_id}/review")
async def review(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = _form(SignBody, data, user=user, action=REVIEW, record=revision)
        service.review(session=session, by=user, revision=revision, **body.model_dump())
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return _done(request, revision, N_("You signed the review."))


@router.post("/revisions/{revision_id}/return")
async def return_to_draft(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        # The page's field is return_comment (beside the signing forms' own comment).
        body = _form(
            ReturnBody,
            {"comment": data.get("return_comment", ""), "version": data.get("version")},
            user=user,
            action=RETURN,
            record=revision,
        )
        service.return_to_draft(session=session, by=user, revision=revision, **body.model_dump())
    except QMSError as exc:
        for each in [exc, *(getattr(exc, "errors", None) or [])]:
            if each.field == "comment":
                each.field = "return_comment"
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return _done(request, revision, N_("The revision was returned to its author."))


@router.post("/revisions/{revision_id}/approve")
async def approve(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = _form(SignBody, data, user=user, action=APPROVE, record=revision)
        service.approve(session=session, by=user, revision=revision, **body.model_dump())
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return _done(request, revision, N_("You signed the approval."))


@router.post("/revisions/{revision_id}/publish")
async def publish(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = _form(PublishBody, data, user=user, action=PUBLISH, record=revision)
        # Off the event loop: publishing renders and signs the kept copies.
        await run_in_threadpool(
            partial(
                service.publish,
                session=session,
                by=user,
                revision=revision,
                today=_today(settings),
                settings=settings,
                **body.model_dump(),
            )
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return redirect(
        request, f"/documents/{revision.document_id}", flash=N_("The revision is now effective.")
    )


@router.post("/revisions/{revision_id}/acknowledge")
async def acknowledge(
    request: Request,
    revision: CurrentRevision,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        # Acknowledged on the revision's page, after its text, ticking what is acknowledged.
        service.acknowledge(
            session=session, by=user, revision=revision, confirmed=data.get("confirm") == "yes"
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision, exc, data)
    return redirect(
        request,
        f"/revisions/{revision.id}#acknowledge",
        flash=N_("Recorded: you have read and understood it."),
    )


# --- the home page ----------------------------------------------------------------------


def _revision_items(kind: str, rows, due) -> list[WorkItem]:
    return [
        WorkItem(
            kind=kind,
            title=f"{document.title} · {revision.label}",
            url=f"/revisions/{revision.id}",
            code=document.code,
            due_on=due(revision),
        )
        for revision, document in rows
    ]


# What waits for a person's signature or hand: (status, msgid of the work).
SIGNING_WORK = (
    (RevisionStatus.in_review, N_("Review the revision")),
    (RevisionStatus.reviewed, N_("Approve the revision")),
    (RevisionStatus.approved, N_("Publish the revision")),
    (RevisionStatus.draft, N_("Revise the returned draft")),
)


@work_provider
def _document_work(session, user, today: date, limit: int) -> list[WorkList]:
    lists = []
    for status, kind in SIGNING_WORK:
        part = service.first_waiting_for(
            session=session, user=user, status=status, today=today, limit=limit
        )
        items = _revision_items(kind, part.rows, service.signing_due_on)
        lists.append(WorkList(kind, items, part.total, "/documents/to-sign", part.overdue))
    part = service.first_to_read(session=session, user=user, today=today, limit=limit)
    kind = N_("Read and acknowledge")
    items = _revision_items(kind, part.rows, service.acknowledge_due_on)
    lists.append(WorkList(kind, items, part.total, "/documents/to-read", part.overdue))
    part = service.first_reviews_due(
        session=session, user=user, before=today + REVIEW_NOTICE, today=today, limit=limit
    )
    kind = N_("Periodic review of the document")
    items = [
        WorkItem(
            kind=kind,
            title=d.title,
            url=f"/documents/{d.id}",
            code=d.code,
            due_on=d.next_review_on,
        )
        for d in part.rows
    ]
    lists.append(WorkList(kind, items, part.total, "/documents/to-sign", part.overdue))
    return lists


@panel_provider
def _document_panel(session, user, today: date) -> list[Panel]:
    if not can(user, "document.create"):
        return []
    figures = service.figures(session=session, today=today)
    return [
        Panel(
            title=N_("Controlled documents"),
            url="/documents",
            rows=[
                (N_("Not yet issued"), figures["draft"]),
                (N_("Effective"), figures["effective"]),
                (N_("Obsolete"), figures["obsolete"]),
                (N_("Revisions in review"), figures["in_review"]),
                (N_("Revisions waiting for approval"), figures["reviewed"]),
                (N_("Revisions waiting for publication"), figures["approved"]),
                (N_("Periodic reviews overdue"), figures["overdue_reviews"]),
            ],
        )
    ]
