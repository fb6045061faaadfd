"""The life of an evidence pack export, declared once: queued → running → done | failed,
and a downloaded pack removed."""

from __future__ import annotations

from enum import StrEnum

from qms.errors import Conflict
from qms.i18n import N_
from qms.workflow import Action, Machine


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


def kept_until_downloaded(_session, _user, export, _subject):
    if export.status == Status.done.value and export.downloaded_at is None:
        return Conflict(
            "This pack has not been downloaded yet: it is kept until it is.", field="status"
        )
    return None


# The trail compares the state alone (each event names its other changes).
MACHINE = Machine(
    "evidence_export",
    Status,
    STATUS_LABELS,
    ALLOWED,
    ("status",),
    N_("An export that is %(current)s cannot become %(target)s."),
)
# The job's moves (queued → running → done | failed), made with no person.
transition = MACHINE.transition

# A person removes the ZIP of a downloaded pack.
REMOVE = Action(
    MACHINE,
    "removed",
    {Status.done: Status.removed},
    "evidence.export",
    None,
    guards=(kept_until_downloaded,),
    stamp_at="removed_at",
    stamp_by="removed_by_id",
)
