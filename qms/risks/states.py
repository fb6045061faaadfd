"""The life of a register entry, declared once: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_


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


def transition(risk, to: Status) -> Status:
    """Move the entry to `to`, refusing a move the table does not allow.

    Returns the former status; the caller writes the trail event with its other changes.
    """
    current = Status(risk.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            "A register entry that is %(current)s cannot become %(target)s.",
            field="status",
            current=Label(current, STATUS_LABELS[current]),
            target=Label(to, STATUS_LABELS[to]),
        )
    risk.status = to.value
    risk.version += 1
    risk.updated_at = utcnow()
    return current
