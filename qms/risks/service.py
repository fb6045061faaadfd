"""The rules of the risks-and-opportunities register: raising and scoring an entry, its
treatment and actions, re-assessment kept as history, the heat map, links, the context
lists, and the figures the management review reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy import and_, delete, exists, func, or_
from sqlmodel import Session, col, select

from qms.auth import service as _auth
from qms.auth.models import Department, User
from qms.auth.permissions import require
from qms.counters import next_number
from qms.db import utcnow
from qms.errors import Conflict, Invalid, Label, NotFound
from qms.home.service import Slice, first_rows
from qms.i18n import N_
from qms.review_inputs import Figure
from qms.risks import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.risks.models import (
    BAND_OF,
    BANDS,
    LEVEL_LABELS,
    LEVEL_RANK,
    RELATION_LABELS,
    SCALE,
    TREATMENTS_FOR,
    AssessmentKind,
    ContextIssue,
    InterestedParty,
    IssueKind,
    Kind,
    Level,
    LinkTarget,
    Relation,
    Risk,
    RiskAction,
    RiskAssessment,
    RiskContextIssue,
    RiskInterestedParty,
    RiskLink,
    Treatment,
    band_for,
)
from qms.risks.states import (
    ACCEPT,
    ACTIONS_DONE,
    ACTIVE,
    CLOSE,
    COMPLETE_ACTION,
    FIELDS,
    LINK,
    NAME_CONTEXT,
    PLAN_ACTION,
    REASSESS,
    STATUS_LABELS,
    TREAT,
    Status,
)
from qms.trail import service as trail

RECORD = "risk"
ACTION_RECORD = "risk_action"
CONTEXT_ISSUE_RECORD = "context_issue"
PARTY_RECORD = "interested_party"
CODE_SERIES = "RR"
# An entry is reviewed again this long after it was raised or last re-assessed, unless a
# review date is given.
REVIEW_INTERVAL = timedelta(days=365)
# The audit results that are findings (a conforming or not applicable answer is not).
FINDINGS = ("minor_nc", "major_nc", "observation", "improvement")


# --- scoring ----------------------------------------------------------------------------


def _rating(value, field: str) -> int:
    """A likelihood or an impact: a whole number 1..5, else 422 naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        if field == "likelihood":
            raise Invalid("The likelihood is a whole number from 1 to 5.", field=field)
        raise Invalid("The impact is a whole number from 1 to 5.", field=field)
    return value


def score_of(likelihood, impact) -> tuple[int, int, int, Level]:
    likelihood = _rating(likelihood, "likelihood")
    impact = _rating(impact, "impact")
    score = likelihood * impact
    return likelihood, impact, score, band_for(score).level


# --- reading ----------------------------------------------------------------------------


def get_risk(*, session: Session, risk_id: int) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None:
        raise NotFound("Register entry %(id)s does not exist.", id=risk_id)
    return risk


def read(*, by: User, risk: Risk) -> Risk:
    """The entry for its reader: 403 unless they may read the register's entries."""
    require(by, "risk.read")
    return risk


def get_action(*, session: Session, action_id: int) -> RiskAction:
    action = session.get(RiskAction, action_id)
    if action is None:
        raise NotFound("Treatment action %(id)s does not exist.", id=action_id)
    return action


def history_of(*, session: Session, risk: Risk) -> list[RiskAssessment]:
    """The inherent assessment, then each residual one, oldest first."""
    return list(
        session.exec(
            select(RiskAssessment)
            .where(RiskAssessment.risk_id == risk.id)
            .order_by(col(RiskAssessment.id))
        ).all()
    )


def actions_of(*, session: Session, risk: Risk) -> list[RiskAction]:
    return list(
        session.exec(
            select(RiskAction).where(RiskAction.risk_id == risk.id).order_by(col(RiskAction.id))
        ).all()
    )


def links_of(*, session: Session, risk: Risk) -> list[RiskLink]:
    return list(
        session.exec(
            select(RiskLink).where(RiskLink.risk_id == risk.id).order_by(col(RiskLink.id))
        ).all()
    )


def _linked_to(session: Session, target: LinkTarget, target_ids: Iterable[int]):
    ids = list(target_ids)
    if not ids:
        return []
    return list(
        session.exec(
            select(RiskLink, Risk)
            .join(Risk, col(Risk.id) == RiskLink.risk_id)
            .where(RiskLink.target == target.value, col(RiskLink.target_id).in_(ids))
            .order_by(col(Risk.id))
        ).all()
    )


def risks_for_nonconformity(*, session: Session, nonconformity_id: int) -> list[tuple]:
    """(link, entry) for each register entry the nonconformity revealed or realised."""
    return _linked_to(session, LinkTarget.nonconformity, [nonconformity_id])


@dataclass(frozen=True)
class LinkedRisk:
    """A register entry as another domain's page shows it beside the record that revealed
    or realised it."""

    code: str
    title: str
    href: str
    score: int
    level: str
    level_label: str  # msgid
    colour: str
    text: str
    relation_label: str  # msgid
    status_label: str  # msgid


