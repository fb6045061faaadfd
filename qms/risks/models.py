"""Tables of the risks-and-opportunities register (entries, their assessments, treatment
actions, links, the context lists), the one banding table, and the API shapes."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import StrictInt
from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from qms.counters import CodeCounter  # noqa: F401  (its table belongs to this schema too)
from qms.db import RecordBase, utcnow
from qms.i18n import N_
from qms.risks.states import Status


class Kind(StrEnum):
    risk = "risk"
    opportunity = "opportunity"


KIND_LABELS = {Kind.risk: N_("Risk"), Kind.opportunity: N_("Opportunity")}


class Level(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


@dataclass(frozen=True)
class Band:
    level: Level
    lowest: int  # the band holds the scores lowest..highest
    highest: int
    label: str
    colour: str  # the cell's background; text stays dark enough to read on it
    text: str


# THE banding table: every page, export, heat map and PDF reads the level and its colour
# from here. A score is likelihood × impact, 1..25.
BANDS = (
    Band(Level.low, 1, 4, N_("low"), "#c8e6c9", "#1b4d20"),
    Band(Level.medium, 5, 9, N_("medium"), "#fff3b0", "#5c4a00"),
    Band(Level.high, 10, 16, N_("high"), "#ffcc99", "#6b2e00"),
    Band(Level.critical, 17, 25, N_("critical"), "#f4a6a6", "#6b0000"),
)
BAND_OF = {band.level: band for band in BANDS}
LEVEL_LABELS = {band.level: band.label for band in BANDS}
LEVEL_RANK = {band.level: rank for rank, band in enumerate(BANDS)}
SCALE = range(1, 6)


def band_for(score: int) -> Band:
    for band in BANDS:
        if band.lowest <= score <= band.highest:
            return band
    raise ValueError(f"no band for score {score}")


def level_for(score: int) -> Level:
    return band_for(score).level


class Treatment(StrEnum):
    accept = "accept"
    mitigate = "mitigate"
    avoid = "avoid"
    transfer = "transfer"
    pursue = "pursue"


TREATMENT_LABELS = {
    Treatment.accept: N_("Accept"),
    Treatment.mitigate: N_("Mitigate"),
    Treatment.avoid: N_("Avoid"),
    Treatment.transfer: N_("Transfer"),
    Treatment.pursue: N_("Pursue"),
}
TREATMENTS_FOR = {
    Kind.risk: (Treatment.accept, Treatment.mitigate, Treatment.avoid, Treatment.transfer),
    Kind.opportunity: (Treatment.pursue,),
}


class AssessmentKind(StrEnum):
    inherent = "inherent"
    residual = "residual"


ASSESSMENT_LABELS = {
    AssessmentKind.inherent: N_("Inherent"),
    AssessmentKind.residual: N_("Residual"),
}


class LinkTarget(StrEnum):
    nonconformity = "nonconformity"
    audit_finding = "audit_finding"


LINK_TARGET_LABELS = {
    LinkTarget.nonconformity: N_("Nonconformity"),
    LinkTarget.audit_finding: N_("Audit finding"),
}


class Relation(StrEnum):
    revealed = "revealed"
    realised = "realised"


RELATION_LABELS = {Relation.revealed: N_("revealed it"), Relation.realised: N_("realised it")}


class IssueKind(StrEnum):
    internal = "internal"
    external = "external"


ISSUE_KIND_LABELS = {IssueKind.internal: N_("Internal"), IssueKind.external: N_("External")}


class Risk(RecordBase, table=True):
    __table_args__ = (
        # The heat map and the open figures read only the active entries by cell and level.
        Index("ix_risk_status_cell", "status", "likelihood", "impact"),
        Index("ix_risk_status_level", "status", "level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    kind: str = Field(max_length=16, index=True)
    status: str = Field(default=Status.open.value, max_length=16, index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    process: str = Field(default="", max_length=200)
    title: str = Field(max_length=300)
    cause: str = Field(default="", sa_type=Text)
    # The consequence of a risk, or the benefit of an opportunity.
    consequence: str = Field(default="", sa_type=Text)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    raised_by_id: int = Field(foreign_key="user_account.id")
    clauses: list[str] = Field(default_factory=list, sa_type=JSON)
    # The current assessment (the latest row of its history), kept here to filter and count.
    likelihood: int
    impact: int
    score: int = Field(index=True)
    level: str = Field(max_length=16, index=True)
    treatment: str | None = Field(default=None, max_length=16)
    justification: str = Field(default="", sa_type=Text)
    treatment_decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    raised_on: date = Field(index=True)
    review_on: date | None = Field(default=None, index=True)
    closed_on: date | None = Field(default=None, index=True)
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    close_reason: str = Field(default="", sa_type=Text)


class RiskAssessment(SQLModel, table=True):
    """One assessment of an entry: the inherent one when raised, then each residual one."""

    __tablename__ = "risk_assessment"

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    kind: str = Field(max_length=16)
    likelihood: int
    impact: int
    score: int
    level: str = Field(max_length=16)
    # The score before this assessment (None for the inherent one): "went down" reads it.
    previous_score: int | None = None
    comment: str = Field(default="", sa_type=Text)
    assessed_on: date = Field(index=True)
    assessed_at: datetime = Field(default_factory=utcnow)
    assessed_by_id: int = Field(foreign_key="user_account.id")


class RiskAction(RecordBase, table=True):
    __tablename__ = "risk_action"

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    description: str = Field(sa_type=Text)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    due_on: date = Field(index=True)
    done_on: date | None = Field(default=None, index=True)
    completed_at: datetime | None = None
    evidence: str = Field(default="", sa_type=Text)
    planned_by_id: int = Field(foreign_key="user_account.id")

    @property
    def status(self) -> str:
        return "done" if self.done_on is not None else "open"


class RiskLink(SQLModel, table=True):
    """A nonconformity or an audit finding (a checklist item) that revealed or realised the
    entry; the other domains validate their ids through their services."""

    __tablename__ = "risk_link"
    __table_args__ = (UniqueConstraint("risk_id", "target", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    target: str = Field(max_length=20)
    target_id: int = Field(index=True)
    # The audit of a finding, so that the audit's page finds its links by one key.
    audit_id: int | None = Field(default=None, index=True)
    relation: str = Field(max_length=16)
    linked_by_id: int = Field(foreign_key="user_account.id")
    linked_at: datetime = Field(default_factory=utcnow)


class ContextIssue(RecordBase, table=True):
    """An internal or external issue of the organisation's context (4.1)."""

    __tablename__ = "context_issue"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    changed_on: date = Field(index=True)


