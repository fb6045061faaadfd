"""The controlled copy of a revision (Bản kiểm soát) as a PDF."""

from __future__ import annotations

from sqlmodel import Session

from qms.auth.models import Department, User
from qms.documents import content, service
from qms.documents.models import Revision
from qms.documents.states import KIND_LABELS, PUBLISHED, Kind, RevisionStatus
from qms.i18n import N_, gettext
from qms.reports.pdf import render_template

# The copy's mark, and the watermark across every page of a copy that is not in force.
IN_FORCE = N_("CONTROLLED COPY")
NOT_IN_FORCE = N_("NO LONGER IN FORCE")
DRAFT = N_("DRAFT")


def controlled_copy(
    *,
    session: Session,
    by: User,
    revision: Revision,
    organisation: str,
    lang: str,
    timezone: str,
    timeout: float,
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
    }
    return render_template(
        "pdf/controlled_copy.html", context, lang=lang, timezone=timezone, timeout=timeout
    )