def _summaries(rows) -> list[LinkedRisk]:
    found = []
    for link, risk in rows:
        band = BAND_OF[Level(risk.level)]
        found.append(
            LinkedRisk(
                code=risk.code,
                title=risk.title,
                href=f"/risks/{risk.id}",
                score=risk.score,
                level=risk.level,
                level_label=band.label,
                colour=band.colour,
                text=band.text,
                relation_label=RELATION_LABELS[Relation(link.relation)],
                status_label=STATUS_LABELS[Status(risk.status)],
            )
        )
    return found


def linked_to_nonconformity(*, session: Session, nonconformity_id: int) -> list[LinkedRisk]:
    """The entries a nonconformity revealed or realised, for the nonconformity's page."""
    return _summaries(risks_for_nonconformity(session=session, nonconformity_id=nonconformity_id))


def linked_to_audit(*, session: Session, audit_id: int) -> list[LinkedRisk]:
    """The entries an audit's findings revealed or realised, for the audit's page."""
    rows = session.exec(
        select(RiskLink, Risk)
        .join(Risk, col(Risk.id) == RiskLink.risk_id)
        .where(RiskLink.target == LinkTarget.audit_finding.value, RiskLink.audit_id == audit_id)
        .order_by(col(Risk.id))
    ).all()
    return _summaries(rows)


def issue_ids_of(*, session: Session, risk: Risk) -> list[int]:
    return list(
        session.exec(
            select(RiskContextIssue.issue_id)
            .where(RiskContextIssue.risk_id == risk.id)
            .order_by(col(RiskContextIssue.issue_id))
        ).all()
    )


def party_ids_of(*, session: Session, risk: Risk) -> list[int]:
    return list(
        session.exec(
            select(RiskInterestedParty.party_id)
            .where(RiskInterestedParty.risk_id == risk.id)
            .order_by(col(RiskInterestedParty.party_id))
        ).all()
    )


def context_issues(*, session: Session) -> list[ContextIssue]:
    return list(
        session.exec(select(ContextIssue).order_by(col(ContextIssue.kind), col(ContextIssue.id)))
    )


def interested_parties(*, session: Session) -> list[InterestedParty]:
    return list(session.exec(select(InterestedParty).order_by(col(InterestedParty.id))))


people_named = _auth.people_named


def review_overdue(risk: Risk, today: date) -> bool:
    return risk.status in ACTIVE and risk.review_on is not None and risk.review_on < today


# --- the register's filters -------------------------------------------------------------


@dataclass
class Filters:
    kind: str | None = None
    level: str | None = None
    # This level or above (high: high and critical).
    min_level: str | None = None
    department_id: int | None = None
    status: str | None = None
    # Only the entries still in the working set (open, treating, monitored).
    active: bool = False
    overdue_review: bool | None = None
    likelihood: int | None = None
    impact: int | None = None
    owner_id: int | None = None
    action_owner_id: int | None = None
    raised_from: date | None = None
    raised_to: date | None = None
    # Re-assessed (a residual assessment) in the period.
    assessed_from: date | None = None
    assessed_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    # A treatment action done in the period.
    action_done_from: date | None = None
    action_done_to: date | None = None
    # Re-assessed in the period to a lower score than before.
    lowered_from: date | None = None
    lowered_to: date | None = None

    def query_string(self) -> str:
        """The filters as the register's query string (the pages and the API read it)."""
        pairs = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value is False:
                continue
            pairs.append((f.name, "true" if value is True else str(value)))
        return urlencode(pairs)

    def href(self) -> str:
        query = self.query_string()
        return "/risks" + ("?" + query if query else "")


def _between(column, start: date | None, end: date | None):
    clauses = []
    if start is not None:
        clauses.append(column >= start)
    if end is not None:
        clauses.append(column <= end)
    return and_(*clauses) if clauses else None


