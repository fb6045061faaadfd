"""The rules of quality objectives, indicators and measurements: from setting an objective to
its evaluation, each period's figures judged against the target, and the year to date."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, col, select

from qms.auth import service as _auth
from qms.auth.models import Department, User
from qms.auth.permissions import require
from qms.counters import next_number
from qms.db import utcnow
from qms.errors import Conflict, Invalid, Label, NotFound, QMSError, check_version
from qms.i18n import N_
from qms.objectives import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.objectives.models import (
    Direction,
    Frequency,
    Indicator,
    Kind,
    Measurement,
    Objective,
    PeriodStatus,
)
from qms.objectives.states import (
    ACTIVATE,
    ADD_INDICATOR,
    CANCEL,
    EDIT,
    ENTER_FIGURES,
    EVALUATE,
    FIELDS,
    IN_FORCE,
    Status,
)
from qms.review_inputs import Figure
from qms.trail import service as trail

RECORD = "objective"
INDICATOR_RECORD = "indicator"
MEASUREMENT_RECORD = "measurement"
CODE_SERIES = "MT"
# A measurement is due this many days after its period ends (the reminder's due date).
ENTRY_DAYS = 10
INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "kind",
    "direction",
    "target",
    "at_risk_margin",
    "frequency",
    "data_owner_id",
)
MEASUREMENT_FIELDS = ("period", "numerator", "denominator", "value", "status", "note")
# Worst last: an objective stands as its worst indicator.
SEVERITY = {PeriodStatus.met: 0, PeriodStatus.at_risk: 1, PeriodStatus.missed: 2}


# --- periods ----------------------------------------------------------------------------

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR = re.compile(r"^(\d{4})$")
PERIOD_HINTS = {
    Frequency.monthly: N_("Enter a month of the objective's year as YYYY-MM, e.g. 2026-03."),
    Frequency.quarterly: N_("Enter a quarter of the objective's year as YYYY-Qn, e.g. 2026-Q1."),
    Frequency.yearly: N_("Enter the objective's year, e.g. 2026."),
}


def parse_period(text: str, frequency: str, year: int) -> tuple[str, date, date]:
    """(period, first day, last day) of a period of the indicator's frequency and year."""
    text = (text or "").strip().upper()
    frequency = Frequency(frequency)
    found = None
    if frequency == Frequency.monthly and (m := MONTH.match(text)) and 1 <= int(m[2]) <= 12:
        month = int(m[2])
        found = (int(m[1]), date(int(m[1]), month, 1), month, month)
    elif frequency == Frequency.quarterly and (m := QUARTER.match(text)):
        quarter = int(m[2])
        found = (int(m[1]), None, 3 * quarter - 2, 3 * quarter)
    elif frequency == Frequency.yearly and (m := YEAR.match(text)):
        found = (int(m[1]), None, 1, 12)
    if found is None or found[0] != year:
        raise Invalid(PERIOD_HINTS[frequency], field="period")
    first, last = found[2], found[3]
    end = date(year, last, calendar.monthrange(year, last)[1])
    return text, date(year, first, 1), end


def periods_of(frequency: str, year: int) -> list[tuple[str, date, date]]:
    """Every period of the year for the frequency, in order."""
    frequency = Frequency(frequency)
    if frequency == Frequency.monthly:
        names = [f"{year}-{m:02d}" for m in range(1, 13)]
    elif frequency == Frequency.quarterly:
        names = [f"{year}-Q{q}" for q in range(1, 5)]
    else:
        names = [str(year)]
    return [parse_period(name, frequency, year) for name in names]


# --- judging figures --------------------------------------------------------------------


def judge(indicator: Indicator, value: float) -> PeriodStatus:
    """Met on the target's side of it, at risk within the margin, missed beyond it."""
    gap = value - indicator.target
    if indicator.direction == Direction.lower_is_better:
        gap = -gap
    if gap >= 0:
        return PeriodStatus.met
    if -gap <= indicator.at_risk_margin:
        return PeriodStatus.at_risk
    return PeriodStatus.missed


def percent(numerator: int, denominator: int) -> float:
    return 100.0 * numerator / denominator


@dataclass(frozen=True)
class YearToDate:
    periods: int
    numerator: int | None
    denominator: int | None
    value: float | None
    status: str | None


def year_to_date(indicator: Indicator, measurements: Sequence[Measurement]) -> YearToDate:
    """A ratio pools its numerators and denominators (never the mean of the percentages); a
    value is the mean of its periods."""
    if not measurements:
        return YearToDate(0, None, None, None, None)
    if indicator.kind == Kind.ratio:
        numerator = sum(m.numerator or 0 for m in measurements)
        denominator = sum(m.denominator or 0 for m in measurements)
        value = percent(numerator, denominator) if denominator else None
    else:
        numerator = denominator = None
        value = sum(m.value for m in measurements) / len(measurements)
    status = judge(indicator, value).value if value is not None else None
    return YearToDate(len(measurements), numerator, denominator, value, status)


