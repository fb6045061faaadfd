"""Tables and shapes of controlled documents, their revisions, distribution and acknowledgements."""

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import field_validator
from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, Relationship, SQLModel

from qms.db import RecordBase, utcnow
from qms.documents.states import DocumentStatus, Kind, RevisionStatus
from qms.i18n import N_


def clause_key(clause: str) -> tuple:
    """Clauses in the standard's order: 4.4 before 7.5 before 10.2."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in clause.split("."))


class DocumentClause(SQLModel, table=True):
    """An ISO 9001 clause a document addresses (one row each, so the register filters by it)."""

    __tablename__ = "document_clause"

    document_id: int = Field(
        foreign_key="controlled_document.id", primary_key=True, ondelete="CASCADE"
    )
    clause: str = Field(max_length=20, primary_key=True, index=True)


class DocumentDistribution(SQLModel, table=True):
    """A department that receives the document: its staff read and acknowledge it."""

    __tablename__ = "document_distribution"

    document_id: int = Field(
        foreign_key="controlled_document.id", primary_key=True, ondelete="CASCADE"
    )
    department_id: int = Field(foreign_key="department.id", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ControlledDocument(RecordBase, table=True):
    __tablename__ = "controlled_document"
    __table_args__ = (
        # The reviews coming due (the quality officer's home): effective ones by date.
        Index("ix_controlled_document_status_review", "status", "next_review_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=32)
    department_id: int = Field(foreign_key="department.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    review_interval_months: int = Field(default=12, ge=1, le=120)
    next_review_on: date | None = Field(default=None, index=True)
    # Stored, kept by the service: draft until a first revision is published, then
    # effective, and obsolete once withdrawn (never deleted).
    status: str = Field(default=DocumentStatus.draft.value, max_length=20, index=True)
    obsolete_on: date | None = None
    obsolete_reason: str = Field(default="", sa_type=Text)

    clause_rows: list[DocumentClause] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
        }
    )
    distribution_rows: list[DocumentDistribution] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"}
    )

    @property
    def clauses(self) -> list[str]:
        return sorted((row.clause for row in self.clause_rows), key=clause_key)

    @property
    def distributed_to(self) -> set[int]:
        return {row.department_id for row in self.distribution_rows}


class Revision(RecordBase, table=True):
    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_revision_document_number"),
        # Exactly one effective revision per document, whatever the code does.
        Index(
            "uq_revision_one_effective",
            "document_id",
            unique=True,
            sqlite_where=text("status = 'effective'"),
            postgresql_where=text("status = 'effective'"),
        ),
        # A person's work (the home, the reminders): their revisions at one status. The
        # status index alone is skewed (tens of thousands superseded, a handful open), so
        # the planner walked every revision a person ever signed.
        Index("ix_revision_reviewer_status", "reviewer_id", "status"),
        Index("ix_revision_approver_status", "approver_id", "status"),
        Index("ix_revision_author_status", "author_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="controlled_document.id", index=True)
    number: int = Field(ge=0)
    status: str = Field(default=RevisionStatus.draft.value, max_length=20, index=True)
    content_md: str = Field(default="", sa_type=Text)
    change_summary: str = Field(default="", sa_type=Text)
    file_sha256: str | None = Field(default=None, max_length=64)
    file_name: str = Field(default="", max_length=255)
    file_type: str = Field(default="", max_length=8)
    file_size: int | None = None
    # SHA-256 of the Markdown and the file hash, fixed when the revision leaves draft:
    # both signatures bind to it and serving published content checks it.
    content_hash: str | None = Field(default=None, max_length=64)
    # Where an imported draft came from (procedures_docs/…), and that file's hash.
    source_path: str = Field(default="", max_length=255)
    source_sha256: str | None = Field(default=None, max_length=64)

    author_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    approver_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    review_signature_id: int | None = Field(default=None, foreign_key="signature.id")
    approval_signature_id: int | None = Field(default=None, foreign_key="signature.id")
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    effective_on: date | None = None
    superseded_on: date | None = None
    return_comment: str = Field(default="", sa_type=Text)

    document: ControlledDocument = Relationship(sa_relationship_kwargs={"lazy": "joined"})

    @property
    def label(self) -> str:
        return f"{self.number:02d}"

    @property
    def has_file(self) -> bool:
        return self.file_sha256 is not None


class Acknowledgement(SQLModel, table=True):
    """A person confirmed they read and understood an effective revision."""

    __tablename__ = "acknowledgement"
    __table_args__ = (
        UniqueConstraint("revision_id", "user_id", name="uq_acknowledgement_revision_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="revision.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    acknowledged_at: datetime = Field(default_factory=utcnow)


class PeriodicReview(SQLModel, table=True):
    """The owner's periodic review that found the document still suitable (no change)."""

    __tablename__ = "periodic_review"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="controlled_document.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    reviewed_on: date
    by_id: int = Field(foreign_key="user_account.id")
    comment: str = Field(sa_type=Text)
    previous_review_on: date | None = None
    next_review_on: date
    at: datetime = Field(default_factory=utcnow)


# --- API shapes -------------------------------------------------------------------------


