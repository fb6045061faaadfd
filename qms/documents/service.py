"""The rules of document control: the register, revisions and their sign-offs, publication,
distribution and acknowledgement, periodic review and withdrawal."""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import case, column, func, or_, table
from sqlalchemy.orm import defer, lazyload
from sqlmodel import Session, col, select

from qms import files
from qms.auth.models import Department, Role, User, UserRole
from qms.auth.permissions import can, require
from qms.db import utcnow
from qms.documents import content, search
from qms.documents.models import (
    LIMITS,
    Acknowledgement,
    ControlledDocument,
    DocumentClause,
    DocumentDistribution,
    PeriodicReview,
    Revision,
    clause_key,
)
from qms.documents.permissions import may_approve_documents
from qms.documents.states import (
    ACKNOWLEDGE,
    APPROVE,
    ATTACH_FILE,
    DISTRIBUTE,
    EDIT,
    ISSUE,
    OBSOLETE,
    OPEN,
    OPEN_DRAFT,
    PERIODIC_REVIEW,
    PUBLISH,
    REISSUE,
    RETURN,
    REVIEW,
    SUBMIT,
    SUPERSEDE,
    UPDATE,
    WITHDRAW,
    DocumentStatus,
    Kind,
    RevisionStatus,
)
from qms.errors import Conflict, Invalid, NotFound, Problems, check_length, check_version
from qms.home.service import Slice, first_rows
from qms.i18n import N_
from qms.trail import service as trail
from qms.trail.models import Signature

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$")
CLAUSE = re.compile(r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,4}$")
DOCUMENT_FIELDS = (
    "title",
    "kind",
    "department_id",
    "owner_id",
    "clauses",
    "review_interval_months",
    "next_review_on",
)
MAX_PAGE = 200
# "All" in the register's status filter; without a status, obsolete documents are left out.
ALL = "all"

# The kinds of file a revision may carry (read from the bytes by qms.files).
FILE_KINDS = ("pdf", "docx", "xlsx", "odt")


def _as(action, by):
    """The action as `by` does it; without a person (an import, the command line) no
    permission is asked."""
    return action if by is not None else replace(action, permission=None)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- lookups ----------------------------------------------------------------------------


def get_document(*, session: Session, document_id: int) -> ControlledDocument:
    document = session.get(ControlledDocument, document_id)
    if document is None:
        raise NotFound("Document %(id)s does not exist.", id=document_id)
    return document


def get_revision(*, session: Session, revision_id: int) -> Revision:
    revision = session.get(Revision, revision_id)
    if revision is None:
        raise NotFound("Revision %(id)s does not exist.", id=revision_id)
    return revision


def read_document(
    *, session: Session, by: User, document: ControlledDocument
) -> ControlledDocument:
    """A document as the person may read it (its revisions: `read_revision`, `readable`)."""
    require(by, "document.read", document)
    return document


def readable(*, by: User, revisions: list[Revision]) -> list[Revision]:
    """The revisions the person may open: a draft is listed to those working on it."""
    return [r for r in revisions if can(by, "revision.read", r)]


def _of_document(query):
    """Revisions of a document the caller holds: its row is in the session already, so
    Revision.document is not joined again (with the document's clauses and distribution
    loaded again after it, two queries more per call)."""
    return query.options(lazyload(Revision.document))  # type: ignore[arg-type]


def revisions_of(*, session: Session, document: ControlledDocument) -> list[Revision]:
    return list(
        session.exec(
            _of_document(select(Revision))
            .where(Revision.document_id == document.id)
            .order_by(col(Revision.number).desc())
        ).all()
    )


def effective_revision(*, session: Session, document: ControlledDocument) -> Revision | None:
    return session.exec(
        _of_document(select(Revision)).where(
            Revision.document_id == document.id,
            Revision.status == RevisionStatus.effective.value,
        )
    ).first()


def current_revision(*, session: Session, document: ControlledDocument) -> Revision | None:
    """What the document reads as now: the effective revision, or for an obsolete document
    the last one published (shown with its watermark)."""
    return session.exec(
        _of_document(select(Revision))
        .where(
            Revision.document_id == document.id,
            col(Revision.status).in_(
                [RevisionStatus.effective.value, RevisionStatus.obsolete.value]
            ),
            col(Revision.published_at).is_not(None),
        )
        .order_by(col(Revision.number).desc())
    ).first()


def open_revision(*, session: Session, document: ControlledDocument) -> Revision | None:
    return session.exec(
        _of_document(select(Revision)).where(
            Revision.document_id == document.id,
            col(Revision.status).in_([s.value for s in OPEN]),
        )
    ).first()


def effective_revisions_for(*, session: Session, document_ids: list[int]) -> dict[int, Revision]:
    if not document_ids:
        return {}
    # The documents are the caller's: Revision.document is found in the session.
    rows = session.exec(
        _of_document(select(Revision)).where(
            col(Revision.document_id).in_(document_ids),
            Revision.status == RevisionStatus.effective.value,
        )
    ).all()
    return {row.document_id: row for row in rows}


def _named(query):
    """Users loaded for their names: their roles are not loaded with them (one query
    less; read lazily if ever needed)."""
    return query.options(lazyload(User.role_rows))  # type: ignore[arg-type]


def people(*, session: Session, ids) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        u.id: u for u in session.exec(_named(select(User)).where(col(User.id).in_(wanted))).all()
    }


def signoffs(*, session: Session, revision: Revision) -> list[Signature]:
    """The live review and approval signatures, in that order."""
    found = []
    for signature_id in (revision.review_signature_id, revision.approval_signature_id):
        if signature_id is not None:
            signature = session.get(Signature, signature_id)
            if signature is not None and signature.voided_at is None:
                found.append(signature)
    return found


def signoffs_for(*, session: Session, revisions: list[Revision]) -> dict[int, list[Signature]]:
    """signoffs() of each revision, in one query."""
    wanted = {
        i
        for r in revisions
        for i in (r.review_signature_id, r.approval_signature_id)
        if i is not None
    }
    found = (
        {
            s.id: s
            for s in session.exec(select(Signature).where(col(Signature.id).in_(wanted))).all()
        }
        if wanted
        else {}
    )
    return {
        r.id: [
            found[i]
            for i in (r.review_signature_id, r.approval_signature_id)
            if i in found and found[i].voided_at is None
        ]
        for r in revisions
    }


def void_signoffs(*, session: Session, revision: Revision) -> list[Signature]:
    """Signatures given to the revision and voided since (it went back to its author)."""
    return trail.voided_for(session=session, record_type="revision", record_id=revision.id)


# --- the register -----------------------------------------------------------------------


