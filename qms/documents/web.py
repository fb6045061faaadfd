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
from qms.deps import MAX_ID, IdPath, PageUser, SessionDep, SettingsDep
from qms.documents import content, export, search, service
from qms.documents.api import file_response, pdf_response
from qms.documents.models import Revision
from qms.documents.permissions import may_approve_documents
from qms.documents.states import (
    DOCUMENT_STATUS_LABELS,
    KIND_LABELS,
    REVISION_STATUS_LABELS,
    DocumentStatus,
    Kind,
    RevisionStatus,
)
from qms.errors import Invalid, QMSError
from qms.home.service import Panel, WorkItem, WorkList, panel_provider, work_provider
from qms.i18n import N_, Formatter, translations
from qms.nonconformities import service as nonconformities
from qms.nonconformities.states import STATUS_LABELS as NC_STATUS_LABELS
from qms.pages import NavItem, form_data, redirect, refused, render, request_lang, verify_csrf
from qms.trail.labels import register_values

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


def _int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise Invalid("Choose a value from the list.", field=field) from None
    if not 1 <= number <= MAX_ID:
        raise Invalid("Choose a value from the list.", field=field)
    return number


def _version(data) -> int | None:
    value = data.get("version")
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid("Enter a date as YYYY-MM-DD.", field=field) from None


def _clauses(value) -> list[str]:
    return [c for c in str(value or "").replace(";", ",").replace(" ", ",").split(",") if c]


def _list(value) -> list:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


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
    require(user, "document.list")
    filters = _filters(status, department_id, kind, clause, q)
    page = service.list_documents(session=session, limit=PAGE_SIZE, offset=offset, **filters)
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


def _export(request, session, settings, filters) -> tuple[list[list], str]:
    viewer = getattr(request.state, "viewer", None)
    lang = request_lang(request, viewer)
    documents = service.all_documents(session=session, **filters)
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
    require(user, "document.list")
    filters = _filters(status, department_id, kind, clause, q)
    table, name = _export(request, session, settings, filters)
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
    require(user, "document.list")
    filters = _filters(status, department_id, kind, clause, q)
    table, name = _export(request, session, settings, filters)
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
    require(user, "document.create")
    data = await form_data(request)
    try:
        document = service.create_document(
            session=session,
            by=user,
            code=str(data.get("code", "")),
            title=str(data.get("title", "")),
            kind=str(data.get("kind", "")),
            department_id=_int(data.get("department_id"), "department_id"),
            owner_id=_int(data.get("owner_id"), "owner_id"),
            clauses=_clauses(data.get("clauses")),
            review_interval_months=_int(
                data.get("review_interval_months"), "review_interval_months"
            )
            or 12,
        )
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
    require(user, "document.read")
    return render(
        request,
        "documents/to_read.html",
        {"revisions": service.to_read(session=session, user=user), **LABELS},
    )


@router.get("/documents/to-sign")
def to_sign_page(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "document.read")
    today = _today(settings)
    return render(
        request,
        "documents/to_sign.html",
        {
            "to_review": service.waiting_for(
                session=session, user=user, status=RevisionStatus.in_review
            ),
            "to_approve": service.waiting_for(
                session=session, user=user, status=RevisionStatus.reviewed
            ),
            "to_publish": service.waiting_for(
                session=session, user=user, status=RevisionStatus.approved
            ),
            "returned": service.waiting_for(
                session=session, user=user, status=RevisionStatus.draft
            ),
            "reviews_due": service.reviews_due(
                session=session, user=user, before=today + REVIEW_NOTICE
            ),
            "today": today,
            **LABELS,
        },
    )


# --- a document -------------------------------------------------------------------------


def _document_context(session, user, document, **extra) -> dict:
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
    readers = (
        service.readers(session=session, by=user, document=document)
        if can(user, "document.readers", document)
        else None
    )
    return {
        "document": document,
        "current": current,
        "current_html": content.render_markdown(current.content_md) if current else "",
        "revisions": revisions,
        "signoffs": service.signoffs_for(session=session, revisions=revisions),
        "open_revision": service.open_revision(session=session, document=document),
        "names": names,
        "department": auth.get_department(session=session, department_id=document.department_id),
        "departments": departments,
        "readers": readers,
        "acknowledged": service.acknowledged_by(session=session, revision=current, user=user),
        "periodic_reviews": service.periodic_reviews(session=session, document=document),
        "nonconformities": nonconformities.for_document(session=session, document_id=document.id),
        "nc_status_labels": NC_STATUS_LABELS,
        **LABELS,
        **extra,
    }


def _document(session, document_id):
    return service.get_document(session=session, document_id=document_id)


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: IdPath, session: SessionDep, user: PageUser):
    require(user, "document.read")
    document = _document(session, document_id)
    return render(request, "documents/detail.html", _document_context(session, user, document))


def _document_refused(request, session, user, document_id, exc, data):
    session.rollback()
    document = _document(session, document_id)
    return refused(
        request,
        "documents/detail.html",
        exc,
        _document_context(session, user, document, form=data),
    )


