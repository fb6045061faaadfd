"""What is due, rule by rule: each rule is a small function listed in RULES.

A rule looks at the records as of a day and yields `Due` items; the sweep turns each into
the reminder of its current stage, so a stage missed while the server was down is simply
the stage found at the next sweep.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, Integer, and_, cast, false, func, literal, or_, type_coerce
from sqlmodel import Session

from qms.i18n import N_

# Stages, each a window before or after the due date: 30 days before, 7 days before, on the
# day, then one per week overdue (escalated to the department's managers).
STAGE_LABELS = {
    "30d": N_("due within 30 days"),
    "7d": N_("due within 7 days"),
    "due": N_("due today"),
    "overdue": N_("overdue"),
}


def stage_of(due_on: date, as_of: date) -> str | None:
    days = (due_on - as_of).days
    if days > 30:
        return None
    if days > 7:
        return "30d"
    if days > 0:
        return "7d"
    if days == 0:
        return "due"
    week = (-days - 1) // 7 + 1
    return f"overdue-{week}"


def is_overdue(stage: str) -> bool:
    return stage.startswith("overdue")


def stage_opened_on(due_on: date, as_of: date) -> date | None:
    """The first day of the stage `due_on` is in as of the day (None: no stage yet)."""
    stage = stage_of(due_on, as_of)
    if stage is None:
        return None
    if stage == "30d":
        return due_on - timedelta(days=30)
    if stage == "7d":
        return due_on - timedelta(days=7)
    if stage == "due":
        return due_on
    # Weekly when late: overdue-1 opens the day after, overdue-2 a week later, …
    return as_of - timedelta(days=((as_of - due_on).days - 1) % 7)


@dataclass(frozen=True)
class Windows:
    """The due dates whose stage opened after the day of the last complete sweep (`after`)
    and by `as_of`: when nothing but the calendar moved since that sweep, the only
    reminders a sweep as of `as_of` can find new are theirs (every other stage was made).

    Ahead of the day they are three date ranges (30 days, 7 days, the day itself); overdue,
    one day in seven of the backlog (a weekly stage opens when the days late are 1, 8, 15…)
    unless a week or more has passed since `after`."""

    after: date
    as_of: date
    dialect: str = "sqlite"

    def shifted(self, by: timedelta) -> Windows:
        """The same windows for a date `by` before the due date (due = that date + by)."""
        return Windows(after=self.after - by, as_of=self.as_of - by, dialect=self.dialect)

    def opens(self, due_on: date) -> bool:
        opened = stage_opened_on(due_on, self.as_of)
        return opened is not None and self.after < opened

    def ranges(self) -> list[tuple[date, date]]:
        """The due dates ahead of and on the day, as inclusive ranges."""
        day, after = self.as_of, self.after
        found = []
        for first, last, lead in ((8, 30, 30), (1, 7, 7)):
            low = max(day + timedelta(days=first), after + timedelta(days=lead + 1))
            high = day + timedelta(days=last)
            if low <= high:
                found.append((low, high))
        found.append((day, day))
        return found

    def _days_late(self, column):
        if self.dialect == "postgresql":
            return type_coerce(cast(literal(self.as_of), Date) - column, Integer)
        return cast(func.julianday(self.as_of.isoformat()) - func.julianday(column), Integer)

    def clause(self, column):
        """An SQL condition on a due-date column: the due date is in the windows."""
        if self.as_of <= self.after:
            return false()
        parts = [column.between(low, high) for low, high in self.ranges()]
        overdue = column < self.as_of
        gap = (self.as_of - self.after).days
        if gap < 7:
            overdue = and_(overdue, (self._days_late(column) - 1) % 7 < gap)
        return or_(*parts, overdue)


def windows_of(fn: Rule) -> bool:
    """Whether a rule takes the sweep's windows (a `windows` keyword) to bound its query."""
    return "windows" in inspect.signature(fn).parameters


@dataclass(frozen=True)
class Due:
    rule: str
    record_type: str
    record_id: int
    due_on: date
    recipients: tuple[int, ...]
    message: str  # msgid with %(name)s placeholders, e.g. "Review %(code)s %(title)s"
    url: str
    params: dict = field(default_factory=dict)
    # Overdue reminders also go to this department's managers.
    department_id: int | None = None


Rule = Callable[[Session, date], Iterable[Due]]
RULES: list[tuple[str, Rule]] = []


def rule(name: str):
    """Register a rule under its name (the first part of every reminder key it makes)."""

    def register(fn: Rule) -> Rule:
        if any(existing == name for existing, _ in RULES):
            raise RuntimeError(f"reminder rule {name!r} registered twice")
        RULES.append((name, fn))
        return fn

    return register


