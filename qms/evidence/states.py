"""The life of an evidence pack export, declared once: queued → running → done | failed,
and a downloaded pack removed."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_


class Status(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    removed = "removed"


STATUS_LABELS = {
    Status.queued: N_("waiting to start"),
    Status.running: N_("being made"),
    Status.done: N_("ready to download"),
    Status.failed: N_("failed"),
    Status.removed: N_("removed"),
}

ALLOWED: dict[Status, set[Status]] = {
    # A queued export that never started (the server stopped) is failed, not left waiting.
    Status.queued: {Status.running, Status.failed},
    Status.running: {Status.done, Status.failed},
    # The ZIP is kept until downloaded; then it may be removed.
    Status.done: {Status.removed},
    Status.failed: set(),
    Status.removed: set(),
}
# Exports whose work is still to come or under way.
PENDING = frozenset({Status.queued, Status.running})


def transition(export, to: Status) -> Status:
    """Move the export to `to`, refusing a move the table does not allow; the former status."""
    current = Status(export.status)
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            "An export that is %(current)s cannot become %(target)s.",
            field="status",
            current=Label(current, STATUS_LABELS[current]),
            target=Label(to, STATUS_LABELS[to]),
        )
    export.status = to.value
    export.version += 1
    export.updated_at = utcnow()
    return current
