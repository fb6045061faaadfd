"""The life of a revision and of a controlled document, declared once as data."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from qms.errors import Conflict, InvalidTransition, Label
from qms.i18n import N_
from qms.workflow import Action, Machine


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
# Published revisions no longer in force (the page says so, with its watermark).
NO_LONGER_IN_FORCE = {RevisionStatus.superseded, RevisionStatus.obsolete}
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


# --- the actions, each declared once ----------------------------------------------------

# What the trail compares before and after each action: the status (the rest each action
# says itself, as it always did).
REVISIONS = Machine("revision", RevisionStatus, REVISION_STATUS_LABELS, ALLOWED, ("status",))
DOCUMENTS = Machine(
    "document", DocumentStatus, DOCUMENT_STATUS_LABELS, DOCUMENT_ALLOWED, ("status",)
)


def _becomes(_record, status: Label, target: Label | None) -> dict:
    return {"current": status, "target": target}


def _labelled(revision, status: Label, _target) -> dict:
    return {"label": revision.label, "status": status}


def _coded(document, _status, _target) -> dict:
    return {"code": document.code}


def _unnamed(_record, _status, _target) -> dict:
    return {}


def _service():
    from qms.documents import service

    return service


def document_not_obsolete(_session, _user, revision, _subject):
    document = revision.document
    if document.status == DocumentStatus.obsolete.value:
        return Conflict(
            "Document %(code)s is obsolete; it takes no new revision.", code=document.code
        )
    return None


def no_open_revision(session, _user, document, _subject):
    pending = _service().open_revision(session=session, document=document)
    if pending is not None:
        return Conflict(
            "Revision %(label)s of %(code)s is still %(status)s; finish it before opening another.",
            label=pending.label,
            code=document.code,
            status=Label(pending.status, REVISION_STATUS_LABELS[pending.status]),
        )
    return None


def _not_the_author(meaning: str):
    def not_the_author(_session, user, revision, _subject):
        if user is not None and user.id == revision.author_id:
            return Conflict(
                "The author of a revision cannot sign it as %(meaning)s.", meaning=meaning
            )
        return None

    return not_the_author


def not_the_reviewer(_session, user, revision, _subject):
    if user is not None and user.id == revision.reviewer_id:
        return Conflict("The reviewer of a revision cannot also approve it.")
    return None


_STAYS = lambda *states: {s: s for s in states}  # noqa: E731
_A_REVISION = N_("A revision that is %(current)s cannot become %(target)s.")
_A_DOCUMENT = N_("A document that is %(current)s cannot become %(target)s.")
_OBSOLETE = N_("Document %(code)s is obsolete; it takes no new revision.")
_IN_FORCE = (DocumentStatus.draft, DocumentStatus.effective)


def _move(machine, name, moves, permission, refused=None, **more) -> Action:
    """A move of the life above, refused from elsewhere as 'a … that is X cannot become Y'."""
    return Action(
        machine,
        name,
        moves,
        permission,
        refused or (_A_REVISION if machine is REVISIONS else _A_DOCUMENT),
        field=None,
        params=_becomes,
        error=InvalidTransition,
        **more,
    )


# Revisions.
EDIT = Action(
    REVISIONS,
    "revision_edited",
    _STAYS(RevisionStatus.draft),
    "revision.edit",
    N_("Only a draft can be edited; revision %(label)s is %(status)s."),
    field=None,
    params=_labelled,
)
ATTACH_FILE = replace(EDIT, name="file_attached")
SUBMIT = _move(
    REVISIONS,
    "submitted",
    {RevisionStatus.draft: RevisionStatus.in_review},
    "revision.submit",
    guards=(document_not_obsolete,),
)
REVIEW = _move(
    REVISIONS,
    "reviewed",
    {RevisionStatus.in_review: RevisionStatus.reviewed},
    "revision.review",
    guards=(_not_the_author("reviewed"),),
)
APPROVE = _move(
    REVISIONS,
    "approved",
    {RevisionStatus.reviewed: RevisionStatus.approved},
    "revision.approve",
    guards=(not_the_reviewer, _not_the_author("approved")),
)
RETURN = _move(
    REVISIONS,
    "returned",
    {RevisionStatus.in_review: RevisionStatus.draft, RevisionStatus.reviewed: RevisionStatus.draft},
    "revision.return",
)
PUBLISH = _move(
    REVISIONS,
    "published",
    {RevisionStatus.approved: RevisionStatus.effective},
    "revision.publish",
    guards=(document_not_obsolete,),
    stamp_at="published_at",
    stamp_by="published_by_id",
)
# The one before a published revision (the publisher's permission is asked by PUBLISH).
SUPERSEDE = _move(
    REVISIONS, "superseded", {RevisionStatus.effective: RevisionStatus.superseded}, None
)
# The current and the open revisions of a withdrawn document (asked by OBSOLETE).
WITHDRAW = _move(
    REVISIONS,
    "withdrawn",
    dict.fromkeys([*OPEN, RevisionStatus.effective], RevisionStatus.obsolete),
    None,
)
# 'Read and understood': the revision does not change (the acknowledgement is a row).
ACKNOWLEDGE = Action(
    REVISIONS,
    "acknowledged",
    _STAYS(RevisionStatus.effective),
    "revision.acknowledge",
    N_("Only the effective revision is acknowledged; revision %(label)s is %(status)s."),
    field=None,
    params=_labelled,
)

# Documents.
UPDATE = Action(
    DOCUMENTS,
    "updated",
    _STAYS(*_IN_FORCE),
    "document.update",
    N_("An obsolete document cannot be changed."),
    field=None,
    params=_unnamed,
)
# A new draft (the event is the revision's own, written as it is created).
OPEN_DRAFT = Action(
    DOCUMENTS,
    "revision_created",
    _STAYS(*_IN_FORCE),
    "revision.create",
    _OBSOLETE,
    field=None,
    params=_coded,
    guards=(no_open_revision,),
)
DISTRIBUTE = replace(OPEN_DRAFT, name="distributed", permission="document.distribute", guards=())
PERIODIC_REVIEW = Action(
    DOCUMENTS,
    "periodic_review",
    _STAYS(DocumentStatus.effective),
    "document.periodic_review",
    N_("Only an effective document has a periodic review."),
    field=None,
    params=_unnamed,
)
# Its first issue (asked by PUBLISH), then each issue's new review date.
ISSUE = _move(
    DOCUMENTS, "document_effective", {DocumentStatus.draft: DocumentStatus.effective}, None
)
REISSUE = _move(DOCUMENTS, "revision_published", _STAYS(DocumentStatus.effective), None)
OBSOLETE = _move(
    DOCUMENTS,
    "document_obsolete",
    dict.fromkeys(_IN_FORCE, DocumentStatus.obsolete),
    "document.obsolete",
)

# The forms of a revision's page and of a document's page, by name: shown to exactly those
# who may use them now.
REVISION_FORMS = {
    "edit": EDIT,
    "submit": SUBMIT,
    "review": REVIEW,
    "approve": APPROVE,
    "return_to_draft": RETURN,
    "publish": PUBLISH,
    "acknowledge": ACKNOWLEDGE,
}
DOCUMENT_FORMS = {
    "change_entry": UPDATE,
    "open_draft": OPEN_DRAFT,
    "distribute": DISTRIBUTE,
    "periodic_review": PERIODIC_REVIEW,
    "obsolete": OBSOLETE,
}
