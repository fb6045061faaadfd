"""Tables of management reviews and their outputs, and the shapes the API reads and answers."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from qms.counters import CodeCounter  # noqa: F401  (its table belongs to this schema too)
from qms.db import MAX_ID, RecordBase
from qms.i18n import N_
from qms.reviews.states import Status


class OutputKind(StrEnum):
    """The three kinds of decision 9.3.3 asks the review to take."""

    improvement = "improvement"
    qms_change = "qms_change"
    resource_need = "resource_need"


KIND_LABELS = {
    OutputKind.improvement: N_("Opportunity for improvement"),
    OutputKind.qms_change: N_("Change to the quality management system"),
    OutputKind.resource_need: N_("Resource need"),
}


class ManagementReview(RecordBase, table=True):
    __tablename__ = "management_review"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    status: str = Field(default=Status.planned.value, max_length=20, index=True)
    period_start: date
    period_end: date
    planned_on: date = Field(index=True)
    chair_id: int = Field(foreign_key="user_account.id", index=True)
    attendee_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    # 9.3.2 d: the adequacy of resources, written by the quality officer before the meeting.
    resources: str = Field(default="", sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    # Holding: the minutes (the decisions) and the inputs frozen as JSON with their SHA-256.
    minutes: str = Field(default="", sa_type=Text)
    held_on: date | None = None
    held_at: datetime | None = None
    held_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    inputs: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    inputs_sha256: str | None = Field(default=None, max_length=64)

    # Closing: the chair's signature and the minutes PDF kept by its SHA-256.
    closed_at: datetime | None = None
    signature_id: int | None = Field(default=None, foreign_key="signature.id")
    minutes_sha256: str | None = Field(default=None, max_length=64)
    minutes_size: int | None = None

    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cancel_reason: str = Field(default="", sa_type=Text)


class ReviewOutput(RecordBase, table=True):
    """A decision of the review (9.3.3) followed up as an action: owner, due date, evidence."""

    __tablename__ = "management_review_output"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="management_review.id", index=True)
    kind: str = Field(max_length=20)
    description: str = Field(sa_type=Text)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    due_on: date = Field(index=True)
    done_on: date | None = None
    completed_at: datetime | None = None
    evidence: str = Field(default="", sa_type=Text)
    created_by_id: int = Field(foreign_key="user_account.id")

    @property
    def status(self) -> str:
        return "done" if self.done_on is not None else "open"


# --- API shapes -------------------------------------------------------------------------


UserId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ReviewCreate(SQLModel):
    period_start: date
    period_end: date
    planned_on: date
    chair_id: int = Field(ge=1, le=MAX_ID)
    attendee_ids: list[UserId] = Field(default_factory=list, max_length=100)
    resources: str = Field(default="", max_length=20_000)


class ReviewUpdate(SQLModel):
    version: int
    period_start: date | None = None
    period_end: date | None = None
    planned_on: date | None = None
    chair_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    attendee_ids: list[UserId] | None = Field(default=None, max_length=100)
    resources: str | None = Field(default=None, max_length=20_000)


class Holding(SQLModel):
    minutes: str = Field(max_length=50_000)
    version: int


class OutputCreate(SQLModel):
    kind: OutputKind
    description: str = Field(min_length=1, max_length=20_000)
    owner_id: int = Field(ge=1, le=MAX_ID)
    due_on: date
    version: int | None = None


class OutputCompletion(SQLModel):
    evidence: str = Field(max_length=20_000)
    version: int | None = None


class Closure(SQLModel):
    password: str = Field(max_length=256)
    version: int | None = None


class Cancellation(SQLModel):
    reason: str = Field(max_length=20_000)
    version: int | None = None


class OutputPublic(SQLModel):
    id: int
    review_id: int
    kind: str
    description: str
    owner_id: int
    owner_name: str
    due_on: date
    done_on: date | None
    evidence: str
    overdue: bool
    status: str
    version: int


class ReviewPublic(SQLModel):
    id: int
    code: str
    status: str
    version: int
    period_start: date
    period_end: date
    planned_on: date
    chair_id: int
    attendee_ids: list[int]
    resources: str
    minutes: str
    held_on: date | None
    inputs_sha256: str | None
    closed_at: datetime | None
    minutes_sha256: str | None
    minutes_url: str | None
    cancel_reason: str


class ReviewDetail(ReviewPublic):
    outputs: list[OutputPublic]


class FigurePublic(SQLModel):
    key: str
    section: str
    label: str
    text: str
    value: int | float | str | None
    unit: str
    href: str | None
    changed: bool


class SectionPublic(SQLModel):
    section: str
    title: str
    figures: list[FigurePublic]


class InputsPublic(SQLModel):
    id: int
    status: str
    version: int
    frozen: bool
    sha256: str | None
    sections: list[SectionPublic]
