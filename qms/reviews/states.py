"""The life of a management review, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_


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


def transition(review, to: Status) -> Status:
    """Move the review to `to`, refusing a move the table does not allow; returns the
    former status (the caller writes the trail event with its other changes)."""
    current = Status(review.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            "A management review that is %(current)s cannot become %(target)s.",
            field="status",
            current=Label(current, STATUS_LABELS[current]),
            target=Label(to, STATUS_LABELS[to]),
        )
    review.status = to.value
    review.version += 1
    review.updated_at = utcnow()
    return current
