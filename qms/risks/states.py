"""The life of a register entry, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.errors import Conflict
from qms.i18n import N_
from qms.workflow import Action, Machine


class Status(StrEnum):
    open = "open"
    treating = "treating"
    monitored = "monitored"
    closed = "closed"


STATUS_LABELS = {
    Status.open: N_("open"),
    Status.treating: N_("treating"),
    Status.monitored: N_("monitored"),
    Status.closed: N_("closed"),
}

ALLOWED: dict[Status, set[Status]] = {
    # A treatment with actions → treating; an accepted risk is only watched → monitored.
    Status.open: {Status.treating, Status.monitored},
    # The last action done → monitored.
    Status.treating: {Status.monitored},
    # A new action planned → treating again; no longer relevant → closed.
    Status.monitored: {Status.treating, Status.closed},
    Status.closed: set(),
}

# Still in the register's working set: shown on the heat map, reviewed, reminded.
ACTIVE = frozenset({Status.open, Status.treating, Status.monitored})


# The fields the trail compares before and after each action on an entry.
FIELDS = (
    "status",
    "kind",
    "department_id",
    "process",
    "title",
    "cause",
    "consequence",
    "owner_id",
    "clauses",
    "likelihood",
    "impact",
    "score",
    "level",
    "treatment",
    "justification",
    "review_on",
    "closed_on",
    "close_reason",
)

MACHINE = Machine(
    "risk",
    Status,
    STATUS_LABELS,
    ALLOWED,
    FIELDS,
    N_("A register entry that is %(current)s cannot become %(target)s."),
)
transition = MACHINE.transition


# --- guards -----------------------------------------------------------------------------


def treatment_chosen(_session, _user, risk, _subject):
    if risk.treatment is None:
        return Conflict(
            "Choose the treatment of %(code)s before planning its actions.",
            field="treatment",
            code=risk.code,
        )
    return None


def not_accepted_as_it_is(_session, _user, risk, _subject):
    if risk.treatment == "accept":
        return Conflict(
            "%(code)s is accepted as it is: change its treatment before planning actions.",
            field="treatment",
            code=risk.code,
        )
    return None


def action_not_done(_session, _user, _risk, action):
    if action.done_on is not None:
        return Conflict("This treatment action is already done.", field="status")
    return None


# --- the actions ------------------------------------------------------------------------

_STAYS = {s: s for s in ACTIVE}
# A closed entry refuses every change.
_CLOSED = N_("%(code)s is closed: it can no longer be changed.")

# Mitigate, avoid, transfer or pursue: an open entry is being treated.
TREAT = Action(
    MACHINE,
    "treatment_decided",
    {**_STAYS, Status.open: Status.treating},
    "risk.manage",
    _CLOSED,
)
# Accepted as it is: only watched.
ACCEPT = Action(
    MACHINE, "treatment_decided", dict.fromkeys(ACTIVE, Status.monitored), "risk.manage", _CLOSED
)
# A new action: a monitored entry is treated again.
PLAN_ACTION = Action(
    MACHINE,
    "action_planned",
    {**_STAYS, Status.monitored: Status.treating},
    "risk.manage",
    _CLOSED,
    guards=(treatment_chosen, not_accepted_as_it_is),
)
# Asked of the treatment action (its owner).
COMPLETE_ACTION = Action(
    MACHINE,
    "completed",
    {Status.treating: Status.treating},
    "risk_action.complete",
    N_("Actions of %(code)s cannot be completed while it is %(status)s."),
    guards=(action_not_done,),
)
# The last action done: the entry is watched.
ACTIONS_DONE = Action(
    MACHINE,
    "actions_done",
    {Status.treating: Status.monitored},
    "risk_action.complete",
    N_("Actions of %(code)s cannot be completed while it is %(status)s."),
)
REASSESS = Action(MACHINE, "reassessed", _STAYS, "risk.manage", _CLOSED)
CLOSE = Action(
    MACHINE,
    "closed",
    {Status.monitored: Status.closed},
    "risk.manage",
    None,
    stamp_at="closed_at",
    stamp_by="closed_by_id",
)
# Links to the records that revealed or realised the entry (events of their own, no bump).
LINK = Action(MACHINE, "linked", _STAYS, "risk.manage", _CLOSED)
NAME_CONTEXT = Action(MACHINE, "context_named", _STAYS, "risk.manage", _CLOSED)

# The forms of the record page, by name: shown to exactly those who may use them now.
FORMS = {
    "treat": TREAT,
    "plan": PLAN_ACTION,
    "assess": REASSESS,
    "close": CLOSE,
    "link": LINK,
    "context": NAME_CONTEXT,
}
