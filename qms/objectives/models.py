"""Tables of quality objectives, their indicators and each period's measurement, and the
shapes the API reads and answers."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from qms.counters import CodeCounter  # noqa: F401  (its table belongs to this schema too)
from qms.db import MAX_ID, RecordBase
from qms.i18n import N_
from qms.objectives.states import Status


class Kind(StrEnum):
    # Numerator over denominator, shown in %; the year to date pools both.
    ratio = "ratio"
    value = "value"


KIND_LABELS = {Kind.ratio: N_("Ratio (%)"), Kind.value: N_("Value")}


class Direction(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


DIRECTION_LABELS = {
    Direction.higher_is_better: N_("higher is better"),
    Direction.lower_is_better: N_("lower is better"),
}


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"


FREQUENCY_LABELS = {
    Frequency.monthly: N_("monthly"),
    Frequency.quarterly: N_("quarterly"),
    Frequency.yearly: N_("yearly"),
}


class PeriodStatus(StrEnum):
    met = "met"
    at_risk = "at_risk"
    missed = "missed"


PERIOD_STATUS_LABELS = {
    PeriodStatus.met: N_("met"),
    PeriodStatus.at_risk: N_("at risk"),
    PeriodStatus.missed: N_("missed"),
}


class Objective(RecordBase, table=True):
    __table_args__ = (Index("ix_objective_year_status", "year", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    year: int = Field(index=True)
    title: str = Field(max_length=300)
    status: str = Field(default=Status.draft.value, max_length=20, index=True)
    # None: an objective of the whole organisation.
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    # The five things 6.2.2 asks for.
    plan: str = Field(sa_type=Text)  # what will be done
    resources: str = Field(default="", sa_type=Text)
    responsible: str = Field(default="", sa_type=Text)
    due_on: date
    evaluation: str = Field(sa_type=Text)  # how the results will be evaluated

    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    activated_at: datetime | None = None
    evaluated_at: datetime | None = None
    evaluation_comment: str = Field(default="", sa_type=Text)
    cancelled_at: datetime | None = None
    cancel_reason: str = Field(default="", sa_type=Text)
    # The last indicator number handed out (MT-2026-01.1, .2 …).
    indicators_numbered: int = Field(default=0, ge=0)


class Indicator(RecordBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    code: str = Field(max_length=24, unique=True)
    name: str = Field(max_length=300)
    unit: str = Field(default="", max_length=40)
    kind: str = Field(max_length=10)
    direction: str = Field(max_length=20)
    target: float
    # A result worse than the target by no more than this is at risk, not missed
    # (percentage points for a ratio, the unit for a value).
    at_risk_margin: float = Field(default=0.0, ge=0)
    frequency: str = Field(max_length=10)
    data_owner_id: int = Field(foreign_key="user_account.id", index=True)

    @property
    def status(self) -> str:
        return "active"


class Measurement(RecordBase, table=True):
    __table_args__ = (
        UniqueConstraint("indicator_id", "period"),
        Index("ix_measurement_status_end", "status", "period_end_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    period: str = Field(max_length=8)  # 2026-03, 2026-Q1, 2026
    period_start_on: date
    period_end_on: date = Field(index=True)
    numerator: int | None = None
    denominator: int | None = None
    # A ratio's percentage, or the value entered.
    value: float
    status: str = Field(max_length=10)
    note: str = Field(default="", sa_type=Text)
    entered_by_id: int = Field(foreign_key="user_account.id")
    # The nonconformity raised from this missed period (the nonconformities domain's id).
    nonconformity_id: int | None = Field(default=None, unique=True)


# --- API shapes -------------------------------------------------------------------------


class ObjectiveCreate(SQLModel):
    title: str = Field(min_length=1, max_length=300)
    year: int = Field(ge=2000, le=2100)
    department_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    owner_id: int = Field(ge=1, le=MAX_ID)
    plan: str = Field(min_length=1, max_length=20_000)
    resources: str = Field(default="", max_length=20_000)
    responsible: str = Field(default="", max_length=20_000)
    due_on: date
    evaluation: str = Field(min_length=1, max_length=20_000)


class ObjectiveUpdate(SQLModel):
    title: str | None = Field(default=None, max_length=300)
    department_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    owner_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    plan: str | None = Field(default=None, max_length=20_000)
    resources: str | None = Field(default=None, max_length=20_000)
    responsible: str | None = Field(default=None, max_length=20_000)
    due_on: date | None = None
    evaluation: str | None = Field(default=None, max_length=20_000)
    version: int | None = None


class VersionOnly(SQLModel):
    version: int | None = None


class Evaluation(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"result": N_("Choose achieved or not achieved.")}
    result: Status = Field(description="achieved or not_achieved")
    comment: str = Field(default="", max_length=20_000)
    version: int | None = None


class Cancellation(SQLModel):
    reason: str = Field(max_length=20_000)
    version: int | None = None


class IndicatorCreate(SQLModel):
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(default="", max_length=40)
    kind: Kind
    direction: Direction
    target: float = Field(ge=-1e12, le=1e12)
    frequency: Frequency
    at_risk_margin: float = Field(default=0.0, ge=0, le=1e12)
    data_owner_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class MeasurementCreate(SQLModel):
    period: str = Field(max_length=8, description="2026-03, 2026-Q1 or 2026")
    numerator: int | None = Field(default=None, ge=0, le=10**12)
    denominator: int | None = Field(default=None, ge=0, le=10**12)
    value: float | None = Field(default=None, ge=-1e12, le=1e12)
    note: str = Field(default="", max_length=2_000)


class MeasurementCorrection(SQLModel):
    numerator: int | None = Field(default=None, ge=0, le=10**12)
    denominator: int | None = Field(default=None, ge=0, le=10**12)
    value: float | None = Field(default=None, ge=-1e12, le=1e12)
    note: str | None = Field(default=None, max_length=2_000)
    reason: str = Field(max_length=2_000)
    version: int | None = None


class MeasurementPublic(SQLModel):
    id: int
    indicator_id: int
    period: str
    period_end_on: date
    numerator: int | None
    denominator: int | None
    value: float
    status: str
    note: str
    version: int
    nonconformity_id: int | None


class YearToDate(SQLModel):
    periods: int
    numerator: int | None
    denominator: int | None
    value: float | None
    status: str | None


class IndicatorPublic(SQLModel):
    id: int
    objective_id: int
    code: str
    name: str
    unit: str
    kind: str
    direction: str
    target: float
    at_risk_margin: float
    frequency: str
    data_owner_id: int
    status: str
    version: int


class IndicatorDetail(IndicatorPublic):
    measurements: list[MeasurementPublic]
    year_to_date: YearToDate


class ObjectivePublic(SQLModel):
    id: int
    code: str
    year: int
    title: str
    status: str
    version: int
    department_id: int | None
    owner_id: int
    plan: str
    resources: str
    responsible: str
    due_on: date
    evaluation: str
    evaluation_comment: str
    cancel_reason: str
    # The worst year to date of its indicators: met, at_risk, missed (None: no figures yet).
    standing: str | None


class ObjectiveDetail(ObjectivePublic):
    indicators: list[IndicatorPublic]


class ImportResult(SQLModel):
    indicator_id: int
    imported: int
    periods: list[str]