# --- the rules ----------------------------------------------------------------------------
# Each looks 30 days ahead (the first stage) and no further, so a sweep reads only what
# can be due; the domains' services do the querying. A rule may take `windows` (a
# `Windows`, or None for every stage): the due dates whose stage opened since the last
# complete sweep, to bound its query by; the sweep keeps only those of any rule anyway.

HORIZON = timedelta(days=30)


def _short(text: str, length: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


@rule("corrective_action_due")
def corrective_action_due(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.nonconformities import service as nonconformities

    for action, nc in nonconformities.actions_due(
        session=session, until=as_of + HORIZON, due_in=windows and windows.clause
    ):
        yield Due(
            rule="corrective_action_due",
            record_type="corrective_action",
            record_id=action.id,
            due_on=action.due_on,
            recipients=(action.owner_id,),
            message=N_("Complete the corrective action of %(code)s: %(what)s"),
            params={"code": nc.code, "what": _short(action.description)},
            url=f"/nonconformities/{nc.id}#action-{action.id}",
            department_id=nc.department_id,
        )


@rule("effectiveness_check_due")
def effectiveness_check_due(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.nonconformities import service as nonconformities

    for nc, verifiers in nonconformities.checks_due(
        session=session, until=as_of + HORIZON, due_in=windows and windows.clause
    ):
        yield Due(
            rule="effectiveness_check_due",
            record_type="nonconformity",
            record_id=nc.id,
            due_on=nc.check_due_on,
            recipients=tuple(verifiers),
            message=N_("Check whether the actions of %(code)s were effective: %(what)s"),
            params={"code": nc.code, "what": _short(nc.description)},
            url=f"/nonconformities/{nc.id}#check",
            department_id=nc.department_id,
        )


@rule("document_review_due")
def document_review_due(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.auth.models import Role
    from qms.auth.service import list_users
    from qms.documents import service as documents

    due = documents.periodic_reviews_due(
        session=session, until=as_of + HORIZON, due_in=windows and windows.clause
    )
    officers = (
        tuple(u.id for u in list_users(session=session, role=Role.quality_officer)) if due else ()
    )
    for document in due:
        # The owner reviews; without one, the quality officers do.
        recipients = (document.owner_id,) if document.owner_id else officers
        yield Due(
            rule="document_review_due",
            record_type="document",
            record_id=document.id,
            due_on=document.next_review_on,
            recipients=recipients,
            message=N_("Periodic review of %(code)s %(title)s"),
            params={"code": document.code, "title": _short(document.title)},
            url=f"/documents/{document.id}#periodic-title",
            department_id=document.department_id,
        )


@rule("revision_signature_waiting")
def revision_signature_waiting(session: Session, as_of: date) -> Iterable[Due]:
    from qms.documents import service as documents

    for revision, signer_id, due_on in documents.signatures_waiting(session=session):
        reviewing = revision.status == "in_review"
        yield Due(
            rule="revision_signature_waiting",
            record_type="revision",
            record_id=revision.id,
            due_on=due_on,
            recipients=(signer_id,),
            message=N_("Review %(code)s %(title)s, issue %(number)s")
            if reviewing
            else N_("Approve %(code)s %(title)s, issue %(number)s"),
            params={
                "code": revision.document.code,
                "title": _short(revision.document.title),
                "number": f"{revision.number:02d}",
            },
            url=f"/revisions/{revision.id}",
            department_id=revision.document.department_id,
        )


@rule("revision_acknowledgement_due")
def revision_acknowledgement_due(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.documents import service as documents

    # Due a fixed number of days after the effective date: the windows moved back as many.
    within = timedelta(days=documents.ACKNOWLEDGE_WITHIN_DAYS)
    for revision, due_on, by_department in documents.acknowledgements_due(
        session=session,
        as_of=as_of,
        effective_in=windows and windows.shifted(within).clause,
    ):
        for department_id, readers in by_department.items():
            yield Due(
                rule="revision_acknowledgement_due",
                record_type="revision",
                record_id=revision.id,
                due_on=due_on,
                recipients=tuple(readers),
                message=N_("Read and acknowledge %(code)s %(title)s, issue %(number)s"),
                params={
                    "code": revision.document.code,
                    "title": _short(revision.document.title),
                    "number": f"{revision.number:02d}",
                },
                url=f"/revisions/{revision.id}",
                # Late readers are escalated to the manager of their own department.
                department_id=department_id,
            )


@rule("audit_starting")
def audit_starting(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.audits import service as audits
    from qms.auth.service import managers_of

    for audit in audits.starting_before(
        session=session, until=as_of + HORIZON, due_in=windows and windows.clause
    ):
        auditee = [m.id for m in managers_of(session=session, department_id=audit.department_id)]
        yield Due(
            rule="audit_starting",
            record_type="audit",
            record_id=audit.id,
            due_on=audit.planned_start_on,
            recipients=tuple(sorted(audit.team_ids | set(auditee))),
            message=N_("Internal audit %(code)s starts: %(title)s"),
            params={"code": audit.code, "title": _short(audit.title)},
            url=f"/audits/{audit.id}",
        )


@rule("audit_closure_due")
def audit_closure_due(session: Session, as_of: date) -> Iterable[Due]:
    from qms.audits import service as audits
    from qms.auth.models import Role
    from qms.auth.service import list_users

    waiting = audits.awaiting_closure(session=session)
    officers = (
        tuple(u.id for u in list_users(session=session, role=Role.quality_officer))
        if waiting
        else ()
    )
    for audit, due_on in waiting:
        if due_on > as_of + HORIZON:
            continue
        yield Due(
            rule="audit_closure_due",
            record_type="audit",
            record_id=audit.id,
            due_on=due_on,
            recipients=tuple(sorted({audit.lead_auditor_id, *officers})),
            message=N_("Close internal audit %(code)s once its findings are settled: %(title)s"),
            params={"code": audit.code, "title": _short(audit.title)},
            url=f"/audits/{audit.id}",
            department_id=audit.department_id,
        )


@rule("management_review_planned")
def management_review_planned(session: Session, as_of: date) -> Iterable[Due]:
    from qms.reviews import service as reviews

    due = reviews.planned_until(session=session, until=as_of + HORIZON)
    officers = tuple(reviews.quality_officers(session=session)) if due else ()
    for review in due:
        yield Due(
            rule="management_review_planned",
            record_type="management_review",
            record_id=review.id,
            due_on=review.planned_on,
            recipients=tuple(sorted({review.chair_id, *review.attendee_ids, *officers})),
            message=N_("Management review %(code)s: read its compiled inputs before the meeting"),
            params={"code": review.code},
            url=f"/management-reviews/{review.id}#inputs",
        )


@rule("management_review_output_due")
def management_review_output_due(session: Session, as_of: date) -> Iterable[Due]:
    from qms.reviews import service as reviews

    for output, review in reviews.outputs_due(session=session, until=as_of + HORIZON):
        yield Due(
            rule="management_review_output_due",
            record_type="management_review_output",
            record_id=output.id,
            due_on=output.due_on,
            recipients=(output.owner_id,),
            message=N_("Complete the output of management review %(code)s: %(what)s"),
            params={"code": review.code, "what": _short(output.description)},
            url=f"/management-reviews/{review.id}#output-{output.id}",
        )


@rule("measurement_due")
def measurement_due(session: Session, as_of: date) -> Iterable[Due]:
    from qms.objectives import service as objectives

    # A period's figures fall due 10 days after it ends; the data owner enters them.
    for indicator, objective, period, due_on in objectives.measurements_due(
        session=session, until=as_of + HORIZON
    ):
        yield Due(
            rule="measurement_due",
            record_type="indicator",
            record_id=indicator.id,
            due_on=due_on,
            recipients=(indicator.data_owner_id,),
            message=N_("Enter the figures of %(code)s %(name)s for %(period)s"),
            params={"code": indicator.code, "name": _short(indicator.name), "period": period},
            url=f"/indicators/{indicator.id}#enter-title",
            department_id=objective.department_id,
        )


@rule("risk_action_due")
def risk_action_due(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.risks import service as risks

    for action, risk in risks.actions_due(
        session=session, until=as_of + HORIZON, due_in=windows and windows.clause
    ):
        yield Due(
            rule="risk_action_due",
            record_type="risk_action",
            record_id=action.id,
            due_on=action.due_on,
            recipients=(action.owner_id,),
            message=N_("Complete the treatment action of %(code)s: %(what)s"),
            params={"code": risk.code, "what": _short(action.description)},
            url=f"/risks/{risk.id}#action-{action.id}",
            department_id=risk.department_id,
        )


@rule("risk_review_due")
def risk_review_due(session: Session, as_of: date, windows=None) -> Iterable[Due]:
    from qms.risks import service as risks

    for risk in risks.reviews_due(
        session=session, until=as_of + HORIZON, due_in=windows and windows.clause
    ):
        yield Due(
            rule="risk_review_due",
            record_type="risk",
            record_id=risk.id,
            due_on=risk.review_on,
            recipients=(risk.owner_id,),
            message=N_("Review the risk register entry %(code)s: %(what)s"),
            params={"code": risk.code, "what": _short(risk.title)},
            url=f"/risks/{risk.id}#assess",
            department_id=risk.department_id,
        )
