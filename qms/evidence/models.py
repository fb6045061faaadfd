"""The evidence pack's export jobs, and the shapes the API reads and answers."""

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from qms.db import RecordBase
from qms.evidence.states import Status


class EvidenceExport(RecordBase, table=True):
    """One ZIP of the evidence pack of a period, made in the background: its progress, and the
    file kept in QMS_DATA_DIR/exports until it is downloaded and removed."""

    __tablename__ = "evidence_export"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=Status.queued.value, max_length=20, index=True)
    period_start: date
    period_end: date
    lang: str = Field(default="vi", max_length=5)
    requested_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # Progress: the records found, the gaps, the kept PDFs to put in and those put in so far.
    records_total: int = 0
    gaps_total: int = 0
    files_total: int = 0
    files_done: int = 0
    # Kept files that were missing or no longer matched their hash: listed, not put in.
    files_withheld: int = 0
    size: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    error: str = Field(default="", sa_type=Text)
    downloaded_at: datetime | None = None
    downloaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    removed_at: datetime | None = None
    removed_by_id: int | None = Field(default=None, foreign_key="user_account.id")


# --- API shapes -------------------------------------------------------------------------


class ExportCreate(SQLModel):
    period_start: date
    period_end: date


class ExportPublic(SQLModel):
    id: int
    status: str
    version: int
    period_start: date
    period_end: date
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    records_total: int
    gaps_total: int
    files_total: int
    files_done: int
    files_withheld: int
    size: int | None
    sha256: str | None
    error: str
    downloaded_at: datetime | None
    download_url: str | None


class ItemPublic(SQLModel):
    source: str
    code: str
    title: str
    url: str
    on: date | None
    kept: bool


class GapPublic(SQLModel):
    source: str
    message: str
    url: str | None


class ExclusionPublic(SQLModel):
    """A requirement the scope document in force declares not applicable (4.3)."""

    clause: str
    title: str
    justification: str
    code: str  # the scope document's
    url: str


class ClausePublic(SQLModel):
    clause: str
    title: str
    kind: str
    count: int
    items: list[ItemPublic]
    more: int
    registers: list[str]
    # The first gaps; gaps_total counts them all. An excluded requirement has none.
    gaps: list[GapPublic]
    gaps_total: int
    excluded: ExclusionPublic | None
    partly_excluded: list[ExclusionPublic]


class PackPublic(SQLModel):
    period_start: date
    period_end: date
    records: int
    gaps: int
    clauses: list[ClausePublic]
    exclusions: list[ExclusionPublic]
