"""The controlled copy of a revision (Bản kiểm soát) as a PDF."""

from __future__ import annotations

from sqlmodel import Session

from qms.auth.models import Department, User
from qms.documents import content, service
from qms.documents.models import Revision
from qms.documents.states import KIND_LABELS, PUBLISHED, Kind, RevisionStatus
from qms.i18n import N_, gettext
from qms.reports import service as reports
from qms.reports.pdf import render_template

# The copy's mark, and the watermark across every page of a copy that is not in force.
IN_FORCE = N_("CONTROLLED COPY")
NOT_IN_FORCE = N_("NO LONGER IN FORCE")
DRAFT = N_("DRAFT")


KEPT_KIND = "controlled_copy"


def keep_copy(*, session: Session, by: User, revision: Revision, settings) -> None:
    """The revision's controlled copy as it stands now (in force, or with its watermark),
    rendered once in the organisation's language, signed and kept (qms.reports)."""
    data = controlled_copy(
        session=session,
        by=by,
        revision=revision,
        organisation=settings.organisation,
        lang=settings.lang,
        timezone=settings.timezone,
        timeout=settings.pdf_timeout,
        signature_block=reports.signature_block(settings),
    )
    reports.keep_signed(
        session=session,
        settings=settings,
        record_kind=KEPT_KIND,
        record_id=revision.id,
        record_code=f"{revision.document.code} rev {revision.label}",
        pdf_bytes=data,
        by=by,
    )


def rekeep_if_kept(*, session: Session, by: User, revision: Revision, settings) -> None:
    """A revision no longer in force: its kept copy replaced by one with the watermark."""
    if reports.current(session=session, record_kind=KEPT_KIND, record_id=revision.id):
        keep_copy(session=session, by=by, revision=revision, settings=settings)


def copy_for(*, session: Session, by: User, revision: Revision, settings) -> bytes:
    """What a download gets: the kept, signed copy of a published revision; a copy rendered
    now (with its DRAFT mark) for a revision not yet published or kept."""
    service.read_revision(session=session, by=by, revision=revision)
    kept = reports.current(session=session, record_kind=KEPT_KIND, record_id=revision.id)
    if kept is not None:
        return reports.kept_file(settings=settings, kept=kept)
    return controlled_copy(
        session=session,
        by=by,
        revision=revision,
        organisation=settings.organisation,
        lang=settings.lang,
        timezone=settings.timezone,
        timeout=settings.pdf_timeout,
    )


def controlled_copy(
    *,
    session: Session,
    by: User,
    revision: Revision,
    organisation: str,
    lang: str,
    timezone: str,
    timeout: float,
    signature_block: dict | None = None,
) -> bytes:
    """The revision as the office prints it: header block on every page with code, issue,
    effective date and page X/Y; the three sign-offs; the content; a watermark when it is
    not (or no longer) in force. Refused (409) if its content fails the hash check."""
    service.read_revision(session=session, by=by, revision=revision)
    document = revision.document
    status = RevisionStatus(revision.status)
    if status == RevisionStatus.effective:
        mark, watermark = IN_FORCE, None
    elif status in PUBLISHED:
        mark = watermark = NOT_IN_FORCE
    else:
        mark = watermark = DRAFT
    names = service.people(
        session=session, ids=[revision.author_id, revision.reviewer_id, revision.approver_id]
    )
    signatures = {s.meaning: s for s in service.signoffs(session=session, revision=revision)}
    context = {
        "organisation": organisation,
        "document": document,
        "department": session.get(Department, document.department_id),
        "kind_label": KIND_LABELS[Kind(document.kind)],
        "revision": revision,
        "author": names.get(revision.author_id),
        "reviewer": names.get(revision.reviewer_id),
        "approver": names.get(revision.approver_id),
        "review_signature": signatures.get("reviewed"),
        "approval_signature": signatures.get("approved"),
        "void_signatures": service.void_signoffs(session=session, revision=revision),
        "copy_label": gettext(lang, mark),
        "watermark": gettext(lang, watermark) if watermark else None,
        "content_html": content.render_markdown(revision.content_md),
        "signature_block": signature_block,
    }
    return render_template(
        "pdf/controlled_copy.html", context, lang=lang, timezone=timezone, timeout=timeout
    )
