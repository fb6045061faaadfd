"""The life of an audit: planned → in_progress → reported → closed, or cancelled; each action
on it declared once beside the table (qms/workflow.py)."""

from __future__ import annotations

from enum import StrEnum

from qms.errors import InvalidTransition
from qms.i18n import N_
from qms.workflow import Action, Machine


class AuditStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    reported = "reported"
    closed = "closed"
    cancelled = "cancelled"


ALLOWED: dict[AuditStatus, set[AuditStatus]] = {
    AuditStatus.planned: {AuditStatus.in_progress, AuditStatus.cancelled},
    AuditStatus.in_progress: {AuditStatus.reported, AuditStatus.cancelled},
    AuditStatus.reported: {AuditStatus.closed},
    AuditStatus.closed: set(),
    AuditStatus.cancelled: set(),
}

STATUS_LABELS = {
    AuditStatus.planned: N_("planned"),
    AuditStatus.in_progress: N_("in progress"),
    AuditStatus.reported: N_("reported"),
    AuditStatus.closed: N_("closed"),
    AuditStatus.cancelled: N_("cancelled"),
}

# A programme is active until every audit in it is closed or cancelled.
PROGRAMME_LABELS = {"active": N_("under way"), "completed": N_("completed")}

# The trail compares the status before and after each move; each action adds its own.
MACHINE = Machine("audit", AuditStatus, STATUS_LABELS, ALLOWED, ("status",))

# Why an action is refused, in words that say what to do instead.
_CANNOT_MOVE = N_("Audit %(code)s cannot change from %(status)s to %(target)s.")
_ENDED = {
    AuditStatus.closed: N_("Audit %(code)s is closed: it cannot change any more."),
    AuditStatus.cancelled: N_("Audit %(code)s was cancelled: it cannot change any more."),
}
_REPORTED = N_("Audit %(code)s has already been reported.")


def _move(permission: str, source, target: AuditStatus, refused_from: dict, **stamps) -> Action:
    """A move of the audit to `target` (the trail event is named after it), refused with
    the reason beside each other state."""
    sources = source if isinstance(source, tuple) else (source,)
    return Action(
        MACHINE,
        target.value,
        dict.fromkeys(sources, target),
        permission,
        _CANNOT_MOVE,
        refused_from={**refused_from, **_ENDED},
        # The refusal names no field: a page shows it above the record's forms.
        field=None,
        params=lambda record, status, _to: {
            "code": record.code,
            "status": status,
            "target": MACHINE.label(target),
        },
        error=InvalidTransition,
        **stamps,
    )


# The lead auditor starts the audit: its checklists are made from its templates.
START = _move(
    "audit.start",
    AuditStatus.planned,
    AuditStatus.in_progress,
    {
        AuditStatus.in_progress: N_("Audit %(code)s has already started."),
        AuditStatus.reported: _REPORTED,
    },
    stamp_at="started_at",
    stamp_by="started_by_id",
)
# The lead auditor signs the report once every item is answered.
REPORT = _move(
    "audit.report",
    AuditStatus.in_progress,
    AuditStatus.reported,
    {
        AuditStatus.planned: N_(
            "Audit %(code)s has not started yet: start it and answer its checklist before "
            "reporting."
        ),
        AuditStatus.reported: _REPORTED,
    },
    stamp_at="reported_at",
    stamp_by="reported_by_id",
)
# The quality officer closes it once its nonconformities are dealt with.
CLOSE = _move(
    "audit.close",
    AuditStatus.reported,
    AuditStatus.closed,
    {
        AuditStatus.planned: N_(
            "Audit %(code)s has not started yet: it can be closed only after it is reported."
        ),
        AuditStatus.in_progress: N_(
            "Audit %(code)s is still in progress: it must be reported before it is closed."
        ),
    },
    stamp_at="closed_at",
    stamp_by="closed_by_id",
)
CANCEL = _move(
    "audit.cancel",
    (AuditStatus.planned, AuditStatus.in_progress),
    AuditStatus.cancelled,
    {
        AuditStatus.reported: N_(
            "Audit %(code)s has been reported: a reported audit cannot be cancelled, only closed."
        )
    },
    stamp_at="cancelled_at",
    stamp_by="cancelled_by_id",
)
# The quality officer changes the plan: anything while planned, the team, dates and words
# while in progress (the service keeps the auditee and templates of a started audit).
UPDATE = Action(
    MACHINE,
    "updated",
    {AuditStatus.planned: AuditStatus.planned, AuditStatus.in_progress: AuditStatus.in_progress},
    "audit.update",
    N_("Audit %(code)s has been reported: its plan can no longer change."),
    refused_from={
        AuditStatus.cancelled: N_("Audit %(code)s was cancelled: its plan can no longer change.")
    },
    field=None,
)
# The team fills the checklist while the audit is in progress: after the report the answers
# are what was signed.
ANSWER = Action(
    MACHINE,
    "answered",
    {AuditStatus.in_progress: AuditStatus.in_progress},
    "audit.answer",
    N_("Audit %(code)s has not started yet."),
    refused_from={
        AuditStatus.reported: N_("Audit %(code)s has been reported: its answers are frozen."),
        AuditStatus.closed: N_("Audit %(code)s has been reported: its answers are frozen."),
        AuditStatus.cancelled: N_("Audit %(code)s was cancelled: its checklist is closed."),
    },
    field=None,
)

# The forms of the record page, by name: shown to exactly those who may use them now.
FORMS = {"start": START, "report": REPORT, "close": CLOSE, "cancel": CANCEL, "edit": UPDATE}