def _filtered(query, filters: Filters, today: date):
    if filters.kind:
        query = query.where(Risk.kind == filters.kind)
    if filters.level:
        query = query.where(Risk.level == filters.level)
    if filters.min_level:
        rank = LEVEL_RANK[Level(filters.min_level)]
        query = query.where(
            col(Risk.level).in_([b.level.value for b in BANDS if LEVEL_RANK[b.level] >= rank])
        )
    if filters.department_id is not None:
        query = query.where(Risk.department_id == filters.department_id)
    if filters.status:
        query = query.where(Risk.status == filters.status)
    if filters.active:
        query = query.where(col(Risk.status).in_([s.value for s in ACTIVE]))
    late_review = and_(
        col(Risk.status).in_([s.value for s in ACTIVE]),
        col(Risk.review_on).is_not(None),
        col(Risk.review_on) < today,
    )
    if filters.overdue_review is True:
        query = query.where(late_review)
    elif filters.overdue_review is False:
        query = query.where(~late_review)
    if filters.likelihood is not None:
        query = query.where(Risk.likelihood == filters.likelihood)
    if filters.impact is not None:
        query = query.where(Risk.impact == filters.impact)
    if filters.owner_id is not None:
        query = query.where(Risk.owner_id == filters.owner_id)
    if filters.action_owner_id is not None:
        query = query.where(
            exists().where(
                RiskAction.risk_id == Risk.id,
                RiskAction.owner_id == filters.action_owner_id,
                col(RiskAction.done_on).is_(None),
            )
        )
    raised = _between(col(Risk.raised_on), filters.raised_from, filters.raised_to)
    if raised is not None:
        query = query.where(raised)
    closed = _between(col(Risk.closed_on), filters.closed_from, filters.closed_to)
    if closed is not None:
        query = query.where(closed)
    assessed = _between(col(RiskAssessment.assessed_on), filters.assessed_from, filters.assessed_to)
    # From the assessments of the period (by their date's index) to their entries, not
    # from every entry to its assessments: the work follows the period, not the register.
    if assessed is not None:
        query = query.where(
            col(Risk.id).in_(
                select(RiskAssessment.risk_id).where(
                    RiskAssessment.kind == AssessmentKind.residual.value, assessed
                )
            )
        )
    lowered = _between(col(RiskAssessment.assessed_on), filters.lowered_from, filters.lowered_to)
    if lowered is not None:
        query = query.where(
            col(Risk.id).in_(
                select(RiskAssessment.risk_id).where(
                    RiskAssessment.kind == AssessmentKind.residual.value,
                    col(RiskAssessment.score) < col(RiskAssessment.previous_score),
                    lowered,
                )
            )
        )
    done = _between(col(RiskAction.done_on), filters.action_done_from, filters.action_done_to)
    if done is not None:
        query = query.where(exists().where(RiskAction.risk_id == Risk.id, done))
    return query


def list_risks(
    *,
    session: Session,
    by: User,
    filters: Filters,
    today: date,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[list[Risk], int]:
    """One page of the register (highest score first, then newest) and the total matching;
    for those who may read the register."""
    require(by, "risk.list")
    total = session.exec(_filtered(select(func.count()).select_from(Risk), filters, today)).one()
    query = _filtered(select(Risk), filters, today).order_by(
        col(Risk.score).desc(), col(Risk.id).desc()
    )
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.exec(query).all()), int(total)


def count_risks(*, session: Session, filters: Filters, today: date) -> int:
    return int(
        session.exec(_filtered(select(func.count()).select_from(Risk), filters, today)).one()
    )


# --- the heat map -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int
    score: int
    level: Level
    colour: str
    text: str
    href: str


def heatmap(
    *,
    session: Session,
    by: User,
    today: date,
    kind: str | None = None,
    department_id: int | None = None,
    raised_to: date | None = None,
) -> list[Cell]:
    """The 25 cells of likelihood × impact for the active entries, each with its count, its
    level's colour and the register filtered to it. Impact 5 first, likelihood 1 first;
    for those who may read the register."""
    require(by, "risk.list")
    base = Filters(kind=kind, department_id=department_id, active=True, raised_to=raised_to)
    query = _filtered(
        select(Risk.likelihood, Risk.impact, func.count()).select_from(Risk), base, today
    ).group_by(col(Risk.likelihood), col(Risk.impact))
    counts = {(int(lk), int(im)): int(n) for lk, im, n in session.exec(query).all()}
    cells = []
    for impact in reversed(SCALE):
        for likelihood in SCALE:
            band = band_for(likelihood * impact)
            cell_filters = Filters(
                kind=kind,
                department_id=department_id,
                active=True,
                likelihood=likelihood,
                impact=impact,
                raised_to=raised_to,
            )
            cells.append(
                Cell(
                    likelihood=likelihood,
                    impact=impact,
                    count=counts.get((likelihood, impact), 0),
                    score=likelihood * impact,
                    level=band.level,
                    colour=band.colour,
                    text=band.text,
                    href=cell_filters.href(),
                )
            )
    return cells


# --- raising ----------------------------------------------------------------------------


