"""The audit's side of its nonconformities, through the nonconformity domain's service only."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from qms.audits.models import Audit, ChecklistItem, Result
from qms.nonconformities import service as nonconformities
from qms.nonconformities.states import STATUS_LABELS

SOURCE = "internal_audit"
# A nonconformity in one of these states needs nothing more from the audit.
SETTLED = {"closed", "cancelled"}


def status_label(status: str) -> str:
    """The msgid naming a nonconformity's state, as the nonconformity pages name it."""
    return next((label for key, label in STATUS_LABELS.items() if key == status), status)


def unsettled_audit_ids():
    """A subquery of the audits with a nonconformity still neither closed nor cancelled."""
    return nonconformities.unsettled_audit_ids()


def for_item(*, session: Session, item: ChecklistItem):
    return nonconformities.for_checklist_item(session=session, checklist_item_id=item.id)


def for_audit(*, session: Session, audit: Audit) -> list:
    return list(nonconformities.for_audit(session=session, audit_id=audit.id))


def by_item(*, session: Session, audit: Audit) -> dict[int, object]:
    """The audit's nonconformities keyed by the checklist item that raised them."""
    return {
        nc.checklist_item_id: nc
        for nc in for_audit(session=session, audit=audit)
        if nc.checklist_item_id is not None
    }


def withdraw(*, session: Session, by, nc, reason: str):
    """The answer that raised `nc` changed while the audit is in progress: cancelled."""
    return nonconformities.cancel_for_changed_answer(session=session, nc=nc, by=by, reason=reason)


def raise_for_item(
    *, session: Session, by, audit: Audit, item: ChecklistItem, lang: str, today: date | None
):
    """One nonconformity per item: raised on the first nonconforming answer, never twice."""
    existing = for_item(session=session, item=item)
    if existing is not None:
        return existing
    result = Result(item.result)
    description = f"{item.ref} — {item.question(lang)}\n\n{item.evidence}".strip()
    return nonconformities.raise_nonconformity(
        session=session,
        by=by,
        source=SOURCE,
        department_id=audit.department_id,
        clause=item.clause,
        severity="major" if result is Result.major_nc else "minor",
        description=description,
        audit_id=audit.id,
        checklist_item_id=item.id,
        today=today,
    )
