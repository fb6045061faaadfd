"""Tables of nonconformities, corrective actions, evidence files and effectiveness checks,
and the shapes the API reads and answers."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import StringConstraints
from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from qms.counters import CodeCounter  # noqa: F401  (its table belongs to this schema too)
from qms.db import RecordBase, utcnow
from qms.deps import DayQuery
from qms.i18n import N_
from qms.nonconformities.states import Status


class Source(StrEnum):
    internal_audit = "internal_audit"
    external_audit = "external_audit"
    customer_complaint = "customer_complaint"
    process_monitoring = "process_monitoring"
    supplier = "supplier"
    other = "other"


SOURCE_LABELS = {
    Source.internal_audit: N_("Internal audit"),
    Source.external_audit: N_("External audit"),
    Source.customer_complaint: N_("Customer complaint"),
    Source.process_monitoring: N_("Process monitoring"),
    Source.supplier: N_("Supplier"),
    Source.other: N_("Other"),
}


class Severity(StrEnum):
    # An audit observation is not a nonconformity (ISO 19011): it raises none.
    minor = "minor"
    major = "major"


SEVERITY_LABELS = {Severity.minor: N_("Minor"), Severity.major: N_("Major")}


class RootCauseMethod(StrEnum):
    five_whys = "five_whys"
    fishbone = "fishbone"
    other = "other"


METHOD_LABELS = {
    RootCauseMethod.five_whys: N_("5 whys"),
    RootCauseMethod.fishbone: N_("Fishbone (Ishikawa) diagram"),
    RootCauseMethod.other: N_("Other method"),
}


class CheckResult(StrEnum):
    effective = "effective"
    ineffective = "ineffective"


RESULT_LABELS = {
    CheckResult.effective: N_("Effective"),
    CheckResult.ineffective: N_("Ineffective"),
}


class Nonconformity(RecordBase, table=True):
    __table_args__ = (
        # The quality officer's figures count the open ones by department and by day
        # raised: covering indexes read only the open entries, not the whole register.
        Index("ix_nonconformity_status_department", "status", "department_id"),
        Index("ix_nonconformity_status_raised", "status", "raised_on"),
        # The management review's counts of the period by status, source and department.
        Index(
            "ix_nonconformity_status_raised_source_department",
            "status",
            "raised_on",
            "source",
            "department_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    status: str = Field(default=Status.open.value, max_length=20, index=True)
    source: str = Field(max_length=32, index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    clause: str = Field(max_length=20, index=True)
    severity: str = Field(max_length=16, index=True)
    description: str = Field(sa_type=Text)
    reporter_id: int = Field(foreign_key="user_account.id", index=True)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    # The audit and its checklist item live in the audits domain, whose tables come with
    # their own migration: the link is a plain id, validated by the caller.
    audit_id: int | None = Field(default=None, index=True)
    checklist_item_id: int | None = Field(default=None, unique=True)
    # The office's calendar day it was raised: its age counts from here.
    raised_on: date = Field(index=True)
    # The day it was found (on or before the day it was raised).
    detected_on: date

    # Correction / containment and the root-cause analysis (10.2.1 a, b).
    containment: str = Field(default="", sa_type=Text)
    root_cause_method: str | None = Field(default=None, max_length=16)
    # The five linked answers of a 5-whys analysis, in order.
    whys: list[str] = Field(default_factory=list, sa_type=JSON)
    root_cause: str = Field(default="", sa_type=Text)
    investigated_at: datetime | None = None

    # The effectiveness check falls due this long after the last action was done.
    check_due_on: date | None = None

    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    signature_id: int | None = Field(default=None, foreign_key="signature.id")
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cancel_reason: str = Field(default="", sa_type=Text)


class CorrectiveAction(RecordBase, table=True):
    __tablename__ = "corrective_action"
    __table_args__ = (
        # The review's actions done and overdue of the period's nonconformities, from the index.
        Index("ix_corrective_action_nonconformity_done", "nonconformity_id", "done_on", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nonconformity_id: int = Field(foreign_key="nonconformity.id", index=True)
    description: str = Field(sa_type=Text)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    due_on: date = Field(index=True)
    done_on: date | None = None
    completed_at: datetime | None = None
    evidence: str = Field(default="", sa_type=Text)
    planned_by_id: int = Field(foreign_key="user_account.id")

    @property
    def status(self) -> str:
        return "done" if self.done_on is not None else "open"


class EvidenceFile(SQLModel, table=True):
    """A file kept by its SHA-256: evidence of a corrective action, or of the finding itself
    (attached when the nonconformity was raised)."""

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int | None = Field(default=None, foreign_key="corrective_action.id", index=True)
    nonconformity_id: int | None = Field(default=None, foreign_key="nonconformity.id", index=True)
    sha256: str = Field(max_length=64)
    # As the client named it: shown and offered on download, never used as a path.
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class EffectivenessCheck(SQLModel, table=True):
    __tablename__ = "effectiveness_check"
    __table_args__ = (
        # The review's effective / ineffective results of the period, from the index.
        Index("ix_effectiveness_check_nonconformity_result", "nonconformity_id", "result"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nonconformity_id: int = Field(foreign_key="nonconformity.id", index=True)
    verifier_id: int = Field(foreign_key="user_account.id", index=True)
    result: str = Field(max_length=16)
    comment: str = Field(default="", sa_type=Text)
    due_on: date | None = None
    checked_on: date
    checked_at: datetime = Field(default_factory=utcnow)


class NonconformityDocument(SQLModel, table=True):
    """A controlled document the nonconformity concerns (the documents domain validates)."""

    __tablename__ = "nonconformity_document"
    __table_args__ = (UniqueConstraint("nonconformity_id", "document_id"),)

    id: int | None = Field(default=None, primary_key=True)
    nonconformity_id: int = Field(foreign_key="nonconformity.id", index=True)
    document_id: int = Field(index=True)


# --- API shapes -------------------------------------------------------------------------

# The longest text each field takes (the pages and the API alike): a finding is read in
# full on a page and in the PDF, so a field holds a few paragraphs, not a file.
LIMITS = {
    "description": 4_000,
    "containment": 4_000,
    "root_cause": 4_000,
    "whys": 1_000,
    "evidence": 4_000,
    "comment": 2_000,
    "reason": 2_000,
}


class NonconformityCreate(SQLModel):
    # What a person reads when a field is refused (a form shows each beside its field).
    MESSAGES: ClassVar[dict[str, str]] = {
        "source": N_("Choose the source from the list."),
        "department_id": N_("Choose the department concerned."),
        "clause": N_("Enter the ISO 9001 clause as numbers and dots, e.g. 8.5.1."),
        "severity": N_("Choose the severity: minor or major."),
        "description": N_("Describe the nonconformity."),
        "owner_id": N_("The owner must be an active manager of the department concerned."),
        "detected_on": N_("Enter the date as YYYY-MM-DD."),
    }
    source: Source
    department_id: int = Field(ge=1, le=2_147_483_647)
    clause: str = Field(
        min_length=1, max_length=20, schema_extra={"pattern": r"^\s*\d+(\.\d+)*\s*$"}
    )
    severity: Severity
    description: str = Field(min_length=1, max_length=LIMITS["description"])
    owner_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    document_ids: list[int] = Field(default_factory=list, max_length=50)
    # The day it was found: today when not given, never in the future (YYYY-MM-DD).
    detected_on: DayQuery = None


class Investigation(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {
        "containment": N_("Describe the correction or containment taken."),
        "root_cause_method": N_("Choose the root-cause method."),
    }
    containment: str = Field(max_length=LIMITS["containment"])
    root_cause_method: RootCauseMethod
    root_cause: str = Field(default="", max_length=LIMITS["root_cause"])
    whys: list[Annotated[str, StringConstraints(max_length=LIMITS["whys"])]] = Field(
        default_factory=list, max_length=5
    )
    version: int | None = None


class ActionCreate(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {
        "description": N_("Describe the corrective action."),
        "owner_id": N_("Choose who owns the action."),
        "due_on": N_("Enter the due date."),
    }
    description: str = Field(min_length=1, max_length=LIMITS["description"])
    owner_id: int = Field(ge=1, le=2_147_483_647)
    due_on: date
    version: int | None = None


class ActionCompletion(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {
        "evidence": N_("Describe the evidence that the action was done."),
    }
    evidence: str = Field(max_length=LIMITS["evidence"])
    version: int | None = None


class Verification(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"result": N_("Choose effective or ineffective.")}
    result: CheckResult
    comment: str = Field(default="", max_length=LIMITS["comment"])
    version: int | None = None


class Closure(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"password": N_("Enter your password to sign.")}
    password: str = Field(max_length=256)
    comment: str = Field(default="", max_length=LIMITS["comment"])
    version: int | None = None


class Cancellation(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"reason": N_("Give the reason for cancelling.")}
    reason: str = Field(max_length=LIMITS["reason"])
    version: int | None = None


class DocumentLinks(SQLModel):
    document_ids: list[int] = Field(max_length=50)
    version: int | None = None


class EvidenceFilePublic(SQLModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str


class ActionPublic(SQLModel):
    id: int
    nonconformity_id: int
    description: str
    owner_id: int
    owner_name: str
    due_on: date
    done_on: date | None
    evidence: str
    overdue: bool
    status: str
    version: int
    files: list[EvidenceFilePublic]


class CheckPublic(SQLModel):
    id: int
    verifier_id: int
    verifier_name: str
    result: str
    comment: str
    due_on: date | None
    checked_on: date
    status: str


class NonconformityPublic(SQLModel):
    id: int
    code: str
    status: str
    version: int
    source: str
    department_id: int
    clause: str
    severity: str
    description: str
    reporter_id: int
    owner_id: int
    audit_id: int | None
    checklist_item_id: int | None
    raised_on: date
    detected_on: date
    age_days: int
    overdue: bool
    check_due_on: date | None
    ready_to_close: bool


class SignatureSummary(SQLModel):
    signer_name: str
    signer_title: str
    meaning: str
    at: datetime
    content_hash: str


class NonconformityDetail(NonconformityPublic):
    containment: str
    root_cause_method: str | None
    whys: list[str]
    root_cause: str
    cancel_reason: str
    closed_at: datetime | None
    document_ids: list[int]
    actions: list[ActionPublic]
    checks: list[CheckPublic]
    closure_signature: SignatureSummary | None
    # Files attached to the finding when it was raised.
    files: list[EvidenceFilePublic] = []