def _text(value, field: str, message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid(message, field=field)
    return text


def _active_user(session: Session, user_id, field: str) -> User:
    user = session.get(User, user_id) if isinstance(user_id, int) and user_id > 0 else None
    if user is None or not user.is_active:
        raise Invalid("Choose an active person.", field=field)
    return user


def _clauses(values) -> list[str]:
    import re

    pattern = re.compile(r"^\d{1,2}(\.\d{1,2}){0,4}$")
    found = []
    for value in values or []:
        clause = str(value).strip()
        if not clause:
            continue
        if not pattern.match(clause):
            raise Invalid(
                "Enter each ISO 9001 clause as numbers and dots, e.g. 6.1.", field="clauses"
            )
        if clause not in found:
            found.append(clause)
    return found


def _checked_ids(session: Session, model, ids, field: str, message: str) -> list[int]:
    found = sorted({int(i) for i in ids or []})
    for item_id in found:
        if item_id < 1 or item_id > 2_147_483_647 or session.get(model, item_id) is None:
            raise Invalid(message, field=field, id=item_id)
    return found


def _set_context(session: Session, risk: Risk, issue_ids: list[int], party_ids: list[int]):
    for row in session.exec(select(RiskContextIssue).where(RiskContextIssue.risk_id == risk.id)):
        session.delete(row)
    for row in session.exec(
        select(RiskInterestedParty).where(RiskInterestedParty.risk_id == risk.id)
    ):
        session.delete(row)
    session.flush()
    for issue_id in issue_ids:
        session.add(RiskContextIssue(risk_id=risk.id, issue_id=issue_id))
    for party_id in party_ids:
        session.add(RiskInterestedParty(risk_id=risk.id, party_id=party_id))
    session.flush()


def raise_risk(
    *,
    session: Session,
    by: User,
    kind: str,
    title: str,
    department_id: int,
    owner_id: int,
    likelihood,
    impact,
    today: date,
    cause: str = "",
    consequence: str = "",
    process: str = "",
    clauses: Iterable[str] = (),
    review_on: date | None = None,
    issue_ids: Iterable[int] = (),
    party_ids: Iterable[int] = (),
) -> Risk:
    """Enter a risk or an opportunity with the next code of the year, scored; its first
    assessment (inherent) starts the history."""
    require(by, "risk.raise")
    try:
        kind = Kind(kind).value
    except ValueError:
        raise Invalid("Choose risk or opportunity.", field="kind") from None
    title = _text(title, "title", N_("Give the entry a title."))
    if len(title) > 300:
        raise Invalid("Keep the title under 300 characters.", field="title")
    department = session.get(Department, department_id) if department_id else None
    if department is None:
        raise Invalid("Choose the department concerned.", field="department_id")
    owner = _active_user(session, owner_id, "owner_id")
    likelihood, impact, score, level = score_of(likelihood, impact)
    found_clauses = _clauses(clauses)
    if review_on is not None and review_on < today:
        raise Invalid("The review date cannot be in the past.", field="review_on")
    issues = _checked_ids(
        session, ContextIssue, issue_ids, "issue_ids", N_("Context issue %(id)s does not exist.")
    )
    parties = _checked_ids(
        session,
        InterestedParty,
        party_ids,
        "party_ids",
        N_("Interested party %(id)s does not exist."),
    )
    year = today.year
    number = next_number(session=session, name=CODE_SERIES, year=year)
    risk = Risk(
        code=f"{CODE_SERIES}-{year}-{number:03d}",
        kind=kind,
        status=Status.open.value,
        department_id=department.id,
        process=(process or "").strip()[:200],
        title=title,
        cause=(cause or "").strip(),
        consequence=(consequence or "").strip(),
        owner_id=owner.id,
        raised_by_id=by.id,
        clauses=found_clauses,
        likelihood=likelihood,
        impact=impact,
        score=score,
        level=level.value,
        raised_on=today,
        review_on=review_on or today + REVIEW_INTERVAL,
    )
    session.add(risk)
    session.flush()
    session.add(
        RiskAssessment(
            risk_id=risk.id,
            kind=AssessmentKind.inherent.value,
            likelihood=likelihood,
            impact=impact,
            score=score,
            level=level.value,
            assessed_on=today,
            assessed_by_id=by.id,
        )
    )
    _set_context(session, risk, issues, parties)
    changes = {name: [None, getattr(risk, name)] for name in FIELDS if getattr(risk, name)}
    changes["code"] = [None, risk.code]
    if issues:
        changes["issue_ids"] = [None, issues]
    if parties:
        changes["party_ids"] = [None, parties]
    trail.record(
        session=session,
        actor=by,
        action="raised",
        record_type=RECORD,
        record_id=risk.id,
        changes=changes,
    )
    return risk


# --- treatment --------------------------------------------------------------------------


def _pending(session: Session, risk: Risk) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                RiskAction.risk_id == risk.id, col(RiskAction.done_on).is_(None)
            )
        ).one()
    )