@dataclass
class RegisterPage:
    items: list[ControlledDocument]
    total: int
    limit: int
    offset: int
    # A search: the items are ranked by relevance; `more` when more documents matched
    # than were ranked (search.RANKED_AT_MOST, the newest of them).
    ranked: bool = False
    more: bool = False


def _register_query(
    session: Session,
    *,
    status: str | None = None,
    department_id: int | None = None,
    kind: str | None = None,
    clause: str | None = None,
    q: str | None = None,
):
    query = select(ControlledDocument)
    if not status:
        query = query.where(ControlledDocument.status != DocumentStatus.obsolete.value)
    elif status != ALL:
        try:
            query = query.where(ControlledDocument.status == DocumentStatus(status).value)
        except ValueError:
            raise Invalid("Choose a status from the list.", field="status") from None
    if department_id is not None:
        query = query.where(ControlledDocument.department_id == department_id)
    if kind:
        try:
            query = query.where(ControlledDocument.kind == Kind(kind).value)
        except ValueError:
            raise Invalid("Choose a kind of document from the list.", field="kind") from None
    if clause and clause.strip():
        clause = clause.strip()
        query = query.where(
            col(ControlledDocument.id).in_(
                select(DocumentClause.document_id).where(
                    or_(
                        DocumentClause.clause == clause,
                        col(DocumentClause.clause).startswith(clause + ".", autoescape=True),
                    )
                )
            )
        )
    if q and q.strip():
        matching = search.matching_ids_clause(session, q)
        if matching is not None:
            query = query.where(col(ControlledDocument.id).in_(matching))
    return query


def list_documents(
    *,
    session: Session,
    by: User,
    status: str | None = None,
    department_id: int | None = None,
    kind: str | None = None,
    clause: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RegisterPage:
    require(by, "document.list")
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    query = _register_query(
        session, status=status, department_id=department_id, kind=kind, clause=clause, q=q
    )
    rank = search.ranking(session, q) if q and q.strip() else None
    if rank is not None:
        return _ranked_page(session, query, rank, limit=limit, offset=offset)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = session.exec(
        query.order_by(col(ControlledDocument.code)).limit(limit).offset(offset)
    ).all()
    return RegisterPage(items=list(items), total=total, limit=limit, offset=offset)


def _ranked_page(session: Session, query, rank, *, limit: int, offset: int) -> RegisterPage:
    """The matching documents best first (ties: the newer first). Only the RANKED_AT_MOST
    newest matching documents are scored and counted, so the work is bounded by that, not
    by the register's size; the index is read from the oldest candidate's id on."""
    key, match, score = rank
    ids = query.with_only_columns(col(ControlledDocument.id)).order_by(
        col(ControlledDocument.id).desc()
    )
    counted = session.exec(
        select(func.count()).select_from(ids.limit(search.RANKED_AT_MOST + 1).subquery())
    ).one()
    candidates = ids.limit(search.RANKED_AT_MOST).cte("candidates")
    index = table("fts_document", column(key))
    ranked = session.exec(
        select(index.c[key])
        .join(candidates, candidates.c.id == index.c[key])
        .where(match, index.c[key] >= select(func.min(candidates.c.id)).scalar_subquery())
        .order_by(score, index.c[key].desc())
        .limit(limit)
        .offset(offset)
    ).all()
    found = {
        d.id: d
        for d in session.exec(
            select(ControlledDocument).where(col(ControlledDocument.id).in_(ranked))
        ).all()
    }
    return RegisterPage(
        items=[found[i] for i in ranked if i in found],
        total=min(counted, search.RANKED_AT_MOST),
        limit=limit,
        offset=offset,
        ranked=True,
        more=counted > search.RANKED_AT_MOST,
    )


def all_documents(
    *, session: Session, by: User | None = None, **filters
) -> list[ControlledDocument]:
    """Every document matching the filters (the export), in code order; `by` None: for
    another domain's own use (the documents a nonconformity may name)."""
    if by is not None:
        require(by, "document.list")
    query = _register_query(session, **filters)
    return list(session.exec(query.order_by(col(ControlledDocument.code))).all())


def _reindex(session: Session, document: ControlledDocument) -> None:
    effective = effective_revision(session=session, document=document)
    search.index_document(
        session=session,
        document_id=document.id,
        parts=[document.code, document.title, effective.content_md if effective else ""],
    )


def _clean_clauses(clauses) -> list[str]:
    cleaned: list[str] = []
    for clause in clauses or []:
        clause = str(clause).strip()
        if not clause:
            continue
        if not CLAUSE.match(clause):
            raise Invalid(
                "%(clause)s is not a clause number such as 7.5.2.", field="clauses", clause=clause
            )
        if clause not in cleaned:
            cleaned.append(clause)
    return sorted(cleaned, key=clause_key)


def _check_department(session: Session, department_id) -> None:
    if department_id is None or session.get(Department, department_id) is None:
        raise Invalid("Choose an owner department from the list.", field="department_id")


def _active_user(session: Session, user_id, field: str) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise Invalid("Choose an active person from the list.", field=field)
    return user


def _kind(value) -> str:
    try:
        return Kind(value).value
    except ValueError:
        raise Invalid("Choose a kind of document from the list.", field="kind") from None


def create_document(
    *,
    session: Session,
    by: User | None,
    code: str,
    title: str,
    kind: str,
    department_id: int,
    owner_id: int | None = None,
    clauses=(),
    review_interval_months: int = 12,
) -> ControlledDocument:
    if by is not None:
        require(by, "document.create")
    # Every field is checked before any is refused: a form shows all its messages at once.
    problems = Problems()
    code, title = (code or "").strip().upper(), (title or "").strip()
    if not CODE.match(code):
        problems.add(
            "Enter a code of letters, digits and - . / such as QT-03 (at most 20).",
            field="code",
        )
    if not title:
        problems.add("Enter the document's title.", field="title")
    problems.check(check_length, title, field="title", limit=LIMITS["title"])
    kind = problems.check(_kind, kind)
    problems.check(_check_department, session, department_id)
    if owner_id is None and by is not None:
        owner_id = by.id
    if owner_id is not None:
        problems.check(_active_user, session, owner_id, "owner_id")
    if not 1 <= int(review_interval_months) <= 120:
        problems.add(
            "The review interval is between 1 and 120 months.", field="review_interval_months"
        )
    clause_list = problems.check(_clean_clauses, clauses)
    problems.raise_any()
    if session.exec(select(ControlledDocument).where(ControlledDocument.code == code)).first():
        raise Conflict("A document with code %(code)s already exists.", field="code", code=code)
    document = ControlledDocument(
        code=code,
        title=title,
        kind=kind,
        department_id=department_id,
        owner_id=owner_id,
        review_interval_months=int(review_interval_months),
        clause_rows=[DocumentClause(clause=c) for c in clause_list],
    )
    session.add(document)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type="document",
        record_id=document.id,
        changes={
            "code": [None, code],
            "title": [None, title],
            "kind": [None, kind],
            "department_id": [None, department_id],
            "owner_id": [None, owner_id],
            "clauses": [None, clause_list],
            "review_interval_months": [None, document.review_interval_months],
        },
    )
    _reindex(session, document)
    return document