@router.get("/documents/{document_id}/edit")
def edit_document_form(request: Request, document_id: IdPath, session: SessionDep, user: PageUser):
    document = _document(session, document_id)
    require(user, "document.update", document)
    return render(
        request, "documents/form.html", _form_context(request, session, document=document)
    )


@router.post("/documents/{document_id}/edit")
async def edit_document(request: Request, document_id: IdPath, session: SessionDep, user: PageUser):
    document = _document(session, document_id)
    require(user, "document.update", document)
    data = await form_data(request)
    try:
        service.update_document(
            session=session,
            by=user,
            document=document,
            version=_version(data),
            title=str(data.get("title", "")),
            kind=str(data.get("kind", "")) or None,
            department_id=_int(data.get("department_id"), "department_id"),
            owner_id=_int(data.get("owner_id"), "owner_id"),
            clauses=_clauses(data.get("clauses")),
            review_interval_months=_int(
                data.get("review_interval_months"), "review_interval_months"
            ),
        )
    except QMSError as exc:
        session.rollback()
        document = _document(session, document_id)
        return refused(
            request,
            "documents/form.html",
            exc,
            _form_context(request, session, document=document, form=data),
        )
    return redirect(request, f"/documents/{document_id}", flash=N_("The document was saved."))


@router.post("/documents/{document_id}/revisions")
async def open_draft(request: Request, document_id: IdPath, session: SessionDep, user: PageUser):
    document = _document(session, document_id)
    data = await form_data(request)
    try:
        revision = service.create_revision(
            session=session,
            by=user,
            document=document,
            change_summary=str(data.get("change_summary", "")),
        )
    except QMSError as exc:
        return _document_refused(request, session, user, document_id, exc, data)
    return redirect(request, f"/revisions/{revision.id}", flash=N_("A new draft was opened."))


@router.post("/documents/{document_id}/distribution")
async def distribute(request: Request, document_id: IdPath, session: SessionDep, user: PageUser):
    document = _document(session, document_id)
    data = await form_data(request)
    try:
        ids = [_int(v, "department_ids") for v in _list(data.get("department_ids"))]
        service.distribute(session=session, by=user, document=document, department_ids=ids)
    except QMSError as exc:
        return _document_refused(request, session, user, document_id, exc, data)
    return redirect(request, f"/documents/{document_id}", flash=N_("The distribution was saved."))