def decide_treatment(
    *,
    session: Session,
    risk: Risk,
    by: User,
    treatment: str,
    justification: str = "",
    version: int | None = None,
) -> Risk:
    """Choose how the entry is treated. Accepting moves it to monitored (nothing to do but
    watch it) and, for a high or critical risk, needs a manager of its department and a
    justification; any other treatment moves an open entry to treating."""
    TREAT.require(session=session, user=by, record=risk, version=version, versioned=True)
    try:
        chosen = Treatment(treatment)
    except ValueError:
        raise Invalid("Choose the treatment from the list.", field="treatment") from None
    kind = Kind(risk.kind)
    if chosen not in TREATMENTS_FOR[kind]:
        if kind == Kind.opportunity:
            raise Invalid("An opportunity is pursued.", field="treatment")
        raise Invalid("A risk is accepted, mitigated, avoided or transferred.", field="treatment")
    justification = (justification or "").strip()
    high = LEVEL_RANK[Level(risk.level)] >= LEVEL_RANK[Level.high]
    if chosen == Treatment.accept:
        if high:
            require(by, "risk.accept_high", risk)
            if not justification:
                raise Invalid(
                    "Say why a %(level)s risk is accepted as it is.",
                    field="justification",
                    level=Label(risk.level, LEVEL_LABELS[Level(risk.level)]),
                )
        if _pending(session, risk):
            raise Conflict(
                "%(code)s still has treatment actions to do: complete them before accepting it.",
                field="treatment",
                code=risk.code,
            )
    decided = ACCEPT if chosen == Treatment.accept else TREAT
    decided.apply(
        session=session,
        record=risk,
        by=by,
        changes={
            "treatment": chosen.value,
            "justification": justification,
            "treatment_decided_by_id": by.id,
        },
    )
    return risk


def plan_action(
    *,
    session: Session,
    risk: Risk,
    by: User,
    description: str,
    owner_id: int,
    due_on: date,
    today: date,
    version: int | None = None,
) -> RiskAction:
    """Plan a treatment action; a monitored entry goes back to treating."""
    PLAN_ACTION.require(session=session, user=by, record=risk, version=version)
    description = _text(description, "description", N_("Describe the treatment action."))
    owner = _active_user(session, owner_id, "owner_id")
    if not isinstance(due_on, date):
        raise Invalid("Enter the due date.", field="due_on")
    if due_on < today:
        raise Invalid("The due date cannot be in the past.", field="due_on")
    action = RiskAction(
        risk_id=risk.id,
        description=description,
        owner_id=owner.id,
        due_on=due_on,
        planned_by_id=by.id,
    )
    session.add(action)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="planned",
        record_type=ACTION_RECORD,
        record_id=action.id,
        changes={
            "risk_id": [None, risk.id],
            "description": [None, description],
            "owner_id": [None, owner.id],
            "due_on": [None, due_on],
        },
    )
    PLAN_ACTION.apply(session=session, record=risk, by=by)
    return action


def complete_action(
    *,
    session: Session,
    action: RiskAction,
    by: User,
    evidence: str,
    today: date,
    version: int | None = None,
) -> RiskAction:
    """The action's owner marks it done with its evidence; the last one done moves the
    entry to monitored."""
    risk = session.get(Risk, action.risk_id)
    COMPLETE_ACTION.require(session=session, user=by, record=risk, subject=action, version=version)
    evidence = _text(evidence, "evidence", N_("Describe the evidence that the action was done."))
    action.done_on = today
    action.completed_at = utcnow()
    action.evidence = evidence
    action.version += 1
    action.updated_at = utcnow()
    session.add(action)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="completed",
        record_type=ACTION_RECORD,
        record_id=action.id,
        changes={"done_on": [None, today], "evidence": [None, evidence]},
    )
    if not _pending(session, risk):
        ACTIONS_DONE.apply(session=session, record=risk, by=by, subject=action)
    return action


def reassess(
    *,
    session: Session,
    risk: Risk,
    by: User,
    likelihood,
    impact,
    comment: str,
    today: date,
    version: int | None = None,
    review_on: date | None = None,
) -> RiskAssessment:
    """A new (residual) likelihood × impact, kept in the history with date, who and why;
    the entry's score, level and next review date follow it."""
    REASSESS.require(session=session, user=by, record=risk, version=version, versioned=True)
    likelihood, impact, score, level = score_of(likelihood, impact)
    comment = _text(comment, "comment", N_("Say what the re-assessment is based on."))
    if review_on is not None and review_on < today:
        raise Invalid("The review date cannot be in the past.", field="review_on")
    row = RiskAssessment(
        risk_id=risk.id,
        kind=AssessmentKind.residual.value,
        likelihood=likelihood,
        impact=impact,
        score=score,
        level=level.value,
        previous_score=risk.score,
        comment=comment,
        assessed_on=today,
        assessed_by_id=by.id,
    )
    session.add(row)
    REASSESS.apply(
        session=session,
        record=risk,
        by=by,
        changes={
            "likelihood": likelihood,
            "impact": impact,
            "score": score,
            "level": level.value,
            "review_on": review_on or today + REVIEW_INTERVAL,
        },
        reason=comment,
    )
    return row


def close(
    *, session: Session, risk: Risk, by: User, reason: str, today: date, version: int | None = None
) -> Risk:
    """Close a monitored entry that no longer needs watching, with the reason."""
    CLOSE.require(session=session, user=by, record=risk, version=version, versioned=True)
    reason = _text(reason, "reason", N_("Say why the entry can be closed."))
    CLOSE.apply(
        session=session,
        record=risk,
        by=by,
        changes={"closed_on": today, "close_reason": reason},
        reason=reason,
    )
    return risk


# --- links and the context lists --------------------------------------------------------