def _clean_clauses(value: list[str]) -> list[str]:
    cleaned = []
    for clause in value:
        clause = str(clause).strip()
        if clause and clause not in cleaned:
            cleaned.append(clause)
    return cleaned


# What the register entry's form says beside a field its model refuses (the service's own
# words for the same fields).
_ENTRY_MESSAGES = {
    "code": N_("Enter a code of letters, digits and - . / such as QT-03 (at most 20)."),
    "title": N_("Enter the document's title."),
    "kind": N_("Choose a kind of document from the list."),
    "department_id": N_("Choose an owner department from the list."),
    "owner_id": N_("Choose an active person from the list."),
    "review_interval_months": N_("The review interval is between 1 and 120 months."),
    "version": N_("The version of the record you edited is required."),
}


class DocumentCreate(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = _ENTRY_MESSAGES
    code: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=300)
    kind: Kind
    department_id: int = Field(ge=1, le=2_147_483_647)
    owner_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    clauses: list[str] = Field(default_factory=list, max_length=50)
    review_interval_months: int = Field(default=12, ge=1, le=120)

    _clauses = field_validator("clauses")(_clean_clauses)


class DocumentUpdate(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = _ENTRY_MESSAGES
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=300)
    kind: Kind | None = None
    department_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    owner_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    clauses: list[str] | None = Field(default=None, max_length=50)
    review_interval_months: int | None = Field(default=None, ge=1, le=120)
    next_review_on: date | None = None


# The longest text each field takes, on the pages and through the API alike.
LIMITS = {
    "title": 300,
    "change_summary": 2_000,
    "comment": 2_000,
    "reason": 2_000,
    "content_md": 200_000,
}


class RevisionCreate(SQLModel):
    # Omitted: the new draft starts from the current content (a periodic review's draft).
    content_md: str | None = Field(default=None, max_length=LIMITS["content_md"])
    change_summary: str = Field(default="", max_length=LIMITS["change_summary"])


class RevisionUpdate(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"version": _ENTRY_MESSAGES["version"]}
    version: int
    content_md: str | None = Field(default=None, max_length=LIMITS["content_md"])
    change_summary: str | None = Field(default=None, max_length=LIMITS["change_summary"])
    remove_file: bool = False


class SubmitBody(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {
        "reviewer_id": _ENTRY_MESSAGES["owner_id"],
        "approver_id": _ENTRY_MESSAGES["owner_id"],
    }
    reviewer_id: int = Field(ge=1, le=2_147_483_647)
    approver_id: int = Field(ge=1, le=2_147_483_647)
    version: int | None = None


class SignBody(SQLModel):
    password: str = Field(max_length=256)
    comment: str = Field(default="", max_length=LIMITS["comment"])
    version: int | None = None


class ReturnBody(SQLModel):
    comment: str = Field(max_length=LIMITS["comment"])
    version: int | None = None


class PublishBody(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"effective_on": N_("Enter a date as YYYY-MM-DD.")}
    effective_on: date | None = None
    version: int | None = None


class DistributionBody(SQLModel):
    MESSAGES: ClassVar[dict[str, str]] = {"department_ids": N_("Choose a value from the list.")}
    department_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(max_length=500)


class FileBody(SQLModel):
    """A file's form besides the file itself (the API reads the same as form fields)."""

    version: int | None = None


class PeriodicReviewBody(SQLModel):
    comment: str = Field(max_length=LIMITS["comment"])


class ObsoleteBody(SQLModel):
    reason: str = Field(max_length=LIMITS["reason"])
    version: int | None = None


class SignOffPublic(SQLModel):
    meaning: str
    signer_id: int
    signer_name: str
    signer_title: str
    at: datetime
    comment: str
    content_hash: str


class FilePublic(SQLModel):
    sha256: str
    name: str
    type: str
    size: int | None


class RevisionSummary(SQLModel):
    id: int
    document_id: int
    number: int
    label: str
    status: str
    version: int
    change_summary: str
    author_id: int | None
    reviewer_id: int | None
    approver_id: int | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    effective_on: date | None
    superseded_on: date | None
    return_comment: str
    content_hash: str | None
    file: FilePublic | None
    signoffs: list[SignOffPublic]


class RevisionPublic(RevisionSummary):
    content_md: str


class DocumentPublic(SQLModel):
    id: int
    code: str
    title: str
    kind: str
    department_id: int
    owner_id: int | None
    clauses: list[str]
    review_interval_months: int
    next_review_on: date | None
    status: str
    version: int
    distributed_to: list[int]
    obsolete_on: date | None
    obsolete_reason: str
    effective_revision: RevisionPublic | None = None


class AcknowledgementPublic(SQLModel):
    id: int
    revision_id: int
    user_id: int
    acknowledged_at: datetime
    status: str = "acknowledged"
    version: int = 1


class ReaderPublic(SQLModel):
    user_id: int
    full_name: str
    department_id: int | None
    acknowledged_at: datetime | None


class AcknowledgementsPublic(SQLModel):
    revision_id: int | None
    acknowledged: list[ReaderPublic]
    pending: list[ReaderPublic]


class PeriodicReviewPublic(SQLModel):
    id: int
    document_id: int
    reviewed_on: date
    comment: str
    next_review_on: date
    status: str = "reviewed_no_change"
    version: int = 1
