"""Who may do what to controlled documents and their revisions.

Quality officers keep the register: they create documents, draft, route and publish
revisions, distribute and withdraw documents. An administrator manages people, not
documents (segregation of duties), but may read every revision. The reviewer and the
approver named when a revision is submitted sign it; staff acknowledge what is
distributed to their department.
"""

from __future__ import annotations

from qms.auth.models import Role, User
from qms.auth.permissions import has_any, manages, rule
from qms.documents.states import PUBLISHED, RevisionStatus

_officer = has_any(Role.quality_officer)


def _owns(user: User, document) -> bool:
    return document is not None and document.owner_id == user.id


rule("document.list", "Signed-in users can read the register of documents.")(
    lambda user, _r=None: True
)
rule("document.read", "Signed-in users can read controlled documents.")(lambda user, _r=None: True)
rule("document.create", "Only a quality officer can register controlled documents.")(_officer)
rule("document.update", "Only a quality officer can change a document's register entry.")(_officer)
rule("document.distribute", "Only a quality officer can distribute documents.")(_officer)
rule("document.obsolete", "Only a quality officer can make a document obsolete.")(_officer)
rule("document.import", "Only a quality officer can import procedure files.")(_officer)


@rule(
    "document.periodic_review",
    "Only the document's owner or a quality officer can record its periodic review.",
)
def _may_review_periodically(user: User, document) -> bool:
    return user.has_role(Role.quality_officer) or _owns(user, document)


@rule(
    "document.readers",
    "Only quality officers, managers, auditors and the owner see who has read a document.",
)
def _may_see_readers(user: User, document) -> bool:
    return user.has_role(Role.quality_officer, Role.admin, Role.manager, Role.auditor) or _owns(
        user, document
    )


@rule(
    "revision.create",
    "Only a quality officer or the document's owner can open a new draft.",
)
def _may_create_revision(user: User, document) -> bool:
    return user.has_role(Role.quality_officer) or _owns(user, document)


@rule("revision.read", "This revision is not published; only the people working on it can read it.")
def _may_read_revision(user: User, revision) -> bool:
    if revision is None or RevisionStatus(revision.status) in PUBLISHED:
        return True
    if user.has_role(Role.quality_officer, Role.admin):
        return True
    document = revision.document
    return (
        user.id in (revision.author_id, revision.reviewer_id, revision.approver_id)
        or _owns(user, document)
        or manages(user, document.department_id)
    )


@rule("revision.edit", "Only a quality officer or the revision's author can edit the draft.")
def _may_edit(user: User, revision) -> bool:
    return user.has_role(Role.quality_officer) or (
        revision is not None and revision.author_id == user.id
    )


@rule(
    "revision.submit",
    "Only a quality officer or the revision's author can send it for review.",
)
def _may_submit(user: User, revision) -> bool:
    return _may_edit(user, revision)


@rule("revision.review", "Only the reviewer named for this revision can review it.")
def _may_review(user: User, revision) -> bool:
    return revision is not None and revision.reviewer_id == user.id


@rule("revision.approve", "Only the approver named for this revision can approve it.")
def _may_approve(user: User, revision) -> bool:
    return revision is not None and revision.approver_id == user.id


@rule(
    "revision.return",
    "Only the named reviewer or approver, or a quality officer, can return the revision.",
)
def _may_return(user: User, revision) -> bool:
    if user.has_role(Role.quality_officer):
        return True
    if revision is None:
        return False
    status = RevisionStatus(revision.status)
    return (status == RevisionStatus.in_review and revision.reviewer_id == user.id) or (
        status == RevisionStatus.reviewed and revision.approver_id == user.id
    )


rule("revision.publish", "Only a quality officer can publish a revision.")(_officer)


@rule(
    "revision.acknowledge",
    "Only staff of a department the document is distributed to acknowledge it.",
)
def _may_acknowledge(user: User, revision) -> bool:
    return (
        revision is not None
        and user.department_id is not None
        and user.department_id in revision.document.distributed_to
    )


def may_approve_documents(user: User) -> bool:
    """Authority to approve (7.5.2): the head of a department or of the office, or a
    quality officer. Checked against the person named as approver when submitting."""
    return user.is_active and user.has_role(Role.manager, Role.quality_officer)