def _link_target(
    session: Session, target: LinkTarget, target_id: int
) -> tuple[str, str, int | None]:
    """(label, href, audit id) of a nonconformity or an audit finding, through its domain's
    service."""
    if target == LinkTarget.nonconformity:
        from qms.nonconformities import service as nonconformities

        try:
            nc = nonconformities.get_nonconformity(session=session, nonconformity_id=target_id)
        except NotFound:
            raise Invalid(
                "Nonconformity %(id)s does not exist.", field="target_id", id=target_id
            ) from None
        return nc.code, f"/nonconformities/{nc.id}", None
    from qms.audits import service as audits

    try:
        item = audits.get_item(session=session, item_id=target_id)
    except NotFound:
        raise Invalid(
            "Audit finding %(id)s does not exist.", field="target_id", id=target_id
        ) from None
    if item.result not in FINDINGS:
        raise Invalid(
            "Checklist item %(id)s is not a finding (no nonconformity, observation or "
            "opportunity for improvement was recorded).",
            field="target_id",
            id=target_id,
        )
    audit = audits.get_audit(session=session, audit_id=item.audit_id)
    return f"{audit.code} {item.ref}", f"/audits/{audit.id}/checklist#item-{item.id}", audit.id


def link_label(*, session: Session, link: RiskLink) -> tuple[str, str]:
    try:
        label, href, _audit_id = _link_target(session, LinkTarget(link.target), link.target_id)
        return label, href
    except Invalid:
        return f"#{link.target_id}", ""


def add_link(
    *, session: Session, risk: Risk, by: User, target: str, target_id: int, relation: str
) -> RiskLink:
    """Link the nonconformity or audit finding that revealed or realised the entry."""
    LINK.require(session=session, user=by, record=risk)
    try:
        chosen = LinkTarget(target)
    except ValueError:
        raise Invalid("Choose a nonconformity or an audit finding.", field="target") from None
    try:
        how = Relation(relation)
    except ValueError:
        raise Invalid(
            "Choose whether it revealed or realised the entry.", field="relation"
        ) from None
    if not isinstance(target_id, int) or not 0 < target_id < 2**31:
        raise Invalid("Enter the number of the record to link.", field="target_id")
    label, _href, audit_id = _link_target(session, chosen, target_id)
    existing = session.exec(
        select(RiskLink).where(
            RiskLink.risk_id == risk.id,
            RiskLink.target == chosen.value,
            RiskLink.target_id == target_id,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            "%(label)s is already linked to %(code)s.",
            field="target_id",
            label=label,
            code=risk.code,
        )
    link = RiskLink(
        risk_id=risk.id,
        target=chosen.value,
        target_id=target_id,
        audit_id=audit_id,
        relation=how.value,
        linked_by_id=by.id,
    )
    session.add(link)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="linked",
        record_type=RECORD,
        record_id=risk.id,
        changes={"link": [None, {"target": chosen.value, "id": target_id, "relation": how.value}]},
    )
    return link


def get_link(*, session: Session, risk: Risk, link_id: int) -> RiskLink:
    """The entry's link `link_id` (404 if it is another entry's or was removed)."""
    link = session.get(RiskLink, link_id)
    if link is None or link.risk_id != risk.id:
        raise NotFound("Link %(id)s of %(code)s does not exist.", id=link_id, code=risk.code)
    return link


def remove_link(*, session: Session, risk: Risk, by: User, link_id: int) -> None:
    """Remove a link made by mistake: the same people who may link may unlink, while the
    entry is not closed; the trail keeps what was linked, by whom and when."""
    LINK.require(session=session, user=by, record=risk)
    link = get_link(session=session, risk=risk, link_id=link_id)
    removed = {
        "target": link.target,
        "id": link.target_id,
        "relation": link.relation,
        "linked_by_id": link.linked_by_id,
        "linked_at": link.linked_at.isoformat(),
    }
    # One statement that says whether it removed the row: of two people removing the same
    # link at once, the second is told it is gone (404), not that it was removed twice.
    gone = session.exec(  # type: ignore[call-overload]
        delete(RiskLink).where(col(RiskLink.id) == link.id, RiskLink.risk_id == risk.id)
    )
    session.expunge(link)
    if gone.rowcount != 1:
        raise NotFound("Link %(id)s of %(code)s does not exist.", id=link_id, code=risk.code)
    trail.record(
        session=session,
        actor=by,
        action="unlinked",
        record_type=RECORD,
        record_id=risk.id,
        changes={"link": [removed, None]},
    )