@router.post("/documents/{document_id}/periodic-review")
async def periodic_review(
    request: Request,
    document_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    document = _document(session, document_id)
    data = await form_data(request)
    try:
        service.record_periodic_review(
            session=session,
            by=user,
            document=document,
            comment=str(data.get("comment", "")),
            today=_today(settings),
        )
    except QMSError as exc:
        return _document_refused(request, session, user, document_id, exc, data)
    return redirect(
        request, f"/documents/{document_id}", flash=N_("The periodic review was recorded.")
    )


@router.post("/documents/{document_id}/obsolete")
async def make_obsolete(
    request: Request,
    document_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    document = _document(session, document_id)
    data = await form_data(request)
    try:
        # Off the event loop: the kept copy is rendered and signed again.
        await run_in_threadpool(
            partial(
                service.make_obsolete,
                session=session,
                by=user,
                document=document,
                reason=str(data.get("reason", "")),
                today=_today(settings),
                settings=settings,
                version=_version(data),
            )
        )
    except QMSError as exc:
        return _document_refused(request, session, user, document_id, exc, data)
    return redirect(request, f"/documents/{document_id}", flash=N_("The document is now obsolete."))


@router.get("/documents/{document_id}/history")
def history(request: Request, document_id: IdPath, session: SessionDep, user: PageUser):
    require(user, "document.read")
    document = _document(session, document_id)
    revisions = service.revisions_of(session=session, document=document)
    readable = [r for r in revisions if can(user, "revision.read", r)]
    names = service.people(
        session=session, ids=[i for r in revisions for i in (r.author_id, r.published_by_id)]
    )
    events = service.trail_of(session=session, document=document) if can(user, "trail.read") else []
    return render(
        request,
        "documents/history.html",
        {
            "document": document,
            "revisions": revisions,
            "readable": readable,
            "names": names,
            "signoffs": service.signoffs_for(session=session, revisions=revisions),
            "events": events,
            **LABELS,
        },
    )


@router.get("/documents/{document_id}/diff")
def diff_page(
    request: Request,
    document_id: IdPath,
    session: SessionDep,
    user: PageUser,
    a: int | None = Query(default=None, ge=1, le=MAX_ID),
    b: int | None = Query(default=None, ge=1, le=MAX_ID),
):
    require(user, "document.read")
    document = _document(session, document_id)
    # Without parameters: the newest revision the reader may see against the one before it.
    readable = [
        r
        for r in service.revisions_of(session=session, document=document)
        if can(user, "revision.read", r)
    ]
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
    service.read_revision(session=session, by=user, revision=revision)
    document = revision.document
    everyone = service.department_users(session=session)
    names = service.people(
        session=session,
        ids=[revision.author_id, revision.reviewer_id, revision.approver_id, document.owner_id],
    )
    author_id = revision.author_id or user.id
    return {
        "revision": revision,
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


def _revision(session, user, revision_id) -> Revision:
    revision = service.get_revision(session=session, revision_id=revision_id)
    # Only a person who may read the revision ever sees its page again with a refusal.
    require(user, "revision.read", revision)
    return revision


def _revision_refused(request, session, user, settings, revision_id, exc, data):
    session.rollback()
    data.pop("password", None)
    revision = service.get_revision(session=session, revision_id=revision_id)
    return refused(
        request,
        "documents/revision.html",
        exc,
        _revision_context(session, user, revision, settings, form=data),
    )


# Before /revisions/{revision_id}, which would otherwise take "5.pdf" as an id.
@router.get("/revisions/{revision_id}.pdf")
def controlled_copy(
    revision_id: IdPath, session: SessionDep, user: PageUser, settings: SettingsDep
):
    revision = service.get_revision(session=session, revision_id=revision_id)
    return pdf_response(session, user, revision, settings)


@router.get("/revisions/{revision_id}")
def revision_page(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    return render(
        request, "documents/revision.html", _revision_context(session, user, revision, settings)
    )


@router.post("/revisions/{revision_id}")
async def edit_revision(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        service.update_revision(
            session=session,
            by=user,
            revision=revision,
            version=_version(data),
            content_md=str(data.get("content_md", "")).replace("\r\n", "\n"),
            change_summary=str(data.get("change_summary", "")),
            remove_file=data.get("remove_file") == "on",
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(request, f"/revisions/{revision_id}", flash=N_("The draft was saved."))


@router.post("/revisions/{revision_id}/file")
async def upload_file(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    require(user, "revision.edit", revision)
    data = await form_data(request)
    upload = data.pop("file", None)
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid("Choose a file to attach.", field="file")
        service.attach_file(
            session=session,
            by=user,
            revision=revision,
            data=upload.file,
            filename=upload.filename,
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
            version=_version(data),
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(request, f"/revisions/{revision_id}", flash=N_("The file was attached."))


@router.get("/revisions/{revision_id}/file")
def download_file(revision_id: IdPath, session: SessionDep, user: PageUser, settings: SettingsDep):
    revision = service.get_revision(session=session, revision_id=revision_id)
    data = service.revision_file(
        session=session, by=user, revision=revision, files_dir=settings.files_dir
    )
    return file_response(revision, data)


@router.post("/revisions/{revision_id}/submit")
async def submit(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        service.submit(
            session=session,
            by=user,
            revision=revision,
            reviewer_id=_int(data.get("reviewer_id"), "reviewer_id"),
            approver_id=_int(data.get("approver_id"), "approver_id"),
            version=_version(data),
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(
        request, f"/revisions/{revision_id}", flash=N_("The revision was sent for review.")
    )


@router.post("/revisions/{revision_id}/review")
async def review(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        service.review(
            session=session,
            by=user,
            revision=revision,
            password=str(data.get("password", "")),
            comment=str(data.get("comment", "")),
            version=_version(data),
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(request, f"/revisions/{revision_id}", flash=N_("You signed the review."))


@router.post("/revisions/{revision_id}/return")
async def return_to_draft(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        service.return_to_draft(
            session=session,
            by=user,
            revision=revision,
            comment=str(data.get("return_comment", "")),
            version=_version(data),
        )
    except QMSError as exc:
        if exc.field == "comment":
            exc.field = "return_comment"
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(
        request, f"/revisions/{revision_id}", flash=N_("The revision was returned to its author.")
    )


@router.post("/revisions/{revision_id}/approve")
async def approve(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        service.approve(
            session=session,
            by=user,
            revision=revision,
            password=str(data.get("password", "")),
            comment=str(data.get("comment", "")),
            version=_version(data),
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(request, f"/revisions/{revision_id}", flash=N_("You signed the approval."))


@router.post("/revisions/{revision_id}/publish")
async def publish(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        # Off the event loop: publishing renders and signs the kept copies.
        await run_in_threadpool(
            partial(
                service.publish,
                session=session,
                by=user,
                revision=revision,
                today=_today(settings),
                settings=settings,
                effective_on=_date(data.get("effective_on"), "effective_on"),
                version=_version(data),
            )
        )
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
    return redirect(
        request, f"/documents/{revision.document_id}", flash=N_("The revision is now effective.")
    )


@router.post("/revisions/{revision_id}/acknowledge")
async def acknowledge(
    request: Request,
    revision_id: IdPath,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
):
    revision = _revision(session, user, revision_id)
    data = await form_data(request)
    try:
        require(user, "revision.acknowledge", revision)
        # Acknowledged on the revision's page, after its text, ticking what is acknowledged.
        if data.get("confirm") != "yes":
            raise Invalid(
                "Tick the box to confirm that you have read and understood this issue.",
                field="confirm",
            )
        service.acknowledge(session=session, by=user, revision=revision)
    except QMSError as exc:
        return _revision_refused(request, session, user, settings, revision_id, exc, data)
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
