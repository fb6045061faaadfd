"""The life of a nonconformity, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_


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


def transition(nc, to: Status) -> Status:
    """Move the nonconformity to `to`, refusing a move the table does not allow.

    Returns the former status; the caller writes the trail event with its other changes.
    """
    current = Status(nc.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            "A nonconformity that is %(current)s cannot become %(target)s.",
            field="status",
            current=Label(current, STATUS_LABELS[current]),
            target=Label(to, STATUS_LABELS[to]),
        )
    nc.status = to.value
    nc.version += 1
    nc.updated_at = utcnow()
    return current