def name_context(
    *,
    session: Session,
    risk: Risk,
    by: User,
    issue_ids: Iterable[int],
    party_ids: Iterable[int],
    version: int | None = None,
) -> Risk:
    """Set the context issues and interested parties the entry names."""
    NAME_CONTEXT.require(session=session, user=by, record=risk, version=version, versioned=True)
    issues = _checked_ids(
        session, ContextIssue, issue_ids, "issue_ids", N_("Context issue %(id)s does not exist.")
    )
    parties = _checked_ids(
        session,
        InterestedParty,
        party_ids,
        "party_ids",
        N_("Interested party %(id)s does not exist."),
    )
    old = [issue_ids_of(session=session, risk=risk), party_ids_of(session=session, risk=risk)]
    _set_context(session, risk, issues, parties)
    NAME_CONTEXT.apply(
        session=session,
        record=risk,
        by=by,
        also={"issue_ids": [old[0], issues], "party_ids": [old[1], parties]},
    )
    return risk


def add_context_issue(
    *, session: Session, by: User, kind: str, title: str, description: str, today: date
) -> ContextIssue:
    require(by, "risk.context")
    try:
        kind = IssueKind(kind).value
    except ValueError:
        raise Invalid("Choose internal or external.", field="kind") from None
    title = _text(title, "title", N_("Name the issue."))
    if len(title) > 300:
        raise Invalid("Keep the title under 300 characters.", field="title")
    issue = ContextIssue(
        kind=kind, title=title, description=(description or "").strip(), changed_on=today
    )
    session.add(issue)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="added",
        record_type=CONTEXT_ISSUE_RECORD,
        record_id=issue.id,
        changes={
            "kind": [None, kind],
            "title": [None, title],
            "description": [None, issue.description],
        },
    )
    return issue


def add_interested_party(
    *, session: Session, by: User, name: str, requirements: str, today: date
) -> InterestedParty:
    require(by, "risk.context")
    name = _text(name, "name", N_("Name the interested party."))
    if len(name) > 300:
        raise Invalid("Keep the name under 300 characters.", field="name")
    party = InterestedParty(name=name, requirements=(requirements or "").strip(), changed_on=today)
    session.add(party)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="added",
        record_type=PARTY_RECORD,
        record_id=party.id,
        changes={"name": [None, name], "requirements": [None, party.requirements]},
    )
    return party


# --- what falls due (the reminder rules read these) ---------------------------------------


def actions_due(*, session: Session, until: date, due_in=None) -> list[tuple[RiskAction, Risk]]:
    """Open treatment actions of active entries due on or before `until`; with `due_in` (a
    condition on the due-date column: the reminder sweep's windows), only those."""
    query = (
        select(RiskAction, Risk)
        .join(Risk, col(Risk.id) == RiskAction.risk_id)
        .where(
            col(RiskAction.done_on).is_(None),
            RiskAction.due_on <= until,
            Risk.status == Status.treating.value,
        )
    )
    if due_in is not None:
        query = query.where(due_in(col(RiskAction.due_on)))
    return list(session.exec(query.order_by(col(RiskAction.due_on), col(RiskAction.id))).all())


def reviews_due(*, session: Session, until: date, due_in=None) -> list[Risk]:
    """Active entries whose review date is on or before `until` (and `due_in`, as for
    `actions_due`)."""
    query = select(Risk).where(
        col(Risk.status).in_([s.value for s in ACTIVE]),
        col(Risk.review_on).is_not(None),
        Risk.review_on <= until,
    )
    if due_in is not None:
        query = query.where(due_in(col(Risk.review_on)))
    return list(session.exec(query.order_by(col(Risk.review_on), col(Risk.id))).all())


# --- the management review (9.3.2 b and e) -------------------------------------------------

OPEN_AT_LEVEL = {
    Level.low: N_("Entries entered by %(end)s and open now at level low"),
    Level.medium: N_("Entries entered by %(end)s and open now at level medium"),
    Level.high: N_("Entries entered by %(end)s and open now at level high"),
    Level.critical: N_("Entries entered by %(end)s and open now at level critical"),
}


