"""The life of a revision and of a controlled document, declared once as data."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_
from qms.trail import service as trail


class RevisionStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"
    reviewed = "reviewed"
    approved = "approved"
    effective = "effective"
    superseded = "superseded"
    # The document was withdrawn while this revision was its current or open one.
    obsolete = "obsolete"


class DocumentStatus(StrEnum):
    draft = "draft"  # no revision has been published yet
    effective = "effective"
    obsolete = "obsolete"


class Kind(StrEnum):
    # The organisation's scope (4.3) and quality policy (5.2): one document of each in force.
    scope = "scope"
    quality_policy = "quality_policy"
    policy = "policy"
    manual = "manual"
    procedure = "procedure"
    work_instruction = "work_instruction"
    form = "form"
    external = "external"


ALLOWED: dict[RevisionStatus, set[RevisionStatus]] = {
    RevisionStatus.draft: {RevisionStatus.in_review, RevisionStatus.obsolete},
    RevisionStatus.in_review: {
        RevisionStatus.reviewed,
        RevisionStatus.draft,
        RevisionStatus.obsolete,
    },
    RevisionStatus.reviewed: {
        RevisionStatus.approved,
        RevisionStatus.draft,
        RevisionStatus.obsolete,
    },
    RevisionStatus.approved: {RevisionStatus.effective, RevisionStatus.obsolete},
    RevisionStatus.effective: {RevisionStatus.superseded, RevisionStatus.obsolete},
    RevisionStatus.superseded: set(),
    RevisionStatus.obsolete: set(),
}

DOCUMENT_ALLOWED: dict[DocumentStatus, set[DocumentStatus]] = {
    DocumentStatus.draft: {DocumentStatus.effective, DocumentStatus.obsolete},
    DocumentStatus.effective: {DocumentStatus.obsolete},
    DocumentStatus.obsolete: set(),
}

# Revisions whose content is frozen and published: served only after their hash is checked.
PUBLISHED = {RevisionStatus.effective, RevisionStatus.superseded, RevisionStatus.obsolete}
# Revisions still on their way to publication: at most one per document.
OPEN = {
    RevisionStatus.draft,
    RevisionStatus.in_review,
    RevisionStatus.reviewed,
    RevisionStatus.approved,
}

REVISION_STATUS_LABELS = {
    RevisionStatus.draft: N_("draft"),
    RevisionStatus.in_review: N_("in review"),
    RevisionStatus.reviewed: N_("reviewed"),
    RevisionStatus.approved: N_("approved"),
    RevisionStatus.effective: N_("effective"),
    RevisionStatus.superseded: N_("superseded"),
    RevisionStatus.obsolete: N_("obsolete"),
}
DOCUMENT_STATUS_LABELS = {
    DocumentStatus.draft: N_("not yet issued"),
    DocumentStatus.effective: N_("effective"),
    DocumentStatus.obsolete: N_("obsolete"),
}
KIND_LABELS = {
    Kind.scope: N_("Scope of the quality management system"),
    Kind.quality_policy: N_("Quality policy"),
    Kind.policy: N_("Policy"),
    Kind.manual: N_("Manual"),
    Kind.procedure: N_("Procedure"),
    Kind.work_instruction: N_("Work instruction"),
    Kind.form: N_("Form"),
    Kind.external: N_("External document"),
}


def ensure_allowed(revision, to: RevisionStatus) -> RevisionStatus:
    """Refuse (409) a move the table does not allow; the revision's current status."""
    current = RevisionStatus(revision.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            "A revision that is %(current)s cannot become %(target)s.",
            current=Label(current, REVISION_STATUS_LABELS[current]),
            target=Label(to, REVISION_STATUS_LABELS[to]),
        )
    return current


def transition(
    *,
    session,
    revision,
    to: RevisionStatus,
    by,
    action: str,
    changes: dict | None = None,
    reason: str = "",
) -> None:
    """Move a revision to `to` if the table allows it; stamp it and write the trail event."""
    current = ensure_allowed(revision, to)
    revision.status = to.value
    revision.version += 1
    revision.updated_at = utcnow()
    session.add(revision)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action=action,
        record_type="revision",
        record_id=revision.id,
        changes={"status": [current.value, to.value], **(changes or {})},
        reason=reason,
    )


def document_transition(*, session, document, to: DocumentStatus, by, reason: str = "") -> None:
    current = DocumentStatus(document.status)
    if current == to == DocumentStatus.effective:
        return  # a new issue of an effective document
    if to not in DOCUMENT_ALLOWED[current]:
        raise InvalidTransition(
            "A document that is %(current)s cannot become %(target)s.",
            current=Label(current, DOCUMENT_STATUS_LABELS[current]),
            target=Label(to, DOCUMENT_STATUS_LABELS[to]),
        )
    document.status = to.value
    document.version += 1
    document.updated_at = utcnow()
    session.add(document)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action=f"document_{to.value}",
        record_type="document",
        record_id=document.id,
        changes={"status": [current.value, to.value]},
        reason=reason,
    )