def update_document(
    *,
    session: Session,
    by: User | None,
    document: ControlledDocument,
    version: int | None,
    **fields,
) -> ControlledDocument:
    update = _as(UPDATE, by)
    update.require(session=session, user=by, record=document, version=version)
    if version is None:
        check_version(document, version)  # refused: it must be sent
    before = {name: getattr(document, name) for name in DOCUMENT_FIELDS}
    if "title" in fields and fields["title"] is not None:
        title = fields["title"].strip()
        if not title:
            raise Invalid("Enter the document's title.", field="title")
        document.title = check_length(title, field="title", limit=LIMITS["title"])
    if fields.get("kind") is not None:
        document.kind = _kind(fields["kind"])
    if fields.get("department_id") is not None:
        _check_department(session, fields["department_id"])
        document.department_id = fields["department_id"]
    if "owner_id" in fields and fields["owner_id"] is not None:
        _active_user(session, fields["owner_id"], "owner_id")
        document.owner_id = fields["owner_id"]
    if fields.get("review_interval_months") is not None:
        months = int(fields["review_interval_months"])
        if not 1 <= months <= 120:
            raise Invalid(
                "The review interval is between 1 and 120 months.",
                field="review_interval_months",
            )
        document.review_interval_months = months
    if fields.get("next_review_on") is not None:
        document.next_review_on = fields["next_review_on"]
    if fields.get("clauses") is not None:
        wanted = _clean_clauses(fields["clauses"])
        if wanted != document.clauses:
            document.clause_rows = [DocumentClause(clause=c) for c in wanted]
    changes = trail.changes_of(document, before, DOCUMENT_FIELDS)
    if not changes:
        return document
    update.apply(session=session, record=document, by=by, also=changes)
    _reindex(session, document)
    return document


# --- revisions --------------------------------------------------------------------------


def create_revision(
    *,
    session: Session,
    by: User | None,
    document: ControlledDocument,
    content_md: str | None = None,
    change_summary: str = "",
    source_path: str = "",
    source_sha256: str | None = None,
) -> Revision:
    """A new draft; without content it starts from the latest revision's text and file."""
    _as(OPEN_DRAFT, by).require(session=session, user=by, record=document)
    latest = session.exec(
        select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(col(Revision.number).desc())
    ).first()
    revision = Revision(
        document_id=document.id,
        number=latest.number + 1 if latest else 0,
        content_md=content_md if content_md is not None else (latest.content_md if latest else ""),
        change_summary=check_length(
            (change_summary or "").strip(),
            field="change_summary",
            limit=LIMITS["change_summary"],
        ),
        author_id=by.id if by is not None else None,
        source_path=source_path,
        source_sha256=source_sha256,
    )
    if content_md is None and latest is not None and latest.file_sha256:
        revision.file_sha256 = latest.file_sha256
        revision.file_name = latest.file_name
        revision.file_type = latest.file_type
        revision.file_size = latest.file_size
    session.add(revision)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="revision_created",
        record_type="revision",
        record_id=revision.id,
        changes={
            "document_id": [None, document.id],
            "number": [None, revision.number],
            "content_sha256": [None, _text_hash(revision.content_md)],
            "change_summary": [None, revision.change_summary],
            "source_path": [None, source_path or None],
        },
    )
    return revision


def _text_hash(value: str) -> str:
    return hashlib.sha256((value or "").encode("utf-8")).hexdigest()


def update_revision(
    *,
    session: Session,
    by: User | None,
    revision: Revision,
    version: int | None,
    content_md: str | None = None,
    change_summary: str | None = None,
    remove_file: bool = False,
    source_sha256: str | None = None,
) -> Revision:
    edit = _as(EDIT, by)
    edit.require(session=session, user=by, record=revision, version=version)
    if version is None:
        check_version(revision, version)  # refused: it must be sent
    changes = {}
    problems = Problems()
    if content_md is not None:
        problems.check(check_length, content_md, field="content_md", limit=LIMITS["content_md"])
    if change_summary is not None:
        problems.check(
            check_length,
            change_summary.strip(),
            field="change_summary",
            limit=LIMITS["change_summary"],
        )
    problems.raise_any()
    if content_md is not None and content_md != revision.content_md:
        changes["content_sha256"] = [_text_hash(revision.content_md), _text_hash(content_md)]
        revision.content_md = content_md
    if change_summary is not None and change_summary.strip() != revision.change_summary:
        changes["change_summary"] = [revision.change_summary, change_summary.strip()]
        revision.change_summary = change_summary.strip()
    if remove_file and revision.file_sha256:
        changes["file_sha256"] = [revision.file_sha256, None]
        revision.file_sha256, revision.file_name, revision.file_type = None, "", ""
        revision.file_size = None
    if source_sha256 is not None and source_sha256 != revision.source_sha256:
        changes["source_sha256"] = [revision.source_sha256, source_sha256]
        revision.source_sha256 = source_sha256
    if not changes:
        return revision
    edit.apply(session=session, record=revision, by=by, also=changes)
    return revision


def attach_file(
    *,
    session: Session,
    by: User,
    revision: Revision,
    data: bytes | BinaryIO,
    filename: str,
    files_dir: Path,
    max_bytes: int,
    version: int | None = None,
) -> Revision:
    ATTACH_FILE.require(session=session, user=by, record=revision, version=version)
    stored = files.keep(
        session,
        files_dir=files_dir,
        source=data,
        filename=filename,
        max_bytes=max_bytes,
        accept=FILE_KINDS,
    )
    changes = {
        "file_sha256": [revision.file_sha256, stored.sha256],
        "file_name": [revision.file_name or None, stored.name],
        "file_type": [revision.file_type or None, stored.kind],
    }
    revision.file_sha256, revision.file_name = stored.sha256, stored.name
    revision.file_type, revision.file_size = stored.kind, stored.size
    ATTACH_FILE.apply(session=session, record=revision, by=by, also=changes)
    return revision