def review_inputs(*, session, start: date, end: date) -> list[Figure]:
    """The register's figures for a management review of the period start..end: section b
    (changes in risks and opportunities, and in the context lists) and section e (the
    effectiveness of the actions taken on them). Each links to the register filtered to
    the entries behind it; the open figures are as of today, of the entries entered by
    the end of the period."""
    # Only the overdue-review filter reads the day, and no figure here uses it.
    today = end
    period = {"start": start.isoformat(), "end": end.isoformat()}

    def figure(key, section, label, filters: Filters, **params) -> Figure:
        return Figure(
            key=key,
            section=section,
            label=label,
            value=count_risks(session=session, filters=filters, today=today),
            href=filters.href(),
            params={**period, **params},
        )

    figures = [
        figure(
            "risks.raised",
            "b",
            N_("Risks and opportunities entered in the register from %(start)s to %(end)s"),
            Filters(raised_from=start, raised_to=end),
        ),
        figure(
            "risks.opportunities_raised",
            "b",
            N_("Opportunities among them"),
            Filters(kind=Kind.opportunity.value, raised_from=start, raised_to=end),
        ),
        figure(
            "risks.reassessed",
            "b",
            N_("Entries re-assessed from %(start)s to %(end)s"),
            Filters(assessed_from=start, assessed_to=end),
        ),
        figure(
            "risks.closed",
            "b",
            N_("Entries closed from %(start)s to %(end)s"),
            Filters(closed_from=start, closed_to=end),
        ),
    ]
    for band in BANDS:
        figures.append(
            figure(
                f"risks.open.{band.level.value}",
                "b",
                OPEN_AT_LEVEL[band.level],
                # Not the entries entered after the period: a review held later (or told
                # later, as the demo's 2020 one) counts only those it could have seen.
                Filters(active=True, level=band.level.value, raised_to=end),
            )
        )
    issues_changed = int(
        session.exec(
            select(func.count()).where(
                ContextIssue.changed_on >= start, ContextIssue.changed_on <= end
            )
        ).one()
    )
    parties_changed = int(
        session.exec(
            select(func.count()).where(
                InterestedParty.changed_on >= start, InterestedParty.changed_on <= end
            )
        ).one()
    )
    figures += [
        Figure(
            key="risks.context_issues_changed",
            section="b",
            label=N_("Internal and external issues added or changed from %(start)s to %(end)s"),
            value=issues_changed,
            href="/risks/context",
            params=period,
        ),
        Figure(
            key="risks.interested_parties_changed",
            section="b",
            label=N_("Interested parties added or changed from %(start)s to %(end)s"),
            value=parties_changed,
            href="/risks/context",
            params=period,
        ),
    ]
    actions_done = int(
        session.exec(
            select(func.count()).where(
                col(RiskAction.done_on).is_not(None),
                RiskAction.done_on >= start,
                RiskAction.done_on <= end,
            )
        ).one()
    )
    figures += [
        Figure(
            key="risks.actions_done",
            section="e",
            label=N_("Treatment actions done from %(start)s to %(end)s"),
            value=actions_done,
            href=Filters(action_done_from=start, action_done_to=end).href(),
            params=period,
        ),
        figure(
            "risks.residual_lower",
            "e",
            N_("Entries re-assessed to a lower score from %(start)s to %(end)s"),
            Filters(lowered_from=start, lowered_to=end),
        ),
        figure(
            "risks.open_high",
            "e",
            N_("Entries entered by %(end)s still open at level high or critical"),
            Filters(active=True, min_level=Level.high.value, raised_to=end),
        ),
    ]
    return figures


# --- the home page's work ---------------------------------------------------------------


def actions_to_complete(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """(action, entry) rows of the person's open treatment actions, earliest due first."""
    query = (
        select(RiskAction, Risk)
        .join(Risk, col(Risk.id) == RiskAction.risk_id)
        .where(
            RiskAction.owner_id == user.id,
            col(RiskAction.done_on).is_(None),
            Risk.status == Status.treating.value,
        )
    )
    return first_rows(
        session,
        query,
        order_by=[col(RiskAction.due_on), col(RiskAction.id)],
        limit=limit,
        overdue=col(RiskAction.due_on) < today,
    )


def reviews_to_do(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """Active entries the person owns whose review date has passed, the oldest first."""
    query = select(Risk).where(
        Risk.owner_id == user.id,
        col(Risk.status).in_([s.value for s in ACTIVE]),
        col(Risk.review_on).is_not(None),
        col(Risk.review_on) < today,
    )
    return first_rows(
        session,
        query,
        order_by=[col(Risk.review_on), col(Risk.id)],
        limit=limit,
        overdue=col(Risk.review_on) < today,
    )


# --- certification evidence -----------------------------------------------------------


def evidence(*, session: Session, start: date, end: date, today: date):
    """6.1: the register entries open at some time in the period (raised by its end and not
    closed before it started), a page at a time."""
    from qms.evidence_records import Item, Register, pages

    yield Register("risks", f"/risks?raised_to={end.isoformat()}")
    query = select(Risk.code, Risk.id, Risk.title, Risk.raised_on).where(
        Risk.raised_on <= end,
        or_(col(Risk.closed_on).is_(None), col(Risk.closed_on) >= start),
    )
    for rows in pages(session, query, keys=(col(Risk.code),), key=lambda r: (r[0],)):
        for code, risk_id, title, raised_on in rows:
            yield Item(
                source="risks", code=code, title=title, href=f"/risks/{risk_id}", on=raised_on
            )


# --- a manager's home: the department's open work (issue 19.10) ---------------------------


def department_actions(*, session: Session, department_id: int, today: date, limit: int) -> Slice:
    """(action, entry) rows of the open treatment actions of the department's entries,
    earliest due (so the overdue) first."""
    query = (
        select(RiskAction, Risk)
        .join(Risk, col(Risk.id) == RiskAction.risk_id)
        .where(
            Risk.department_id == department_id,
            col(RiskAction.done_on).is_(None),
            Risk.status == Status.treating.value,
        )
    )
    return first_rows(
        session,
        query,
        order_by=[col(RiskAction.due_on), col(RiskAction.id)],
        limit=limit,
        overdue=col(RiskAction.due_on) < today,
    )
