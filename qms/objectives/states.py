"""The life of a quality objective, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_


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


def transition(objective, to: Status) -> Status:
    """Move the objective to `to`, refusing a move the table does not allow.

    Returns the former status; the caller writes the trail event with its other changes.
    """
    current = Status(objective.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            "An objective that is %(current)s cannot become %(target)s.",
            field="status",
            current=Label(current, STATUS_LABELS[current]),
            target=Label(to, STATUS_LABELS[to]),
        )
    objective.status = to.value
    objective.version += 1
    objective.updated_at = utcnow()
    return current