def check_integrity(*, session: Session, revision: Revision) -> None:
    """Refuse (409) to serve frozen content that no longer matches its recorded hash, or
    whose hash is not the one its signatures bind to."""
    if revision.content_hash is None:
        return
    message = N_(
        "The content of revision %(label)s of %(code)s no longer matches the hash recorded "
        "when it was signed; it is not served. Tell the quality officer."
    )
    actual = content.content_hash(revision.content_md, revision.file_sha256)
    if actual != revision.content_hash:
        raise Conflict(message, label=revision.label, code=revision.document.code)
    for signature in signoffs(session=session, revision=revision):
        if signature.content_hash != revision.content_hash:
            raise Conflict(message, label=revision.label, code=revision.document.code)


def read_revision(*, session: Session, by: User, revision: Revision) -> Revision:
    """A revision as the person may read it: permitted, and checked when frozen."""
    require(by, "revision.read", revision)
    check_integrity(session=session, revision=revision)
    return revision


def revision_file(*, session: Session, by: User, revision: Revision, files_dir: Path) -> bytes:
    read_revision(session=session, by=by, revision=revision)
    if not revision.file_sha256:
        raise NotFound("Revision %(label)s has no file.", label=revision.label)
    return files.read_checked(files_dir=files_dir, sha256=revision.file_sha256, refuse=Conflict)


def submit(
    *,
    session: Session,
    by: User,
    revision: Revision,
    reviewer_id: int,
    approver_id: int,
    version: int | None = None,
) -> Revision:
    """Send a draft for review, naming its reviewer and approver (never the author)."""
    SUBMIT.require(session=session, user=by, record=revision, version=version)
    if not revision.content_md.strip() and not revision.file_sha256:
        raise Invalid(
            "Write the content or attach a file before sending it for review.", field="content_md"
        )
    reviewer = _active_user(session, reviewer_id, "reviewer_id")
    approver = _active_user(session, approver_id, "approver_id")
    # An imported draft has no drafter yet: whoever routes it answers for it.
    author_id = revision.author_id if revision.author_id is not None else by.id
    if reviewer.id == author_id:
        raise Conflict("The reviewer cannot be the author of the revision.", field="reviewer_id")
    if approver.id == author_id:
        raise Conflict("The approver cannot be the author of the revision.", field="approver_id")
    if approver.id == reviewer.id:
        raise Conflict(
            "The reviewer and the approver must be two different people.", field="approver_id"
        )
    if not may_approve_documents(approver):
        raise Conflict("The approver must be a manager or a quality officer.", field="approver_id")
    revision.author_id = author_id
    revision.reviewer_id, revision.approver_id = reviewer.id, approver.id
    revision.submitted_at = utcnow()
    revision.content_hash = content.content_hash(revision.content_md, revision.file_sha256)
    revision.return_comment = ""
    SUBMIT.apply(
        session=session,
        record=revision,
        by=by,
        also={
            "author_id": [None, author_id],
            "reviewer_id": [None, reviewer.id],
            "approver_id": [None, approver.id],
            "content_hash": [None, revision.content_hash],
        },
    )
    return revision


def _sign(
    *, session: Session, by: User, revision: Revision, password: str, meaning: str, comment: str
) -> Signature:
    check_integrity(session=session, revision=revision)
    return trail.sign(
        session=session,
        signer=by,
        password=password,
        meaning=meaning,
        record_type="revision",
        record_id=revision.id,
        content_hash=revision.content_hash,
        comment=check_length((comment or "").strip(), field="comment", limit=LIMITS["comment"]),
    )


def review(
    *,
    session: Session,
    by: User,
    revision: Revision,
    password: str,
    comment: str = "",
    version: int | None = None,
) -> Revision:
    """The reviewer's electronic signature (Người xem xét)."""
    REVIEW.require(session=session, user=by, record=revision, version=version)
    signature = _sign(
        session=session,
        by=by,
        revision=revision,
        password=password,
        meaning="reviewed",
        comment=comment,
    )
    revision.review_signature_id = signature.id
    revision.reviewed_at = signature.at
    REVIEW.apply(
        session=session,
        record=revision,
        by=by,
        also={"signature_id": [None, signature.id]},
        reason=signature.comment,
    )
    return revision


def approve(
    *,
    session: Session,
    by: User,
    revision: Revision,
    password: str,
    comment: str = "",
    version: int | None = None,
) -> Revision:
    """The approver's electronic signature (Người phê duyệt)."""
    APPROVE.require(session=session, user=by, record=revision, version=version)
    signature = _sign(
        session=session,
        by=by,
        revision=revision,
        password=password,
        meaning="approved",
        comment=comment,
    )
    revision.approval_signature_id = signature.id
    revision.approved_at = signature.at
    APPROVE.apply(
        session=session,
        record=revision,
        by=by,
        also={"signature_id": [None, signature.id]},
        reason=signature.comment,
    )
    return revision


def return_to_draft(
    *,
    session: Session,
    by: User,
    revision: Revision,
    comment: str,
    version: int | None = None,
) -> Revision:
    """Back to its author with a comment; signatures given so far become void."""
    RETURN.require(session=session, user=by, record=revision, version=version)
    comment = check_length((comment or "").strip(), field="comment", limit=LIMITS["comment"])
    if not comment:
        raise Invalid("Say what must change before the revision comes back.", field="comment")
    trail.void_signatures(
        session=session,
        actor=by,
        record_type="revision",
        record_id=revision.id,
        reason=comment,
    )
    revision.review_signature_id = None
    revision.reviewed_at = None
    revision.content_hash = None
    revision.return_comment = comment
    RETURN.apply(session=session, record=revision, by=by, reason=comment)
    return revision


