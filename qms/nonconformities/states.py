"""The life of a nonconformity, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.errors import Conflict
from qms.i18n import N_
from qms.workflow import Action, Machine


class Status(StrEnum):
    open = "open"
    investigating = "investigating"
    action_planned = "action_planned"
    verifying = "verifying"
    closed = "closed"
    cancelled = "cancelled"


STATUS_LABELS = {
    Status.open: N_("open"),
    Status.investigating: N_("investigating"),
    Status.action_planned: N_("action planned"),
    Status.verifying: N_("verifying"),
    Status.closed: N_("closed"),
    Status.cancelled: N_("cancelled"),
}

ALLOWED: dict[Status, set[Status]] = {
    Status.open: {Status.investigating, Status.cancelled},
    Status.investigating: {Status.action_planned, Status.cancelled},
    # All actions done → verifying.
    Status.action_planned: {Status.verifying, Status.cancelled},
    # Effective → closed; ineffective → action_planned (new actions to plan).
    Status.verifying: {Status.closed, Status.action_planned, Status.cancelled},
    Status.closed: set(),
    Status.cancelled: set(),
}

# Still to be dealt with: counted in the age figures, offered in "my work".
ACTIVE = frozenset({Status.open, Status.investigating, Status.action_planned, Status.verifying})


# The fields the trail compares before and after each action on a nonconformity.
FIELDS = (
    "status",
    "source",
    "department_id",
    "clause",
    "severity",
    "description",
    "owner_id",
    "containment",
    "root_cause_method",
    "whys",
    "root_cause",
    "check_due_on",
    "cancel_reason",
)

MACHINE = Machine("nonconformity", Status, STATUS_LABELS, ALLOWED, FIELDS)


# --- guards: the rules beside the table, each written once ------------------------------


def _service():
    from qms.nonconformities import service

    return service


def not_yet_found_effective(session, _user, nc, _subject):
    if _service().is_ready_to_close(session=session, nc=nc):
        return Conflict(
            "%(code)s was already found effective; it waits for its manager to close it.",
            field="status",
            code=nc.code,
        )
    return None


def verifier_owns_no_action(session, user, nc, _subject):
    if _service().owns_an_action(session=session, nc=nc, user=user):
        return Conflict(
            "You own one of the corrective actions of %(code)s: another quality officer must "
            "check their effectiveness.",
            field="verifier",
            code=nc.code,
        )
    return None


def found_effective(session, _user, nc, _subject):
    if not _service().is_ready_to_close(session=session, nc=nc):
        return Conflict(
            "%(code)s cannot be closed before a quality officer finds its actions effective.",
            field="status",
            code=nc.code,
        )
    return None


def action_not_done(session, _user, _nc, action):
    if action.done_on is not None:
        return Conflict("This corrective action is already done.", field="status")
    return None


def evidence_not_fixed(session, _user, _nc, action):
    if action.done_on is not None:
        return Conflict(
            "This corrective action is already done; its evidence is fixed.", field="file"
        )
    return None


def raised_by_an_answer(session, _user, nc, _subject):
    if nc.checklist_item_id is None:
        return Conflict("%(code)s was not raised by a checklist answer.", code=nc.code)
    return None


# --- the actions ------------------------------------------------------------------------

_STAYS = lambda *states: {s: s for s in states}  # noqa: E731
_TO_CANCELLED = dict.fromkeys(ACTIVE, Status.cancelled)

INVESTIGATE = Action(
    MACHINE,
    "investigated",
    {
        Status.open: Status.investigating,
        Status.investigating: Status.investigating,
        # Until the actions are all done the analysis may be revised.
        Status.action_planned: Status.action_planned,
    },
    "nonconformity.manage",
    N_("%(code)s is past its investigation: the root cause can no longer be changed."),
    stamp_at="investigated_at",
)
PLAN_ACTION = Action(
    MACHINE,
    "action_planned",
    {Status.investigating: Status.action_planned, Status.action_planned: Status.action_planned},
    "nonconformity.manage",
    N_("Corrective actions of %(code)s can no longer be planned (it is %(status)s)."),
    refused_from={
        Status.open: N_(
            "Record the containment and the root cause of %(code)s before planning actions."
        )
    },
)
# Asked of the corrective action (its owner); the nonconformity must have actions planned.
COMPLETE_ACTION = Action(
    MACHINE,
    "completed",
    _STAYS(Status.action_planned),
    "corrective_action.complete",
    N_("Actions of %(code)s cannot be completed while it is %(status)s."),
    guards=(action_not_done,),
)
ATTACH_EVIDENCE = Action(
    MACHINE,
    "evidence_attached",
    _STAYS(Status.action_planned),
    "corrective_action.complete",
    N_("Evidence can be attached only while %(code)s has actions planned."),
    field="file",
    guards=(evidence_not_fixed,),
)
# The last action done: the effectiveness check falls due.
ACTIONS_DONE = Action(
    MACHINE,
    "actions_done",
    {Status.action_planned: Status.verifying},
    "corrective_action.complete",
    N_("Actions of %(code)s cannot be completed while it is %(status)s."),
)
_CHECKED = N_(
    "The effectiveness of %(code)s can be checked only once all its actions are done "
    "(it is %(status)s)."
)
CHECK_EFFECTIVE = Action(
    MACHINE,
    "checked_effective",
    _STAYS(Status.verifying),
    "nonconformity.verify",
    _CHECKED,
    guards=(not_yet_found_effective, verifier_owns_no_action),
)
# Ineffective: back to action_planned, new actions to plan.
CHECK_INEFFECTIVE = Action(
    MACHINE,
    "checked_ineffective",
    {Status.verifying: Status.action_planned},
    "nonconformity.verify",
    _CHECKED,
    guards=(not_yet_found_effective, verifier_owns_no_action),
)
CLOSE = Action(
    MACHINE,
    "closed",
    {Status.verifying: Status.closed},
    "nonconformity.close",
    N_(
        "%(code)s cannot be closed while it is %(status)s: its actions must be done "
        "and found effective first."
    ),
    guards=(found_effective,),
    stamp_at="closed_at",
    stamp_by="closed_by_id",
)
CANCEL = Action(
    MACHINE,
    "cancelled",
    _TO_CANCELLED,
    "nonconformity.cancel",
    N_("%(code)s is already %(status)s and cannot be cancelled."),
    stamp_at="cancelled_at",
    stamp_by="cancelled_by_id",
)
# The auditor changed the answer that raised it (the audits service checks they may).
CANCEL_FOR_CHANGED_ANSWER = Action(
    MACHINE,
    "cancelled",
    _TO_CANCELLED,
    None,
    N_("%(code)s is already %(status)s and cannot be cancelled."),
    guards=(raised_by_an_answer,),
    stamp_at="cancelled_at",
    stamp_by="cancelled_by_id",
    track=("checklist_item_id",),
)
# Files of the finding itself (photos, the complaint letter), added while it is still open.
ATTACH_TO_FINDING = Action(
    MACHINE,
    "file_attached",
    _STAYS(Status.open),
    "nonconformity.attach",
    N_("Files of the finding can be attached only while %(code)s is open (it is %(status)s)."),
    field="file",
)
LINK_DOCUMENTS = Action(
    MACHINE,
    "documents_linked",
    _STAYS(*ACTIVE),
    "nonconformity.link_documents",
    N_("%(code)s is %(status)s: its links are fixed."),
)

# The forms of the record page, by name: shown to exactly those who may use them now.
FORMS = {
    "investigate": INVESTIGATE,
    "plan": PLAN_ACTION,
    "verify": CHECK_EFFECTIVE,
    "close": CLOSE,
    "cancel": CANCEL,
}
