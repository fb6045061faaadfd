"""Tables and API shapes of audit programmes, audits, their teams, checklists and items."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from qms.audits.states import AuditStatus
from qms.db import MAX_ID, RecordBase
from qms.i18n import N_


class Result(StrEnum):
    conform = "conform"
    minor_nc = "minor_nc"
    major_nc = "major_nc"
    observation = "observation"
    improvement = "improvement"
    not_applicable = "not_applicable"

    @property
    def is_nonconformity(self) -> bool:
        return self in (Result.minor_nc, Result.major_nc)


RESULT_LABELS = {
    Result.conform: N_("Conform"),
    Result.minor_nc: N_("Minor nonconformity"),
    Result.major_nc: N_("Major nonconformity"),
    Result.observation: N_("Observation"),
    Result.improvement: N_("Opportunity for improvement"),
    Result.not_applicable: N_("Not applicable"),
}
# Short labels for the columns of the summary table.
RESULT_SHORT = {
    Result.conform: N_("C"),
    Result.minor_nc: N_("Minor NC"),
    Result.major_nc: N_("Major NC"),
    Result.observation: N_("Obs."),
    Result.improvement: N_("OFI"),
    Result.not_applicable: N_("N/A"),
}


class AuditProgramme(RecordBase, table=True):
    """The year's programme of internal audits (9.2.2 a): its objectives and its audits."""

    __tablename__ = "audit_programme"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True, ge=2000, le=2100)
    objectives: str = Field(default="", sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class AuditTeamMember(SQLModel, table=True):
    """An auditor of the team other than the lead auditor."""

    __tablename__ = "audit_team_member"

    audit_id: int = Field(foreign_key="internal_audit.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)


class Audit(RecordBase, table=True):
    __tablename__ = "internal_audit"
    __table_args__ = (Index("ix_internal_audit_status_start", "status", "planned_start_on"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    programme_id: int = Field(foreign_key="audit_programme.id", index=True)
    title: str = Field(max_length=200)
    scope: str = Field(sa_type=Text)
    criteria: str = Field(sa_type=Text)
    department_id: int = Field(foreign_key="department.id", index=True)
    lead_auditor_id: int = Field(foreign_key="user_account.id", index=True)
    planned_start_on: date
    planned_end_on: date
    template_keys: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default=AuditStatus.planned.value, max_length=20)

    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    started_at: datetime | None = None
    started_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # The report: the lead auditor's summary and strengths, the PDF kept by its SHA-256.
    summary: str = Field(default="", sa_type=Text)
    strengths: str = Field(default="", sa_type=Text)
    reported_at: datetime | None = None
    reported_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    report_signature_id: int | None = Field(default=None, foreign_key="signature.id")
    report_sha256: str | None = Field(default=None, max_length=64)
    report_size: int | None = None
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    close_note: str = Field(default="", sa_type=Text)
    # Nonconformities still open at closing, accepted as carried over (with close_note).
    carried_over_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cancel_reason: str = Field(default="", sa_type=Text)

    team_rows: list[AuditTeamMember] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"}
    )

    @property
    def auditor_ids(self) -> list[int]:
        return sorted(row.user_id for row in self.team_rows if row.user_id != self.lead_auditor_id)

    @property
    def team_ids(self) -> set[int]:
        """Everyone who audits: the lead auditor and the team."""
        return {self.lead_auditor_id, *self.auditor_ids}

    @property
    def year(self) -> int:
        return self.planned_start_on.year

    @property
    def quarter(self) -> int:
        return (self.planned_start_on.month - 1) // 3 + 1


class Checklist(RecordBase, table=True):
    """One template instantiated for one audit when it starts."""

    __tablename__ = "audit_checklist"
    __table_args__ = (UniqueConstraint("audit_id", "template_key"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="internal_audit.id", index=True, ondelete="CASCADE")
    template_key: str = Field(max_length=100)
    position: int = 0
    # The template's words at the start, so that a later edit of the file changes no audit.
    title_vi: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en


class ChecklistItem(RecordBase, table=True):
    __tablename__ = "audit_checklist_item"
    __table_args__ = (
        UniqueConstraint("checklist_id", "ref"),
        Index("ix_audit_checklist_item_audit_position", "audit_id", "checklist_id", "position"),
        # The review's findings by grade: the answers of the period's audits, from the index.
        Index("ix_audit_checklist_item_audit_result", "audit_id", "result"),
    )

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="audit_checklist.id", ondelete="CASCADE")
    audit_id: int = Field(foreign_key="internal_audit.id", ondelete="CASCADE")
    position: int
    clause: str = Field(max_length=20)
    section_title_vi: str = Field(sa_type=Text)
    section_title_en: str = Field(sa_type=Text)
    ref: str = Field(max_length=40)
    question_vi: str = Field(sa_type=Text)
    question_en: str = Field(sa_type=Text)
    guidance_vi: str = Field(sa_type=Text)
    guidance_en: str = Field(sa_type=Text)
    result: str | None = Field(default=None, max_length=20)
    evidence: str = Field(default="", sa_type=Text)
    answered_at: datetime | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    @property
    def status(self) -> str:
        return "answered" if self.result else "open"

    def section_title(self, lang: str) -> str:
        return self.section_title_vi if lang == "vi" else self.section_title_en

    def question(self, lang: str) -> str:
        return self.question_vi if lang == "vi" else self.question_en

    def guidance(self, lang: str) -> str:
        return self.guidance_vi if lang == "vi" else self.guidance_en


class ChecklistAttachment(SQLModel, table=True):
    """A photo or file attached to a checklist item, stored under files_dir by its SHA-256."""

    __tablename__ = "audit_attachment"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="audit_checklist_item.id", index=True, ondelete="CASCADE")
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=100)
    # What the uploader's device called it: shown, never used as a path.
    filename: str = Field(max_length=255)
    uploaded_at: datetime
    uploaded_by_id: int = Field(foreign_key="user_account.id")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# --- API shapes -------------------------------------------------------------------------