def publish(
    *,
    session: Session,
    by: User,
    revision: Revision,
    today: date,
    settings,
    effective_on: date | None = None,
    version: int | None = None,
) -> Revision:
    """Make an approved revision effective; the one before it is superseded. The new
    revision's controlled copy is rendered, signed and kept; so is the superseded one's, with
    its watermark."""
    from qms.documents import copies

    PUBLISH.require(session=session, user=by, record=revision, version=version)
    document = revision.document
    effective_on = effective_on or today
    if effective_on > today:
        raise Invalid("The effective date cannot be in the future.", field="effective_on")
    check_integrity(session=session, revision=revision)
    if len(signoffs(session=session, revision=revision)) != 2:
        raise Conflict("A revision is published only with its review and approval signatures.")
    previous = effective_revision(session=session, document=document)
    if previous is not None:
        if previous.effective_on and effective_on < previous.effective_on:
            raise Invalid(
                "The effective date cannot be before that of the revision it replaces (%(date)s).",
                field="effective_on",
                date=previous.effective_on.isoformat(),
            )
        previous.superseded_on = effective_on
        SUPERSEDE.apply(
            session=session,
            record=previous,
            by=by,
            also={"superseded_by": [None, revision.id]},
        )
    revision.effective_on = effective_on
    PUBLISH.apply(
        session=session,
        record=revision,
        by=by,
        also={
            "effective_on": [None, effective_on],
            "content_hash": [None, revision.content_hash],
        },
    )
    if document.status == DocumentStatus.draft.value:
        ISSUE.apply(session=session, record=document, by=by)
    before_review = document.next_review_on
    next_review_on = add_months(effective_on, document.review_interval_months)
    REISSUE.apply(
        session=session,
        record=document,
        by=by,
        changes={"next_review_on": next_review_on},
        also={
            "effective_revision": [previous.label if previous else None, revision.label],
            "next_review_on": [before_review, next_review_on],
        },
    )
    _reindex(session, document)
    copies.keep_copy(session=session, by=by, revision=revision, settings=settings)
    if previous is not None:
        copies.rekeep_if_kept(session=session, by=by, revision=previous, settings=settings)
    return revision


# --- distribution and acknowledgement ---------------------------------------------------


def distribute(
    *, session: Session, by: User, document: ControlledDocument, department_ids
) -> ControlledDocument:
    DISTRIBUTE.require(session=session, user=by, record=document)
    wanted = sorted({int(i) for i in department_ids})
    if wanted:
        known = set(session.exec(select(Department.id).where(col(Department.id).in_(wanted))).all())
        if known != set(wanted):
            raise Invalid("Choose departments from the list.", field="department_ids")
    before = sorted(document.distributed_to)
    if before == wanted:
        return document
    keep = [row for row in document.distribution_rows if row.department_id in wanted]
    added = [DocumentDistribution(department_id=i) for i in wanted if i not in before]
    document.distribution_rows = keep + added
    DISTRIBUTE.apply(
        session=session, record=document, by=by, also={"distributed_to": [before, wanted]}
    )
    return document


def acknowledge(
    *, session: Session, by: User, revision: Revision, confirmed: bool = True
) -> Acknowledgement:
    """'Read and understood' (Đã đọc và hiểu), once per person and effective revision;
    `confirmed`: the person ticked that they did (the page asks, after the text)."""
    require(by, ACKNOWLEDGE.permission, revision)
    if not confirmed:
        raise Invalid(
            "Tick the box to confirm that you have read and understood this issue.",
            field="confirm",
        )
    ACKNOWLEDGE.require(session=session, user=by, record=revision)
    check_integrity(session=session, revision=revision)
    existing = session.exec(
        select(Acknowledgement).where(
            Acknowledgement.revision_id == revision.id, Acknowledgement.user_id == by.id
        )
    ).first()
    if existing is not None:
        raise Conflict("You already acknowledged revision %(label)s.", label=revision.label)
    row = Acknowledgement(revision_id=revision.id, user_id=by.id)
    session.add(row)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action=ACKNOWLEDGE.name,
        record_type="revision",
        record_id=revision.id,
        changes={"acknowledgement_id": [None, row.id]},
    )
    return row


def acknowledged_by(*, session: Session, revision: Revision | None, user: User) -> bool:
    if revision is None:
        return False
    return (
        session.exec(
            select(Acknowledgement.id).where(
                Acknowledgement.revision_id == revision.id, Acknowledgement.user_id == user.id
            )
        ).first()
        is not None
    )


@dataclass
class Reader:
    user: User
    acknowledged_at: object = None


@dataclass
class Readers:
    revision: Revision | None
    acknowledged: list[Reader]
    pending: list[Reader]


def readers(
    *, session: Session, by: User, document: ControlledDocument, quietly: bool = False
) -> Readers | None:
    """Who in the departments it is distributed to has, and has not, acknowledged the
    effective revision; `quietly`: None, not a refusal, for one who may not see it (the
    document's page shows it only to those who may)."""
    if quietly and not can(by, "document.readers", document):
        return None
    require(by, "document.readers", document)
    revision = effective_revision(session=session, document=document)
    if revision is None or not document.distributed_to:
        return Readers(revision, [], [])
    staff = session.exec(
        select(User)
        .where(col(User.department_id).in_(document.distributed_to), col(User.is_active))
        .order_by(col(User.full_name))
    ).all()
    done = {
        row.user_id: row.acknowledged_at
        for row in session.exec(
            select(Acknowledgement).where(Acknowledgement.revision_id == revision.id)
        ).all()
    }
    acknowledged = [Reader(u, done[u.id]) for u in staff if u.id in done]
    pending = [Reader(u) for u in staff if u.id not in done]
    return Readers(revision, acknowledged, pending)


def _to_read_query(user: User):
    acknowledged = select(Acknowledgement.revision_id).where(Acknowledgement.user_id == user.id)
    return (
        select(Revision, ControlledDocument)
        .join(ControlledDocument, col(ControlledDocument.id) == col(Revision.document_id))
        .join(
            DocumentDistribution,
            col(DocumentDistribution.document_id) == col(ControlledDocument.id),
        )
        .where(
            Revision.status == RevisionStatus.effective.value,
            ControlledDocument.status == DocumentStatus.effective.value,
            DocumentDistribution.department_id == user.department_id,
            col(Revision.id).not_in(acknowledged),
        )
        .options(*_ROW_ONLY)
    )


def to_read(*, session: Session, user: User) -> list[Revision]:
    """Effective revisions distributed to the person's department that they have not
    acknowledged yet."""
    require(user, "document.read")
    if user.department_id is None:
        return []
    query = _to_read_query(user).order_by(col(ControlledDocument.code))
    return [revision for revision, _ in session.exec(query).all()]