def _figures(indicator: Indicator, numerator, denominator, value) -> tuple:
    """(numerator, denominator, value) checked for the indicator's kind."""
    if indicator.kind == Kind.ratio:
        if numerator is None or isinstance(numerator, bool) or numerator < 0:
            raise Invalid("Enter the numerator: a whole number, 0 or more.", field="numerator")
        if denominator is None or isinstance(denominator, bool) or denominator <= 0:
            raise Invalid("Enter the denominator: a whole number above 0.", field="denominator")
        if numerator > denominator:
            raise Invalid("The numerator cannot be above the denominator.", field="numerator")
        return int(numerator), int(denominator), percent(numerator, denominator)
    if value is None or isinstance(value, bool) or value != value:
        raise Invalid("Enter the value measured.", field="value")
    return None, None, float(value)


# --- reading ----------------------------------------------------------------------------


def get_objective(*, session: Session, objective_id: int) -> Objective:
    objective = session.get(Objective, objective_id)
    if objective is None:
        raise NotFound("Objective %(id)s does not exist.", id=objective_id)
    return objective


def read(*, by: User, record: Objective | Indicator):
    """An objective or one of its indicators for its reader: 403 unless they may read it."""
    require(by, "objective.read")
    return record


def get_indicator(*, session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("Indicator %(id)s does not exist.", id=indicator_id)
    return indicator


def indicator_by_code(*, session: Session, code: str) -> Indicator:
    indicator = session.exec(
        select(Indicator).where(Indicator.code == (code or "").strip().upper())
    ).first()
    if indicator is None:
        raise NotFound("No indicator has the code %(code)s.", code=code)
    return indicator


def get_measurement(*, session: Session, measurement_id: int) -> Measurement:
    measurement = session.get(Measurement, measurement_id)
    if measurement is None:
        raise NotFound("Measurement %(id)s does not exist.", id=measurement_id)
    return measurement


def indicators_of(*, session: Session, objective: Objective) -> list[Indicator]:
    return list(
        session.exec(
            select(Indicator)
            .where(Indicator.objective_id == objective.id)
            .order_by(col(Indicator.id))
        ).all()
    )


def measurements_of(*, session: Session, indicator: Indicator) -> list[Measurement]:
    return list(
        session.exec(
            select(Measurement)
            .where(Measurement.indicator_id == indicator.id)
            .order_by(col(Measurement.period_end_on))
        ).all()
    )


def objective_of(*, session: Session, indicator: Indicator) -> Objective:
    return session.get(Objective, indicator.objective_id)


def standings(
    *, session: Session, objective_ids: Iterable[int], as_of: date | None = None
) -> dict[int, dict[int, YearToDate]]:
    """{objective id: {indicator id: year to date}} from the periods ended by `as_of` (all
    periods when None), in two queries whatever the number of objectives."""
    ids = list(objective_ids)
    if not ids:
        return {}
    # Columns, not records: what judge() and the sums need of each indicator.
    indicators = session.exec(
        select(
            Indicator.id,
            Indicator.objective_id,
            Indicator.kind,
            Indicator.target,
            Indicator.direction,
            Indicator.at_risk_margin,
        ).where(col(Indicator.objective_id).in_(ids))
    ).all()
    query = select(
        Measurement.indicator_id,
        func.count(),
        func.sum(Measurement.numerator),
        func.sum(Measurement.denominator),
        func.avg(Measurement.value),
    ).where(col(Measurement.indicator_id).in_([i.id for i in indicators] or [0]))
    if as_of is not None:
        query = query.where(Measurement.period_end_on <= as_of)
    sums = {
        row[0]: row[1:] for row in session.exec(query.group_by(col(Measurement.indicator_id))).all()
    }
    found: dict[int, dict[int, YearToDate]] = {i: {} for i in ids}
    for indicator in indicators:
        count, numerator, denominator, mean = sums.get(indicator.id, (0, None, None, None))
        if not count:
            found[indicator.objective_id][indicator.id] = YearToDate(0, None, None, None, None)
            continue
        if indicator.kind == Kind.ratio:
            numerator, denominator = int(numerator or 0), int(denominator or 0)
            value = percent(numerator, denominator) if denominator else None
        else:
            numerator = denominator = None
            value = float(mean)
        status = judge(indicator, value).value if value is not None else None
        found[indicator.objective_id][indicator.id] = YearToDate(
            int(count), numerator, denominator, value, status
        )
    return found


def standing_of(by_indicator: dict[int, YearToDate]) -> str | None:
    """The worst year to date of the indicators that have figures."""
    statuses = [PeriodStatus(y.status) for y in by_indicator.values() if y.status]
    if not statuses:
        return None
    return max(statuses, key=SEVERITY.__getitem__).value


@dataclass
class Filters:
    year: int | None = None
    from_year: int | None = None
    to_year: int | None = None
    department_id: int | None = None
    status: str | None = None
    # Only those in force: active, achieved or not achieved.
    in_force: bool = False
    standing: str | None = None
    # The standing counts the periods ended by this day (today when None).
    as_of: date | None = None


def _filtered(query, filters: Filters):
    if filters.year is not None:
        query = query.where(Objective.year == filters.year)
    if filters.from_year is not None:
        query = query.where(Objective.year >= filters.from_year)
    if filters.to_year is not None:
        query = query.where(Objective.year <= filters.to_year)
    if filters.department_id is not None:
        query = query.where(Objective.department_id == filters.department_id)
    if filters.status:
        query = query.where(Objective.status == filters.status)
    if filters.in_force:
        query = query.where(col(Objective.status).in_([s.value for s in IN_FORCE]))
    return query


def list_objectives(
    *,
    session: Session,
    by: User,
    filters: Filters,
    today: date,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[list[Objective], int, dict[int, str | None]]:
    """One page of the register (by year, newest first, then code), how many match in all,
    and each shown objective's standing; for those who may read the register."""
    require(by, "objective.list")
    query = _filtered(select(Objective), filters).order_by(
        col(Objective.year).desc(), col(Objective.code)
    )
    as_of = filters.as_of or today
    if filters.standing:
        # The standing is computed, not stored: filter the matching objectives by it.
        rows = list(session.exec(query).all())
        found = standings(session=session, objective_ids=[o.id for o in rows], as_of=as_of)
        standing = {o.id: standing_of(found[o.id]) for o in rows}
        rows = [o for o in rows if standing[o.id] == filters.standing]
        total = len(rows)
        if limit is not None:
            rows = rows[offset : offset + limit]
        return rows, total, {o.id: standing[o.id] for o in rows}
    total = session.exec(_filtered(select(func.count()).select_from(Objective), filters)).one()
    if limit is not None:
        query = query.offset(offset).limit(limit)
    rows = list(session.exec(query).all())
    found = standings(session=session, objective_ids=[o.id for o in rows], as_of=as_of)
    return rows, int(total), {o.id: standing_of(found[o.id]) for o in rows}


@dataclass
class PeriodFilters:
    status: str | None = None
    ended_from: date | None = None
    ended_to: date | None = None
    department_id: int | None = None
    indicator_id: int | None = None


def _periods_filtered(query, filters: PeriodFilters):
    query = query.join(Indicator, col(Indicator.id) == Measurement.indicator_id).join(
        Objective, col(Objective.id) == Indicator.objective_id
    )
    query = query.where(Objective.status != Status.cancelled.value)
    if filters.status:
        query = query.where(Measurement.status == filters.status)
    if filters.ended_from is not None:
        query = query.where(Measurement.period_end_on >= filters.ended_from)
    if filters.ended_to is not None:
        query = query.where(Measurement.period_end_on <= filters.ended_to)
    if filters.department_id is not None:
        query = query.where(Objective.department_id == filters.department_id)
    if filters.indicator_id is not None:
        query = query.where(Measurement.indicator_id == filters.indicator_id)
    return query


def list_periods(
    *,
    session: Session,
    by: User,
    filters: PeriodFilters,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[list[tuple[Measurement, Indicator, Objective]], int]:
    """The measured periods of objectives not cancelled, newest period first; for those who
    may read the register."""
    require(by, "objective.list")
    total = session.exec(
        _periods_filtered(select(func.count()).select_from(Measurement), filters)
    ).one()
    query = _periods_filtered(select(Measurement, Indicator, Objective), filters).order_by(
        col(Measurement.period_end_on).desc(), col(Indicator.code)
    )
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return [tuple(row) for row in session.exec(query).all()], int(total)


people_named = _auth.people_named


# --- objectives -------------------------------------------------------------------------


def _text(value, field: str, message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid(message, field=field)
    return text


def _active_user(session: Session, user_id: int | None, field: str) -> User:
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.is_active:
        raise Invalid("Choose an active person.", field=field)
    return user


def _department(session: Session, department_id: int | None) -> int | None:
    if department_id is None:
        return None
    if session.get(Department, department_id) is None:
        raise Invalid(
            "Choose the department, or none for the whole organisation.", field="department_id"
        )
    return department_id


def _due(due_on, year: int) -> date:
    if not isinstance(due_on, date):
        raise Invalid("Enter the date by which the objective is to be achieved.", field="due_on")
    if due_on.year < year:
        raise Invalid("The objective cannot be due before its year begins.", field="due_on")
    return due_on


def create_objective(
    *,
    session: Session,
    by: User,
    title: str,
    year: int,
    owner_id: int,
    plan: str,
    due_on: date,
    evaluation: str,
    department_id: int | None = None,
    resources: str = "",
    responsible: str = "",
) -> Objective:
    """A draft objective with the next code of its year (MT-2026-01, without gaps)."""
    require(by, "objective.create")
    title = _text(title, "title", N_("Give the objective a title."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Invalid("Enter the year of the objective.", field="year")
    department_id = _department(session, department_id)
    owner = _active_user(session, owner_id, "owner_id")
    plan = _text(plan, "plan", N_("Say what will be done to achieve the objective."))
    evaluation = _text(evaluation, "evaluation", N_("Say how the results will be evaluated."))
    due_on = _due(due_on, year)
    number = next_number(session=session, name=CODE_SERIES, year=year)
    objective = Objective(
        code=f"{CODE_SERIES}-{year}-{number:02d}",
        year=year,
        title=title,
        department_id=department_id,
        owner_id=owner.id,
        plan=plan,
        resources=(resources or "").strip(),
        responsible=(responsible or "").strip(),
        due_on=due_on,
        evaluation=evaluation,
        created_by_id=by.id,
    )
    session.add(objective)
    session.flush()
    changes = {
        name: [None, getattr(objective, name)] for name in FIELDS if getattr(objective, name)
    }
    changes["code"] = [None, objective.code]
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type=RECORD,
        record_id=objective.id,
        changes=changes,
    )
    return objective


def update_objective(
    *, session: Session, objective: Objective, by: User, version: int | None, **changes
) -> Objective:
    """Edit a draft (a quality officer, or a manager of the owner's department)."""
    EDIT.require(session=session, user=by, record=objective, version=version, versioned=True)
    given = {k: v for k, v in changes.items() if v is not None}
    new: dict = {}
    if "title" in given:
        new["title"] = _text(given["title"], "title", N_("Give the objective a title."))
    if "plan" in given:
        new["plan"] = _text(
            given["plan"], "plan", N_("Say what will be done to achieve the objective.")
        )
    if "evaluation" in given:
        new["evaluation"] = _text(
            given["evaluation"], "evaluation", N_("Say how the results will be evaluated.")
        )
    for name in ("resources", "responsible"):
        if name in given:
            new[name] = str(given[name]).strip()
    if "owner_id" in given:
        new["owner_id"] = _active_user(session, given["owner_id"], "owner_id").id
    if "department_id" in changes:
        new["department_id"] = _department(session, changes["department_id"])
    if "due_on" in given:
        new["due_on"] = _due(given["due_on"], objective.year)
    new = {name: value for name, value in new.items() if getattr(objective, name) != value}
    if not new:
        return objective
    EDIT.apply(session=session, record=objective, by=by, changes=new)
    return objective


def activate(
    *, session: Session, objective: Objective, by: User, version: int | None = None
) -> Objective:
    """Put the objective in force: draft → active; it needs at least one indicator."""
    ACTIVATE.apply(session=session, record=objective, by=by, version=version)
    return objective


def evaluate(
    *,
    session: Session,
    objective: Objective,
    by: User,
    result: str,
    comment: str = "",
    version: int | None = None,
) -> Objective:
    """The year's verdict: active → achieved or not achieved, with the reasoning."""
    EVALUATE[Status.achieved].require(session=session, user=by, record=objective, version=version)
    if result not in EVALUATE:
        raise Invalid("Choose achieved or not achieved.", field="result")
    comment = _text(comment, "comment", N_("Explain the evaluation of the objective."))
    EVALUATE[Status(result)].apply(
        session=session, record=objective, by=by, changes={"evaluation_comment": comment}
    )
    return objective


def cancel(
    *, session: Session, objective: Objective, by: User, reason: str, version: int | None = None
) -> Objective:
    CANCEL.require(session=session, user=by, record=objective, version=version)
    reason = _text(reason, "reason", N_("Give the reason for cancelling."))
    CANCEL.apply(
        session=session, record=objective, by=by, changes={"cancel_reason": reason}, reason=reason
    )
    return objective


# --- indicators -------------------------------------------------------------------------


def add_indicator(
    *,
    session: Session,
    objective: Objective,
    by: User,
    name: str,
    kind: str,
    direction: str,
    target: float,
    frequency: str,
    unit: str = "",
    at_risk_margin: float = 0.0,
    data_owner_id: int | None = None,
) -> Indicator:
    """An indicator of a draft objective (or, by a quality officer, of one in force)."""
    ADD_INDICATOR.require(session=session, user=by, record=objective)
    name = _text(name, "name", N_("Name the indicator."))
    try:
        kind = Kind(kind).value
    except ValueError:
        raise Invalid("Choose the kind: ratio or value.", field="kind") from None
    try:
        direction = Direction(direction).value
    except ValueError:
        raise Invalid("Choose whether higher or lower is better.", field="direction") from None
    try:
        frequency = Frequency(frequency).value
    except ValueError:
        raise Invalid(
            "Choose the frequency: monthly, quarterly or yearly.", field="frequency"
        ) from None
    if not isinstance(target, int | float) or isinstance(target, bool) or target != target:
        raise Invalid("Enter the target as a number.", field="target")
    if kind == Kind.ratio and not 0 <= target <= 100:
        raise Invalid("The target of a ratio is a percentage from 0 to 100.", field="target")
    if not isinstance(at_risk_margin, int | float) or not at_risk_margin >= 0:
        raise Invalid("The at-risk margin is a number, 0 or more.", field="at_risk_margin")
    owner = _active_user(session, data_owner_id or objective.owner_id, "data_owner_id")
    objective.indicators_numbered += 1
    objective.version += 1
    objective.updated_at = utcnow()
    session.add(objective)
    indicator = Indicator(
        objective_id=objective.id,
        code=f"{objective.code}.{objective.indicators_numbered}",
        name=name,
        unit=(unit or "").strip() if kind == Kind.value else "%",
        kind=kind,
        direction=direction,
        target=float(target),
        at_risk_margin=float(at_risk_margin),
        frequency=frequency,
        data_owner_id=owner.id,
    )
    session.add(indicator)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type=INDICATOR_RECORD,
        record_id=indicator.id,
        changes={
            "objective_id": [None, objective.id],
            **{f: [None, getattr(indicator, f)] for f in INDICATOR_FIELDS},
        },
    )
    return indicator


# --- measurements -----------------------------------------------------------------------


def enter_measurement(
    *,
    session: Session,
    indicator: Indicator,
    by: User,
    period: str,
    numerator: int | None = None,
    denominator: int | None = None,
    value: float | None = None,
    note: str = "",
) -> Measurement:
    """One period's figures, judged against the target; a second one for the period is 409
    (a correction goes through `correct_measurement`)."""
    objective = objective_of(session=session, indicator=indicator)
    ENTER_FIGURES.require(session=session, user=by, record=objective, subject=indicator)
    period, start, end = parse_period(period, indicator.frequency, objective.year)
    numerator, denominator, value = _figures(indicator, numerator, denominator, value)
    existing = session.exec(
        select(Measurement.id).where(
            Measurement.indicator_id == indicator.id, Measurement.period == period
        )
    ).first()
    if existing is not None:
        raise Conflict(
            "The period %(period)s already has its figures: correct them instead.",
            field="period",
            period=period,
        )
    measurement = Measurement(
        indicator_id=indicator.id,
        period=period,
        period_start_on=start,
        period_end_on=end,
        numerator=numerator,
        denominator=denominator,
        value=value,
        status=judge(indicator, value).value,
        note=(note or "").strip(),
        entered_by_id=by.id,
    )
    session.add(measurement)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="measured",
        record_type=MEASUREMENT_RECORD,
        record_id=measurement.id,
        changes={
            "indicator_id": [None, indicator.id],
            **{f: [None, getattr(measurement, f)] for f in MEASUREMENT_FIELDS},
        },
    )
    return measurement


def correct_measurement(
    *,
    session: Session,
    measurement: Measurement,
    by: User,
    reason: str,
    version: int | None,
    numerator: int | None = None,
    denominator: int | None = None,
    value: float | None = None,
    note: str | None = None,
) -> Measurement:
    """New figures for a period, with the reason; the old ones stay in the trail."""
    indicator = session.get(Indicator, measurement.indicator_id)
    require(by, "measurement.enter", indicator)
    check_version(measurement, version)
    ENTER_FIGURES.require(
        session=session,
        user=by,
        record=objective_of(session=session, indicator=indicator),
        subject=indicator,
    )
    reason = _text(reason, "reason", N_("Give the reason for the correction."))
    if indicator.kind == Kind.ratio:
        numerator = measurement.numerator if numerator is None else numerator
        denominator = measurement.denominator if denominator is None else denominator
    else:
        value = measurement.value if value is None else value
    numerator, denominator, value = _figures(indicator, numerator, denominator, value)
    before = trail.snapshot(measurement, MEASUREMENT_FIELDS)
    measurement.numerator, measurement.denominator, measurement.value = (
        numerator,
        denominator,
        value,
    )
    measurement.status = judge(indicator, value).value
    if note is not None:
        measurement.note = note.strip()
    changes = trail.changes_of(measurement, before, MEASUREMENT_FIELDS)
    if not changes:
        raise Conflict(
            "These are the figures already recorded: nothing to correct.",
            field="value" if indicator.kind == Kind.value else "numerator",
        )
    measurement.version += 1
    measurement.updated_at = utcnow()
    session.add(measurement)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="corrected",
        record_type=MEASUREMENT_RECORD,
        record_id=measurement.id,
        changes=changes,
        reason=reason,
    )
    return measurement


# --- import -----------------------------------------------------------------------------


class RowRefused(Invalid):
    """A refusal of one row of an imported file: names its row and column."""

    def __init__(self, row: int, column: str, inner: QMSError):
        problem = inner.message % inner.params if inner.params else inner.message
        super().__init__(
            N_("Row %(row)s, column %(column)s: %(problem)s"),
            field=f"rows.{row}.{column}",
            row=row,
            column=column,
            problem=Label(problem, inner.message if not inner.params else problem),
        )
        self.status = inner.status


# Header names accepted, in English and Vietnamese.
COLUMNS = {
    "period": "period",
    "kỳ": "period",
    "ky": "period",
    "numerator": "numerator",
    "tử số": "numerator",
    "denominator": "denominator",
    "mẫu số": "denominator",
    "value": "value",
    "giá trị": "value",
    "note": "note",
    "ghi chú": "note",
}


def _number(text, row: int, column: str, whole: bool):
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, bool):
        raise RowRefused(row, column, Invalid(N_("Enter a number."), field=column))
    if isinstance(text, int | float):
        number = text
    else:
        cleaned = str(text).strip().replace(" ", "").replace("\u00a0", "")
        try:
            number = float(cleaned.replace(",", ".")) if not whole else float(cleaned)
        except ValueError:
            # 7.182 or 7,182 as thousands in a whole number.
            try:
                number = float(cleaned.replace(",", "").replace(".", "")) if whole else None
            except ValueError:
                number = None
            if number is None:
                raise RowRefused(
                    row, column, Invalid(N_("Enter a number."), field=column)
                ) from None
    if whole:
        if number != int(number):
            raise RowRefused(row, column, Invalid(N_("Enter a whole number."), field=column))
        return int(number)
    return float(number)


def parse_rows(table: Sequence[Sequence]) -> list[dict]:
    """Rows of a sheet (header first) as {row, period, numerator, denominator, value, note};
    `row` is the sheet's row number."""
    if not table:
        raise Invalid("The file has no rows: the first row names the columns.", field="file")
    header = [str(c or "").strip().lower() for c in table[0]]
    names = [COLUMNS.get(h) for h in header]
    if "period" not in names:
        raise Invalid(
            "The first row must name the columns: period, then numerator and denominator, "
            "or value.",
            field="file",
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        values = {
            name: cells[i] if i < len(cells) else None for i, name in enumerate(names) if name
        }
        rows.append({"row": number, **values})
    if not rows:
        raise Invalid("The file has no figures under its header row.", field="file")
    return rows


def import_measurements(
    *, session: Session, indicator: Indicator, by: User, rows: Sequence[dict]
) -> list[Measurement]:
    """Enter every row, or none: the first refusal names its row and column and the caller's
    transaction is rolled back."""
    objective = objective_of(session=session, indicator=indicator)
    ENTER_FIGURES.require(session=session, user=by, record=objective, subject=indicator)
    seen: dict[str, int] = {}
    made = []
    for row in rows:
        number = row["row"]
        period = row.get("period")
        if isinstance(period, date):
            period = f"{period.year}-{period.month:02d}"
        period = str(period if period is not None else "").strip()
        if isinstance(row.get("period"), int | float) and not isinstance(row.get("period"), bool):
            period = str(int(row["period"]))
        try:
            canonical = parse_period(period, indicator.frequency, objective.year)[0]
        except Invalid as exc:
            raise RowRefused(number, "period", exc) from None
        if canonical in seen:
            raise RowRefused(
                number,
                "period",
                Invalid(
                    N_("This period is already on an earlier row of the file."), field="period"
                ),
            )
        seen[canonical] = number
        whole = indicator.kind == Kind.ratio
        figures = {
            "numerator": _number(row.get("numerator"), number, "numerator", True)
            if whole
            else None,
            "denominator": _number(row.get("denominator"), number, "denominator", True)
            if whole
            else None,
            "value": None if whole else _number(row.get("value"), number, "value", False),
        }
        try:
            made.append(
                enter_measurement(
                    session=session,
                    indicator=indicator,
                    by=by,
                    period=canonical,
                    note=str(row.get("note") or ""),
                    **figures,
                )
            )
        except Conflict as exc:
            if exc.field == "period":
                raise RowRefused(
                    number,
                    "period",
                    Conflict(N_("This period already has its figures."), field="period"),
                ) from None
            raise
        except Invalid as exc:
            raise RowRefused(number, exc.field or "period", exc) from None
    return made


# --- following up -----------------------------------------------------------------------


def raise_nonconformity(
    *,
    session: Session,
    measurement: Measurement,
    by: User,
    today: date,
    description: str = "",
    severity: str = "minor",
):
    """A nonconformity (source: process monitoring) for a missed period, once per period;
    the period keeps its id and the nonconformity names the period."""
    from qms.nonconformities import service as nonconformities

    indicator = session.get(Indicator, measurement.indicator_id)
    objective = objective_of(session=session, indicator=indicator)
    require(by, "measurement.raise_nonconformity", (indicator, objective))
    if measurement.nonconformity_id is not None:
        nc = nonconformities.get_nonconformity(
            session=session, nonconformity_id=measurement.nonconformity_id
        )
        raise Conflict(
            "The period %(period)s already raised %(code)s.",
            field="nonconformity_id",
            period=measurement.period,
            code=nc.code,
        )
    if measurement.status != PeriodStatus.missed:
        raise Conflict(
            "Only a missed period raises a nonconformity; %(period)s is not missed.",
            field="status",
            period=measurement.period,
        )
    department_id = objective.department_id
    if department_id is None:
        owner = session.get(User, objective.owner_id)
        department_id = owner.department_id if owner is not None else None
    if department_id is None:
        raise Conflict(
            "%(code)s belongs to no department: give its owner a department first.",
            field="department_id",
            code=objective.code,
        )
    shown = (
        f"{measurement.value:.1f} %" if indicator.kind == Kind.ratio else f"{measurement.value:g}"
    )
    target = f"{indicator.target:g}" + (" %" if indicator.kind == Kind.ratio else "")
    facts = (
        f"{indicator.code} {indicator.name} — {measurement.period}: {shown} "
        f"(target {target}). /indicators/{indicator.id}"
    )
    text = (description or "").strip()
    nc = nonconformities.raise_nonconformity(
        session=session,
        by=by,
        source="process_monitoring",
        department_id=department_id,
        clause="9.1.3",
        severity=severity,
        description=f"{text}\n\n{facts}" if text else facts,
        today=today,
    )
    measurement.nonconformity_id = nc.id
    measurement.version += 1
    measurement.updated_at = utcnow()
    session.add(measurement)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="nonconformity_raised",
        record_type=MEASUREMENT_RECORD,
        record_id=measurement.id,
        changes={"nonconformity_id": [None, nc.id]},
    )
    return nc


def for_nonconformity(*, session: Session, nonconformity_id: int):
    """(measurement, indicator) that raised the nonconformity, or None."""
    row = session.exec(
        select(Measurement, Indicator)
        .join(Indicator, col(Indicator.id) == Measurement.indicator_id)
        .where(Measurement.nonconformity_id == nonconformity_id)
    ).first()
    return tuple(row) if row else None


def measurements_due(
    *, session: Session, until: date
) -> list[tuple[Indicator, Objective, str, date]]:
    """Periods of objectives in force whose figures are not entered and fall due (10 days
    after the period ends) by `until`: (indicator, objective, period, due date)."""
    rows = session.exec(
        select(Indicator, Objective)
        .join(Objective, col(Objective.id) == Indicator.objective_id)
        .where(Objective.status == Status.active.value)
        .order_by(col(Indicator.id))
    ).all()
    if not rows:
        return []
    entered = set(
        session.exec(
            select(Measurement.indicator_id, Measurement.period).where(
                col(Measurement.indicator_id).in_([i.id for i, _o in rows])
            )
        ).all()
    )
    due = []
    for indicator, objective in rows:
        for period, _start, end in periods_of(indicator.frequency, objective.year):
            due_on = end + timedelta(days=ENTRY_DAYS)
            if due_on > until:
                break
            if (indicator.id, period) not in entered:
                due.append((indicator, objective, period, due_on))
    return due


def at_risk_or_missed(
    *, session: Session, today: date, department_id: int | None = None
) -> dict[str, list[Objective]]:
    """Objectives in force whose standing is at risk or missed, for the quality officer
    (or, given `department_id`, those of that department, for its manager's home)."""
    query = select(Objective).where(Objective.status == Status.active.value)
    if department_id is not None:
        query = query.where(Objective.department_id == department_id)
    active = list(session.exec(query.order_by(col(Objective.code))).all())
    found = standings(session=session, objective_ids=[o.id for o in active], as_of=today)
    out: dict[str, list[Objective]] = {PeriodStatus.at_risk: [], PeriodStatus.missed: []}
    for objective in active:
        standing = standing_of(found[objective.id])
        if standing in out:
            out[standing].append(objective)
    return out


# --- the management review (9.3.2 c 2 and c 3) ------------------------------------------


def review_inputs(*, session: Session, start: date, end: date) -> list[Figure]:
    """Objectives in force during [start, end] by status and by standing at `end` (c2), and
    the indicators' periods ended in the window by result (c3), each linked to the register
    filtered to the records behind it."""
    years = {"from_year": start.year, "to_year": end.year}
    objectives = list(
        session.exec(
            _filtered(select(Objective.id, Objective.status), Filters(in_force=True, **years))
        ).all()
    )
    figures = []
    labels = {
        Status.active: N_("Objectives in force: active"),
        Status.achieved: N_("Objectives in force: achieved"),
        Status.not_achieved: N_("Objectives in force: not achieved"),
    }
    for status, label in labels.items():
        figures.append(
            Figure(
                key=f"objectives.{status.value}",
                section="c2",
                label=label,
                value=sum(o.status == status for o in objectives),
                href="/objectives?" + urlencode({**years, "status": status.value}),
            )
        )
    found = standings(session=session, objective_ids=[o.id for o in objectives], as_of=end)
    standing = [standing_of(found[o.id]) for o in objectives]
    standing_labels = {
        PeriodStatus.met: N_("Objectives on target by their latest figures"),
        PeriodStatus.at_risk: N_("Objectives at risk by their latest figures"),
        PeriodStatus.missed: N_("Objectives missing their target by their latest figures"),
    }
    for status, label in standing_labels.items():
        query = {**years, "in_force": "true", "standing": status.value, "as_of": end.isoformat()}
        figures.append(
            Figure(
                key=f"objectives.standing.{status.value}",
                section="c2",
                label=label,
                value=sum(s == status for s in standing),
                href="/objectives?" + urlencode(query),
            )
        )
    counts = dict(
        session.exec(
            _periods_filtered(
                select(Measurement.status, func.count()).select_from(Measurement),
                PeriodFilters(ended_from=start, ended_to=end),
            ).group_by(col(Measurement.status))
        ).all()
    )
    period_labels = {
        PeriodStatus.met: N_("Indicator periods on target"),
        PeriodStatus.at_risk: N_("Indicator periods at risk"),
        PeriodStatus.missed: N_("Indicator periods that missed their target"),
    }
    window = {"ended_from": start.isoformat(), "ended_to": end.isoformat()}
    for status, label in period_labels.items():
        figures.append(
            Figure(
                key=f"objectives.periods.{status.value}",
                section="c3",
                label=label,
                value=int(counts.get(status.value, 0)),
                href="/indicators?" + urlencode({"status": status.value, **window}),
            )
        )
    total = sum(int(v) for v in counts.values())
    figures.append(
        Figure(
            key="objectives.periods.met_rate",
            section="c3",
            label=N_("Share of indicator periods on target"),
            value=round(100.0 * int(counts.get(PeriodStatus.met.value, 0)) / total, 1)
            if total
            else None,
            href="/indicators?" + urlencode(window),
            unit="%",
        )
    )
    return figures


# --- certification evidence -----------------------------------------------------------


def evidence(*, session: Session, start: date, end: date, today: date):
    """6.2 and 9.1: the objectives in force of the period's years and the measurements of
    periods that ended in it; a gap for a year without an objective in force and for each
    objective in force with no measurement in the period."""
    from qms.evidence_records import Gap, Item, Register, pages, years_of

    years = years_of(start, end)
    window = f"ended_from={start.isoformat()}&ended_to={end.isoformat()}"
    yield Register("objectives", f"/objectives?year={end.year}")
    yield Register("objectives.measurements", f"/indicators?{window}")
    # The objectives of a few years (tens each) are read whole; the measurements a page at a
    # time.
    objectives = session.exec(
        select(Objective)
        .where(
            col(Objective.year).in_(years),
            col(Objective.status).in_([s.value for s in IN_FORCE]),
        )
        .order_by(col(Objective.year), col(Objective.code))
    ).all()
    for objective in objectives:
        yield Item(
            source="objectives",
            code=objective.code,
            title=objective.title,
            href=f"/objectives/{objective.id}",
            on=objective.activated_at.date() if objective.activated_at else None,
        )
    for year in sorted(set(years) - {o.year for o in objectives}):
        yield Gap(
            source="objectives",
            message=N_("No quality objective is in force for %(year)s."),
            params={"year": year},
            href=f"/objectives?year={year}",
        )
    query = (
        select(
            Indicator.code,
            Measurement.period_end_on,
            Measurement.id,
            Indicator.id,
            Indicator.objective_id,
            Indicator.name,
            Measurement.period,
        )
        .join(Indicator, col(Indicator.id) == Measurement.indicator_id)
        .where(Measurement.period_end_on >= start, Measurement.period_end_on <= end)
    )
    keys = (col(Indicator.code), col(Measurement.period_end_on), col(Measurement.id))
    measured = set()
    for rows in pages(session, query, keys=keys, key=lambda r: (r[0], r[1], r[2])):
        for code, ended_on, _id, indicator_id, objective_id, name, period in rows:
            measured.add(objective_id)
            yield Item(
                source="objectives.measurements",
                code=f"{code} {period}",
                title=name,
                href=f"/indicators/{indicator_id}",
                on=ended_on,
            )
    for objective in objectives:
        if objective.id not in measured:
            yield Gap(
                source="objectives.measurements",
                message=N_("%(code)s %(title)s has no measurement in the period."),
                params={"code": objective.code, "title": objective.title},
                href=f"/objectives/{objective.id}",
            )