# The longest text a field takes (pages and API alike): read in full on a page and a PDF.
_LONG = 4_000
LONG_TEXT = _LONG
TITLE_LIMIT = 200
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_ID)]
TemplateKey = Annotated[str, Field(min_length=1, max_length=100)]
# The programme years the application keeps (the planned dates fall in them).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _in_programme_years(*days: date | None) -> None:
    for day in days:
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(f"dates must fall between {FIRST_YEAR} and {LAST_YEAR}")


class ProgrammeCreate(SQLModel):
    # What a person reads when a field is refused (a form shows each beside its field).
    MESSAGES: ClassVar[dict[str, str]] = {"year": N_("Enter a year between 2000 and 2100.")}
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    objectives: str = Field(default="", max_length=_LONG)


class ProgrammeUpdate(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {
        "version": N_("The version of the record you edited is required.")
    }
    objectives: str = Field(max_length=_LONG)
    version: Version


class PlannedAudit(SQLModel):
    id: int
    code: str
    title: str
    status: str
    department_id: int
    quarter: int
    planned_start_on: date
    planned_end_on: date


class ProgrammePublic(SQLModel):
    id: int
    year: int
    objectives: str
    status: str
    version: int
    audits: list[PlannedAudit]


class DepartmentRef(SQLModel):
    id: int
    code: str
    name: str


class ProgrammeCoverage(SQLModel):
    year: int
    not_covered: list[DepartmentRef]  # departments with no audit of the year (cancelled ones aside)


class AuditCreate(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    scope: str = Field(min_length=1, max_length=_LONG)
    criteria: str = Field(min_length=1, max_length=_LONG)
    department_id: Id
    lead_auditor_id: Id
    auditor_ids: list[Id] = Field(default_factory=list, max_length=50)
    planned_start_on: date
    planned_end_on: date
    template_keys: list[TemplateKey] = Field(min_length=1, max_length=10)

    @field_validator("title", "scope", "criteria")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @model_validator(mode="after")
    def _dates_in_order(self):
        _in_programme_years(self.planned_start_on, self.planned_end_on)
        if self.planned_end_on < self.planned_start_on:
            raise ValueError("planned_end_on must not be before planned_start_on")
        return self


class AuditUpdate(SQLModel):
    version: Version
    title: str | None = Field(default=None, min_length=1, max_length=200)
    scope: str | None = Field(default=None, min_length=1, max_length=_LONG)
    criteria: str | None = Field(default=None, min_length=1, max_length=_LONG)
    department_id: Id | None = None
    lead_auditor_id: Id | None = None
    auditor_ids: list[Id] | None = Field(default=None, max_length=50)
    planned_start_on: date | None = None
    planned_end_on: date | None = None
    template_keys: list[TemplateKey] | None = Field(default=None, min_length=1, max_length=10)

    @model_validator(mode="after")
    def _dates_in_range(self):
        _in_programme_years(self.planned_start_on, self.planned_end_on)
        return self


class Transition(SQLModel):
    """A state change without other input; `version`, when sent, must be the current one."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "version": N_("The version of the record you edited is required.")
    }

    version: Version | None = None


class ReportCreate(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"summary": N_("Write the summary of the audit.")}
    password: str = Field(max_length=256)
    summary: str = Field(min_length=1, max_length=_LONG)
    strengths: str = Field(default="", max_length=_LONG)
    version: Version | None = None


class CloseAudit(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"note": N_("Write a closing note.")}
    note: str = Field(min_length=1, max_length=_LONG)
    carried_over_ids: list[Id] = Field(default_factory=list, max_length=500)
    version: Version | None = None


class CancelAudit(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"reason": N_("Say why the audit is cancelled.")}
    reason: str = Field(min_length=1, max_length=_LONG)
    version: Version | None = None


class Progress(SQLModel):
    answered: int
    total: int


class AuditPublic(SQLModel):
    id: int
    code: str
    status: str
    version: int
    programme_id: int
    year: int
    quarter: int
    title: str
    scope: str
    criteria: str
    department_id: int
    lead_auditor_id: int
    auditor_ids: list[int]
    planned_start_on: date
    planned_end_on: date
    template_keys: list[str]
    progress: Progress
    started_at: datetime | None
    summary: str
    strengths: str
    reported_at: datetime | None
    report_sha256: str | None
    report_url: str | None
    closed_at: datetime | None
    close_note: str
    carried_over_ids: list[int]
    cancelled_at: datetime | None
    cancel_reason: str


class AuditPage(SQLModel):
    items: list[AuditPublic]
    total: int
    limit: int
    offset: int


class ItemAnswer(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {
        "result": N_("Choose a result from the list."),
        "version": N_("The version of the item you answered is required."),
    }
    result: Result | None = None
    evidence: str = Field(default="", max_length=_LONG)
    version: Version
    # Sending a nonconforming result is the API caller's confirmation; the page asks for it.
    confirm_nonconformity: bool = True
    # Why an answer that raised a nonconformity changes (that nonconformity is cancelled).
    change_reason: str = Field(default="", max_length=_LONG)


class AttachmentPublic(SQLModel):
    id: int
    item_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by_id: int
    url: str


class Bilingual(SQLModel):
    vi: str
    en: str


class ChecklistItemPublic(SQLModel):
    id: int
    checklist_id: int
    audit_id: int
    position: int
    clause: str
    section_title: Bilingual
    ref: str
    question: Bilingual
    guidance: Bilingual
    result: Result | None
    evidence: str
    answered_at: datetime | None
    answered_by_id: int | None
    status: str
    version: int
    attachments: list[AttachmentPublic]
    nonconformity_id: int | None = None
    nonconformity_code: str | None = None


class ChecklistPublic(SQLModel):
    id: int
    audit_id: int
    template_key: str
    title: Bilingual
    status: str
    version: int
    progress: Progress
    items: list[ChecklistItemPublic]


class TemplateItemPublic(SQLModel):
    ref: str
    question: Bilingual
    guidance: Bilingual


class TemplateSectionPublic(SQLModel):
    clause: str
    title: Bilingual
    items: list[TemplateItemPublic]


class TemplatePublic(SQLModel):
    key: str
    status: str
    title: Bilingual
    description: Bilingual
    sections: list[TemplateSectionPublic]


class TemplateSummary(SQLModel):
    key: str
    title: Bilingual
    description: Bilingual
    sections: int
    items: int
    status: str
    problems: list[str]
