"""The life of an audit: planned → in_progress → reported → closed, or cancelled."""

from __future__ import annotations

from enum import StrEnum

from qms.db import utcnow
from qms.errors import InvalidTransition, Label
from qms.i18n import N_
from qms.trail import service as trail


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

# Why a transition is refused, in words that say what to do instead.
_REFUSED = {
    (AuditStatus.planned, AuditStatus.reported): N_(
        "Audit %(code)s has not started yet: start it and answer its checklist before reporting."
    ),
    (AuditStatus.planned, AuditStatus.closed): N_(
        "Audit %(code)s has not started yet: it can be closed only after it is reported."
    ),
    (AuditStatus.in_progress, AuditStatus.in_progress): N_("Audit %(code)s has already started."),
    (AuditStatus.in_progress, AuditStatus.closed): N_(
        "Audit %(code)s is still in progress: it must be reported before it is closed."
    ),
    (AuditStatus.reported, AuditStatus.in_progress): N_(
        "Audit %(code)s has already been reported."
    ),
    (AuditStatus.reported, AuditStatus.reported): N_("Audit %(code)s has already been reported."),
    (AuditStatus.reported, AuditStatus.cancelled): N_(
        "Audit %(code)s has been reported: a reported audit cannot be cancelled, only closed."
    ),
}
_REFUSED_FROM = {
    AuditStatus.closed: N_("Audit %(code)s is closed: it cannot change any more."),
    AuditStatus.cancelled: N_("Audit %(code)s was cancelled: it cannot change any more."),
}

# Which instant and which person each new state stamps on the audit.
_STAMPS = {
    AuditStatus.in_progress: ("started_at", "started_by_id"),
    AuditStatus.reported: ("reported_at", "reported_by_id"),
    AuditStatus.closed: ("closed_at", "closed_by_id"),
    AuditStatus.cancelled: ("cancelled_at", "cancelled_by_id"),
}


def check_transition(audit, to: AuditStatus) -> None:
    """Refuse, with the reason, a move the table does not allow (before any other check)."""
    current = AuditStatus(audit.status)
    if to not in ALLOWED[current]:
        message = _REFUSED.get((current, to)) or _REFUSED_FROM.get(current)
        raise InvalidTransition(
            message or N_("Audit %(code)s cannot change from %(status)s to %(target)s."),
            code=audit.code,
            status=Label(current, STATUS_LABELS[current]),
            target=Label(to, STATUS_LABELS[to]),
        )


def transition(*, session, audit, to: AuditStatus, by, reason: str = "", changes=None) -> None:
    """Move the audit to `to` if the table allows it, stamp who and when, write the trail."""
    check_transition(audit, to)
    current = AuditStatus(audit.status)
    now = utcnow()
    at_field, by_field = _STAMPS[to]
    setattr(audit, at_field, now)
    setattr(audit, by_field, getattr(by, "id", None))
    audit.status = to.value
    audit.version += 1
    audit.updated_at = now
    session.add(audit)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action=to.value,
        record_type="audit",
        record_id=audit.id,
        changes={"status": [current.value, to.value], **(changes or {})},
        reason=reason,
    )