def first_to_read(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """The `limit` longest in force of `to_read`, as (revision, document) rows, and how
    many there are."""
    if user.department_id is None:
        return Slice([], 0)
    return first_rows(
        session,
        _to_read_query(user),
        order_by=[col(Revision.effective_on), col(Revision.id)],
        limit=limit,
        overdue=col(Revision.effective_on) < today - timedelta(days=ACKNOWLEDGE_WITHIN_DAYS),
    )


# --- periodic review and withdrawal -----------------------------------------------------


def record_periodic_review(
    *, session: Session, by: User, document: ControlledDocument, comment: str, today: date
) -> PeriodicReview:
    """'Reviewed, no change': the document stays as it is until its next review date."""
    PERIODIC_REVIEW.require(session=session, user=by, record=document)
    comment = check_length((comment or "").strip(), field="comment", limit=LIMITS["comment"])
    if not comment:
        raise Invalid("Say what the review found.", field="comment")
    revision = effective_revision(session=session, document=document)
    previous = document.next_review_on
    row = PeriodicReview(
        document_id=document.id,
        revision_id=revision.id,
        reviewed_on=today,
        by_id=by.id,
        comment=comment,
        previous_review_on=previous,
        next_review_on=add_months(today, document.review_interval_months),
    )
    session.add(row)
    PERIODIC_REVIEW.apply(
        session=session,
        record=document,
        by=by,
        changes={"next_review_on": row.next_review_on},
        also={"next_review_on": [previous, row.next_review_on]},
        reason=comment,
    )
    return row


def periodic_reviews(*, session: Session, document: ControlledDocument) -> list[PeriodicReview]:
    return list(
        session.exec(
            select(PeriodicReview)
            .where(PeriodicReview.document_id == document.id)
            .order_by(col(PeriodicReview.id).desc())
        ).all()
    )


def make_obsolete(
    *,
    session: Session,
    by: User,
    document: ControlledDocument,
    reason: str,
    today: date,
    settings,
    version: int | None = None,
) -> ControlledDocument:
    """Withdraw a document: kept with its history, its revisions marked obsolete (the kept
    copy of the one in force is kept again with its watermark)."""
    from qms.documents import copies

    OBSOLETE.require(session=session, user=by, record=document, version=version)
    reason = check_length((reason or "").strip(), field="reason", limit=LIMITS["reason"])
    if not reason:
        raise Invalid("Say why the document is withdrawn.", field="reason")
    OBSOLETE.apply(
        session=session,
        record=document,
        by=by,
        changes={"obsolete_on": today, "obsolete_reason": reason, "next_review_on": None},
        reason=reason,
    )
    withdrawn = [
        revision
        for revision in revisions_of(session=session, document=document)
        if RevisionStatus(revision.status) in WITHDRAW.sources
    ]
    for revision in withdrawn:
        WITHDRAW.apply(session=session, record=revision, by=by, reason=reason)
    for revision in withdrawn:
        copies.rekeep_if_kept(session=session, by=by, revision=revision, settings=settings)
    return document


# --- history ----------------------------------------------------------------------------


def trail_of(*, session: Session, by: User, document: ControlledDocument):
    """The trail events of the document and of all its revisions, in order; none for one
    who may not read the trail."""
    if not can(by, "trail.read"):
        return []
    events = list(trail.events_for(session=session, record_type="document", record_id=document.id))
    for revision in revisions_of(session=session, document=document):
        events.extend(
            trail.events_for(session=session, record_type="revision", record_id=revision.id)
        )
    return sorted(events, key=lambda e: e.seq)


def diff(*, session: Session, by: User, old: Revision, new: Revision):
    if old.document_id != new.document_id:
        raise Invalid("Compare two revisions of the same document.", field="b")
    for revision in (old, new):
        read_revision(session=session, by=by, revision=revision)
    return content.diff_text(old.content_md, new.content_md)


# --- work lists -------------------------------------------------------------------------


# Work lists select the revision and its document side by side: no eager loading of the
# document again, of its clauses or of its distribution (each an extra query or join), and
# not the revision's text (read lazily should anything want it).
_DOCUMENT_ONLY = (
    lazyload(ControlledDocument.clause_rows),
    lazyload(ControlledDocument.distribution_rows),
)
_ROW_ONLY = (lazyload(Revision.document), defer(Revision.content_md), *_DOCUMENT_ONLY)


def _waiting_query(user: User, status: RevisionStatus):
    """Revisions at `status` that wait for this person's signature or action, with their
    document; None when nothing at that status can wait for them."""
    query = (
        select(Revision, ControlledDocument)
        .join(ControlledDocument, col(ControlledDocument.id) == col(Revision.document_id))
        .where(Revision.status == status.value)
        .options(*_ROW_ONLY)
    )
    if status == RevisionStatus.in_review:
        return query.where(Revision.reviewer_id == user.id)
    if status == RevisionStatus.reviewed:
        return query.where(Revision.approver_id == user.id)
    if status == RevisionStatus.approved:
        return query if user.has_role(Role.quality_officer) else None
    if status == RevisionStatus.draft:
        return query.where(Revision.author_id == user.id, Revision.return_comment != "")
    return None


@dataclass
class ToSign:
    to_review: list[Revision]
    to_approve: list[Revision]
    to_publish: list[Revision]
    returned: list[Revision]
    reviews_due: list[ControlledDocument]


def to_sign(*, session: Session, by: User, before: date) -> ToSign:
    """What waits for the person's signature or hand, and the periodic reviews they owe
    before `before`."""
    require(by, "document.read")
    return ToSign(
        *(
            waiting_for(session=session, user=by, status=status)
            for status in (
                RevisionStatus.in_review,
                RevisionStatus.reviewed,
                RevisionStatus.approved,
                RevisionStatus.draft,
            )
        ),
        reviews_due=reviews_due(session=session, user=by, before=before),
    )


def waiting_for(*, session: Session, user: User, status: RevisionStatus) -> list[Revision]:
    """Revisions at `status` that wait for this person's signature or action."""
    query = _waiting_query(user, status)
    if query is None:
        return []
    order = (col(Revision.submitted_at), col(Revision.id))
    return [revision for revision, _ in session.exec(query.order_by(*order)).all()]


def first_waiting_for(
    *, session: Session, user: User, status: RevisionStatus, today: date, limit: int
) -> Slice:
    """The longest-waiting `limit` of `waiting_for`, as (revision, document) rows, and how
    many there are."""
    query = _waiting_query(user, status)
    if query is None:
        return Slice([], 0)
    # What waits for no signature (publication, a returned draft): since it was sent.
    since = func.coalesce(_waiting_since_column(), col(Revision.submitted_at))
    return first_rows(
        session,
        query,
        order_by=[since, col(Revision.id)],
        limit=limit,
        overdue=since < _start_of(today - timedelta(days=SIGN_WITHIN_DAYS)),
    )


# Since when a revision has waited for the signature it waits for, by its status: the first
# of these moments it has (a review since it was sent; an approval since it was reviewed, or
# sent). At any other status it waits for no signature. Read by `waiting_since` for one
# revision and by `_waiting_since_column` in queries.
SIGNATURE_WAITS_SINCE = {
    RevisionStatus.in_review: ("submitted_at",),
    RevisionStatus.reviewed: ("reviewed_at", "submitted_at"),
}


def waiting_since(revision: Revision) -> datetime | None:
    for name in SIGNATURE_WAITS_SINCE.get(RevisionStatus(revision.status), ()):
        moment = getattr(revision, name)
        if moment is not None:
            return moment
    return None


def _waiting_since_column():
    """`waiting_since` as a column (NULL: waiting for no signature)."""

    def first_of(names):
        columns = [col(getattr(Revision, name)) for name in names]
        return columns[0] if len(columns) == 1 else func.coalesce(*columns)

    return case(
        *[
            (Revision.status == status.value, first_of(names))
            for status, names in SIGNATURE_WAITS_SINCE.items()
        ],
        else_=None,
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def signing_due_on(revision: Revision) -> date | None:
    """The office day a review or an approval is due (what the reminders count from)."""
    since = waiting_since(revision)
    return _office_day(since) + timedelta(days=SIGN_WITHIN_DAYS) if since else None


def acknowledge_due_on(revision: Revision) -> date | None:
    if revision.effective_on is None:
        return None
    return revision.effective_on + timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)


def _reviews_due_query(user: User, before: date):
    query = (
        select(ControlledDocument)
        .options(*_DOCUMENT_ONLY)
        .where(
            ControlledDocument.status == DocumentStatus.effective.value,
            col(ControlledDocument.next_review_on).is_not(None),
            col(ControlledDocument.next_review_on) <= before,
        )
    )
    if not user.has_role(Role.quality_officer):
        query = query.where(ControlledDocument.owner_id == user.id)
    return query


def reviews_due(*, session: Session, user: User, before: date) -> list[ControlledDocument]:
    """Effective documents whose periodic review falls before `before`: all of them for a
    quality officer, one's own for an owner."""
    query = _reviews_due_query(user, before)
    return list(session.exec(query.order_by(col(ControlledDocument.next_review_on))).all())


def first_reviews_due(
    *, session: Session, user: User, before: date, today: date, limit: int
) -> Slice:
    """The `limit` most urgent of `reviews_due`, how many there are and how many overdue."""
    return first_rows(
        session,
        _reviews_due_query(user, before),
        order_by=[col(ControlledDocument.next_review_on), col(ControlledDocument.id)],
        limit=limit,
        overdue=col(ControlledDocument.next_review_on) < today,
    )


def figures(*, session: Session, today: date) -> dict[str, int]:
    by_status = dict(
        session.exec(
            select(ControlledDocument.status, func.count()).group_by(ControlledDocument.status)
        ).all()
    )
    revisions = dict(
        session.exec(
            select(Revision.status, func.count())
            .where(col(Revision.status).in_([s.value for s in OPEN]))
            .group_by(Revision.status)
        ).all()
    )
    overdue = session.exec(
        select(func.count()).where(
            ControlledDocument.status == DocumentStatus.effective.value,
            col(ControlledDocument.next_review_on) < today,
        )
    ).one()
    return {
        "draft": by_status.get("draft", 0),
        "effective": by_status.get("effective", 0),
        "obsolete": by_status.get("obsolete", 0),
        "in_review": revisions.get("in_review", 0),
        "reviewed": revisions.get("reviewed", 0),
        "approved": revisions.get("approved", 0),
        "overdue_reviews": overdue,
    }


def department_users(*, session: Session) -> list[User]:
    return list(
        session.exec(select(User).where(col(User.is_active)).order_by(col(User.full_name))).all()
    )


def approvers(*, session: Session) -> list[User]:
    """People with the authority to approve documents (for the submit form)."""
    rows = session.exec(
        select(User)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(
            col(User.is_active),
            col(UserRole.role).in_([Role.manager.value, Role.quality_officer.value]),
        )
        .order_by(col(User.full_name))
    ).all()
    unique: dict[int, User] = {}
    for user in rows:
        unique.setdefault(user.id, user)
    return list(unique.values())


# --- what falls due (for the reminder sweep) ---------------------------------------------

# A revision waiting for a signature is due this many days after it was routed.
SIGN_WITHIN_DAYS = 7
# Staff are asked to acknowledge an effective revision within this many days, and are
# reminded (weekly once late) for at most this many more.
ACKNOWLEDGE_WITHIN_DAYS = 14
ACKNOWLEDGE_REMINDED_FOR_DAYS = 56


def periodic_reviews_due(*, session: Session, until: date, due_in=None) -> list[ControlledDocument]:
    """Effective documents whose periodic review date is on or before `until` (and, given
    `due_in`, a condition on that column: the reminder sweep's windows)."""
    query = select(ControlledDocument).where(
        ControlledDocument.status == DocumentStatus.effective.value,
        col(ControlledDocument.next_review_on).is_not(None),
        col(ControlledDocument.next_review_on) <= until,
    )
    if due_in is not None:
        query = query.where(due_in(col(ControlledDocument.next_review_on)))
    return list(session.exec(query.order_by(col(ControlledDocument.next_review_on))).all())


def _office_day(moment: datetime) -> date:
    """The day a moment falls on in the office's time zone (a stored naive moment is UTC)."""
    from qms.config import get_settings

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(get_settings().tz).date()


def signatures_waiting(*, session: Session) -> list[tuple[Revision, int, date]]:
    """Revisions waiting for a review or an approval: (revision, signer id, due date)."""
    waiting = []
    rows = session.exec(
        select(Revision).where(col(Revision.status).in_([s.value for s in SIGNATURE_WAITS_SINCE]))
    ).all()
    for revision in rows:
        reviewing = revision.status == RevisionStatus.in_review.value
        signer = revision.reviewer_id if reviewing else revision.approver_id
        due_on = signing_due_on(revision)
        if signer is not None and due_on is not None:
            waiting.append((revision, signer, due_on))
    return waiting


def acknowledgements_due(
    *, session: Session, as_of: date, effective_in=None
) -> list[tuple[Revision, date, dict[int, list[int]]]]:
    """Effective revisions recently distributed whose readers have not all acknowledged
    them: (revision, due date, {department id: its active users who have not}). Older
    ones are left to the document page's reader list. `effective_in`, given, is a
    condition on the effective-date column (the reminder sweep's windows, shifted)."""
    oldest = as_of - timedelta(days=ACKNOWLEDGE_WITHIN_DAYS + ACKNOWLEDGE_REMINDED_FOR_DAYS)
    query = (
        select(Revision)
        .join(ControlledDocument, col(ControlledDocument.id) == col(Revision.document_id))
        .where(
            Revision.status == RevisionStatus.effective.value,
            ControlledDocument.status == DocumentStatus.effective.value,
            col(Revision.effective_on).is_not(None),
            col(Revision.effective_on) >= oldest,
        )
    )
    if effective_in is not None:
        query = query.where(effective_in(col(Revision.effective_on)))
    revisions = session.exec(query).all()
    due = []
    for revision in revisions:
        departments = select(DocumentDistribution.department_id).where(
            DocumentDistribution.document_id == revision.document_id
        )
        acknowledged = select(Acknowledgement.user_id).where(
            Acknowledgement.revision_id == revision.id
        )
        readers: dict[int, list[int]] = {}
        for user_id, department_id in session.exec(
            select(User.id, User.department_id).where(
                col(User.is_active).is_(True),
                col(User.department_id).in_(departments),
                col(User.id).not_in(acknowledged),
            )
        ).all():
            readers.setdefault(department_id, []).append(user_id)
        if readers:
            due_on = revision.effective_on + timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
            due.append((revision, due_on, readers))
    return due


# --- certification evidence -----------------------------------------------------------


def evidence(*, session: Session, start: date, end: date, today: date):
    """The documents in force (maintained documented information), each with its kind, its
    clauses and its kept controlled copy, a page at a time; a gap for each one past its review
    date; and the requirements the scope document in force declares not applicable (4.3)."""
    from qms.evidence_records import Gap, Item, Register, pages

    yield Register("documents", "/documents?status=effective")
    yield from scope_exclusions(session=session)
    in_force = ControlledDocument.status == DocumentStatus.effective.value
    # Columns, not records, a page at a time: at a full office this is every document in
    # force, and the revisions' text is not needed here.
    query = select(
        ControlledDocument.id,
        ControlledDocument.code,
        ControlledDocument.title,
        ControlledDocument.kind,
        ControlledDocument.next_review_on,
    ).where(in_force)
    for rows in pages(session, query, keys=(col(ControlledDocument.code),), key=lambda r: (r[1],)):
        ids = [row[0] for row in rows]
        clauses: dict[int, list[str]] = {}
        for document_id, clause in session.exec(
            select(DocumentClause.document_id, DocumentClause.clause).where(
                col(DocumentClause.document_id).in_(ids)
            )
        ).all():
            clauses.setdefault(document_id, []).append(clause)
        revisions = {
            document_id: (revision_id, effective_on)
            for document_id, revision_id, effective_on in session.exec(
                select(Revision.document_id, Revision.id, Revision.effective_on).where(
                    col(Revision.document_id).in_(ids),
                    Revision.status == RevisionStatus.effective.value,
                )
            ).all()
        }
        for document_id, code, title, kind, next_review_on in rows:
            revision_id, effective_on = revisions.get(document_id, (None, None))
            yield Item(
                source="documents",
                code=code,
                title=title,
                href=f"/documents/{document_id}",
                on=effective_on,
                kept_kind="controlled_copy" if revision_id else None,
                kept_id=revision_id,
                document_kind=kind,
                clauses=tuple(sorted(clauses.get(document_id, []), key=clause_key)),
            )
            if next_review_on is not None and next_review_on < today:
                yield Gap(
                    source="documents.review",
                    message=N_("%(code)s %(title)s is past its review date (%(due)s)."),
                    params={"code": code, "title": title, "due": next_review_on.isoformat()},
                    href=f"/documents/{document_id}",
                )


# A heading of the scope document over its exclusions: "4. Các yêu cầu của tiêu chuẩn không
# áp dụng", "Requirements not applicable", "Exclusions".
EXCLUSIONS_HEADING = re.compile(r"không áp dụng|loại trừ|not applicable|exclusion", re.IGNORECASE)
CLAUSE_CELL = re.compile(r"^\d{1,2}(\.\d{1,2}){0,4}$")


def exclusions_in(markdown: str) -> list[tuple[str, str, str]]:
    """(clause, what it is, justification) of each row of the tables under the scope
    document's heading of requirements not applicable: a row whose first cell is a clause
    (`| 8.3 | Thiết kế và phát triển | Lý giải … |`); its last cell is the justification."""
    found = []
    level = 0  # the heading level of the exclusions' section while inside it
    for line in markdown.splitlines():
        text = line.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", text)
        if heading:
            depth = len(heading.group(1))
            if level and depth <= level:
                level = 0
            if not level and EXCLUSIONS_HEADING.search(heading.group(2)):
                level = depth
            continue
        if not level or not text.startswith("|"):
            continue
        cells = [c.strip().strip("*_ ").strip() for c in text.strip("|").split("|")]
        if len(cells) < 2 or not CLAUSE_CELL.match(cells[0]) or not cells[-1]:
            continue
        found.append((cells[0], cells[1] if len(cells) > 2 else "", cells[-1]))
    return found


def scope_exclusions(*, session: Session):
    """4.3: the requirements each scope document in force declares not applicable, read from
    the text of its effective revision (as approved and signed), in the order it gives them.
    A scope kept only as an uploaded file declares none that this system can read."""
    from qms.evidence_records import Exclusion

    rows = session.exec(
        select(ControlledDocument.id, ControlledDocument.code, Revision.content_md)
        .join(Revision, col(Revision.document_id) == ControlledDocument.id)
        .where(
            ControlledDocument.kind == Kind.scope.value,
            ControlledDocument.status == DocumentStatus.effective.value,
            Revision.status == RevisionStatus.effective.value,
        )
        .order_by(col(ControlledDocument.code))
    ).all()
    for document_id, code, markdown in rows:
        for clause, title, justification in exclusions_in(markdown or ""):
            yield Exclusion(
                clause=clause,
                title=title,
                justification=justification,
                code=code,
                href=f"/documents/{document_id}",
            )


# --- a manager's home: the department's open work (issue 19.10) ---------------------------

# Revisions on their way to taking effect: waiting for a review, an approval, publication.
WAITING = (RevisionStatus.in_review, RevisionStatus.reviewed, RevisionStatus.approved)


def department_revisions_waiting(
    *, session: Session, department_id: int, today: date, limit: int
) -> Slice:
    """(revision, document) rows of the department's documents' revisions waiting for a
    signature or for publication, those waiting longest for a signature first (a review or
    approval is due SIGN_WITHIN_DAYS after it was asked for: past that, overdue)."""
    since = _waiting_since_column()
    query = (
        select(Revision, ControlledDocument)
        .join(ControlledDocument, col(ControlledDocument.id) == col(Revision.document_id))
        .where(
            ControlledDocument.department_id == department_id,
            col(Revision.status).in_([s.value for s in WAITING]),
        )
        .options(*_ROW_ONLY)
    )
    return first_rows(
        session,
        query,
        order_by=[since.is_(None), since, col(Revision.id)],
        limit=limit,
        overdue=since < _start_of(today - timedelta(days=SIGN_WITHIN_DAYS)),
    )