class InterestedParty(RecordBase, table=True):
    """An interested party and its relevant requirements (4.2)."""

    __tablename__ = "interested_party"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    requirements: str = Field(default="", sa_type=Text)
    changed_on: date = Field(index=True)


class RiskContextIssue(SQLModel, table=True):
    __tablename__ = "risk_context_issue"
    __table_args__ = (UniqueConstraint("risk_id", "issue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    issue_id: int = Field(foreign_key="context_issue.id", index=True)


class RiskInterestedParty(SQLModel, table=True):
    __tablename__ = "risk_interested_party"
    __table_args__ = (UniqueConstraint("risk_id", "party_id"),)

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    party_id: int = Field(foreign_key="interested_party.id", index=True)


# --- API shapes -------------------------------------------------------------------------


class RiskCreate(SQLModel):
    kind: Kind
    title: str = Field(min_length=1, max_length=300)
    department_id: int = Field(ge=1, le=2_147_483_647)
    owner_id: int = Field(ge=1, le=2_147_483_647)
    cause: str = Field(default="", max_length=20_000)
    consequence: str = Field(default="", max_length=20_000)
    likelihood: StrictInt = Field(ge=1, le=5)
    impact: StrictInt = Field(ge=1, le=5)
    process: str = Field(default="", max_length=200)
    clauses: list[str] = Field(default_factory=list, max_length=20)
    review_on: date | None = None
    issue_ids: list[int] = Field(default_factory=list, max_length=50)
    party_ids: list[int] = Field(default_factory=list, max_length=50)


class TreatmentDecision(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"treatment": N_("Choose the treatment from the list.")}
    treatment: Treatment
    justification: str = Field(default="", max_length=20_000)
    version: int | None = None


class ActionCreate(SQLModel):
    description: str = Field(min_length=1, max_length=20_000)
    owner_id: int = Field(ge=1, le=2_147_483_647)
    due_on: date
    version: int | None = None


class ActionCompletion(SQLModel):
    evidence: str = Field(max_length=20_000)
    version: int | None = None


class Reassessment(SQLModel):
    likelihood: StrictInt = Field(ge=1, le=5)
    impact: StrictInt = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=20_000)
    review_on: date | None = None
    version: int | None = None


class RiskClosure(SQLModel):
    reason: str = Field(max_length=20_000)
    version: int | None = None


class LinkCreate(SQLModel):
    target: LinkTarget
    target_id: int = Field(ge=1, le=2_147_483_647)
    relation: Relation


class ContextNaming(SQLModel):
    issue_ids: list[int] = Field(default_factory=list, max_length=50)
    party_ids: list[int] = Field(default_factory=list, max_length=50)
    version: int | None = None


class ContextIssueCreate(SQLModel):
    kind: IssueKind
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)


class InterestedPartyCreate(SQLModel):
    name: str = Field(min_length=1, max_length=300)
    requirements: str = Field(default="", max_length=20_000)


class ContextIssuePublic(SQLModel):
    id: int
    kind: str
    title: str
    description: str
    changed_on: date
    version: int


class InterestedPartyPublic(SQLModel):
    id: int
    name: str
    requirements: str
    changed_on: date
    version: int


class ContextLists(SQLModel):
    issues: list[ContextIssuePublic]
    parties: list[InterestedPartyPublic]


class AssessmentPublic(SQLModel):
    id: int
    kind: str
    likelihood: int
    impact: int
    score: int
    level: str
    previous_score: int | None
    comment: str
    assessed_on: date
    assessed_by_id: int
    assessed_by_name: str


class RiskActionPublic(SQLModel):
    id: int
    risk_id: int
    description: str
    owner_id: int
    owner_name: str
    due_on: date
    done_on: date | None
    evidence: str
    overdue: bool
    status: str
    version: int


class LinkPublic(SQLModel):
    id: int
    target: str
    target_id: int
    relation: str
    label: str
    href: str


class RiskPublic(SQLModel):
    id: int
    code: str
    kind: str
    status: str
    version: int
    department_id: int
    process: str
    title: str
    owner_id: int
    likelihood: int
    impact: int
    score: int
    level: str
    colour: str
    treatment: str | None
    raised_on: date
    review_on: date | None
    review_overdue: bool


class RiskDetail(RiskPublic):
    cause: str
    consequence: str
    clauses: list[str]
    justification: str
    closed_on: date | None
    close_reason: str
    history: list[AssessmentPublic]
    actions: list[RiskActionPublic]
    links: list[LinkPublic]
    issue_ids: list[int]
    party_ids: list[int]


class HeatCell(SQLModel):
    likelihood: int
    impact: int
    count: int
    score: int
    level: str
    colour: str
    href: str
