"""The life of a quality objective, declared once: its states, the moves between them and
the actions that make them."""

from __future__ import annotations

from enum import StrEnum

from qms.auth.models import Role
from qms.errors import Conflict
from qms.i18n import N_
from qms.workflow import Action, Machine


class Status(StrEnum):
    draft = "draft"
    active = "active"
    achieved = "achieved"
    not_achieved = "not_achieved"
    cancelled = "cancelled"


STATUS_LABELS = {
    Status.draft: N_("draft"),
    Status.active: N_("active"),
    Status.achieved: N_("achieved"),
    Status.not_achieved: N_("not achieved"),
    Status.cancelled: N_("cancelled"),
}

ALLOWED: dict[Status, set[Status]] = {
    Status.draft: {Status.active, Status.cancelled},
    # The year's evaluation decides between achieved and not achieved.
    Status.active: {Status.achieved, Status.not_achieved, Status.cancelled},
    Status.achieved: set(),
    Status.not_achieved: set(),
    Status.cancelled: set(),
}

# Objectives that were (or are) in force: counted by the management review.
IN_FORCE = frozenset({Status.active, Status.achieved, Status.not_achieved})
# Evaluated: the year's verdict is recorded.
EVALUATED = frozenset({Status.achieved, Status.not_achieved})

# The fields the trail compares before and after each action on an objective.
FIELDS = (
    "status",
    "title",
    "year",
    "department_id",
    "owner_id",
    "plan",
    "resources",
    "responsible",
    "due_on",
    "evaluation",
    "evaluation_comment",
    "cancel_reason",
)

MACHINE = Machine(
    "objective",
    Status,
    STATUS_LABELS,
    ALLOWED,
    FIELDS,
    N_("An objective that is %(current)s cannot become %(target)s."),
)
transition = MACHINE.transition


# --- guards -----------------------------------------------------------------------------


def has_indicators(session, _user, objective, _subject):
    from qms.objectives import service

    if not service.indicators_of(session=session, objective=objective):
        return Conflict(
            "Give %(code)s at least one indicator before putting it in force.",
            field="indicators",
            code=objective.code,
        )
    return None


_INDICATORS_REFUSED = N_(
    "%(code)s is %(status)s: indicators are added to a draft (or, by a quality "
    "officer, to an objective in force)."
)


def quality_officer_once_in_force(_session, user, objective, _subject):
    if objective.status == Status.active and not user.has_role(Role.quality_officer):
        return Conflict(
            _INDICATORS_REFUSED,
            field="status",
            code=objective.code,
            status=MACHINE.label(objective.status),
        )
    return None


# --- the actions ------------------------------------------------------------------------

EDIT = Action(
    MACHINE,
    "updated",
    {Status.draft: Status.draft},
    "objective.edit",
    N_("%(code)s is %(status)s: only a draft objective can be edited."),
)
# Asked of the objective, whose version the new indicator bumps (no event of its own).
ADD_INDICATOR = Action(
    MACHINE,
    "indicator_added",
    {Status.draft: Status.draft, Status.active: Status.active},
    "objective.edit",
    _INDICATORS_REFUSED,
    guards=(quality_officer_once_in_force,),
)
ACTIVATE = Action(
    MACHINE,
    "activated",
    {Status.draft: Status.active},
    "objective.activate",
    None,
    guards=(has_indicators,),
    stamp_at="activated_at",
)
# The verdict, by result.
EVALUATE = {
    result: Action(
        MACHINE,
        "evaluated",
        {Status.active: result},
        "objective.evaluate",
        None,
        stamp_at="evaluated_at",
    )
    for result in (Status.achieved, Status.not_achieved)
}
CANCEL = Action(
    MACHINE,
    "cancelled",
    {Status.draft: Status.cancelled, Status.active: Status.cancelled},
    "objective.cancel",
    None,
    stamp_at="cancelled_at",
)
# Asked of the objective with the indicator as subject (the data owner's permission).
ENTER_FIGURES = Action(
    MACHINE,
    "measured",
    {Status.active: Status.active},
    "measurement.enter",
    N_("%(code)s is %(status)s: figures are entered only while an objective is in force."),
)

# The forms of the record page, by name: shown to exactly those who may use them now.
FORMS = {
    "edit": EDIT,
    "indicator": ADD_INDICATOR,
    "activate": ACTIVATE,
    "evaluate": EVALUATE[Status.achieved],
    "cancel": CANCEL,
}
