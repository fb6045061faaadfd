"""The life of a management review, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.errors import Conflict
from qms.i18n import N_
from qms.workflow import Action, Machine


class Status(StrEnum):
    planned = "planned"
    held = "held"
    closed = "closed"
    cancelled = "cancelled"


STATUS_LABELS = {
    Status.planned: N_("planned"),
    Status.held: N_("held"),
    Status.closed: N_("closed"),
    Status.cancelled: N_("cancelled"),
}

ALLOWED: dict[Status, set[Status]] = {
    # Holding freezes the inputs; a meeting that will not take place is cancelled.
    Status.planned: {Status.held, Status.cancelled},
    # The chair signs the minutes.
    Status.held: {Status.closed},
    Status.closed: set(),
    Status.cancelled: set(),
}


# The fields the trail compares before and after each action on a review.
FIELDS = (
    "status",
    "period_start",
    "period_end",
    "planned_on",
    "chair_id",
    "attendee_ids",
    "resources",
    "minutes",
    "inputs_sha256",
    "minutes_sha256",
    "cancel_reason",
)

MACHINE = Machine(
    "management_review",
    Status,
    STATUS_LABELS,
    ALLOWED,
    FIELDS,
    N_("A management review that is %(current)s cannot become %(target)s."),
)
transition = MACHINE.transition


def output_not_done(_session, _user, _review, output):
    if output.done_on is not None:
        return Conflict("This output is already done.", field="status")
    return None


# --- the actions ------------------------------------------------------------------------

EDIT_PLAN = Action(
    MACHINE,
    "updated",
    {Status.planned: Status.planned},
    "review.plan",
    N_("%(code)s is %(status)s: its plan can no longer be changed."),
)
CANCEL = Action(
    MACHINE,
    "cancelled",
    {Status.planned: Status.cancelled},
    "review.plan",
    None,
    stamp_at="cancelled_at",
    stamp_by="cancelled_by_id",
)
# The chair records the meeting; its inputs are frozen as compiled then.
HOLD = Action(
    MACHINE,
    "held",
    {Status.planned: Status.held},
    "review.hold",
    N_("%(code)s is %(status)s: only a planned review can be held."),
    stamp_at="held_at",
    stamp_by="held_by_id",
)
# A decision (9.3.3) of the held review, not yet signed: bumps the review, the output's
# own event says what was decided.
DECIDE = Action(
    MACHINE,
    "decided",
    {Status.held: Status.held},
    "review.decide",
    N_(
        "Outputs are recorded for a review that is held and not yet signed "
        "(%(code)s is %(status)s)."
    ),
)
# Asked of the review with the output as subject (its owner), before or after signing.
COMPLETE_OUTPUT = Action(
    MACHINE,
    "completed",
    {Status.held: Status.held, Status.closed: Status.closed},
    "review_output.complete",
    N_("Outputs of %(code)s cannot be completed while it is %(status)s."),
    guards=(output_not_done,),
)
# The chair signs the minutes.
CLOSE = Action(
    MACHINE,
    "closed",
    {Status.held: Status.closed},
    "review.close",
    N_("%(code)s is %(status)s: only a held review's minutes can be signed."),
    stamp_at="closed_at",
)

# The forms of the record page, by name: shown to exactly those who may use them now.
FORMS = {
    "edit": EDIT_PLAN,
    "cancel": CANCEL,
    "hold": HOLD,
    "decide": DECIDE,
    "close": CLOSE,
}
