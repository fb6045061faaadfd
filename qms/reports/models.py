"""Kept PDF records: each signed file, by its SHA-256, with the record it is a copy of."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from qms.db import utcnow


class KeptRecord(SQLModel, table=True):
    """One signed PDF kept as retained documented information. Written once, never changed
    except `replaced_by_id`, set when a later kept file of the same record takes its place
    (a superseded revision's copy with its watermark)."""

    __tablename__ = "kept_record"
    __table_args__ = (Index("ix_kept_record_record", "record_kind", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    record_kind: str = Field(max_length=40)
    record_id: int
    # What a person reads the record as, e.g. IA-2026-01 or QT-03 rev 01.
    record_code: str = Field(max_length=100)
    sha256: str = Field(max_length=64, unique=True)
    size: int
    kept_at: datetime = Field(default_factory=utcnow)
    kept_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # SHA-256 of the signing certificate (DER): the one /verify trusts for this file.
    certificate_sha256: str = Field(max_length=64)
    replaced_by_id: int | None = Field(default=None, foreign_key="kept_record.id")


class KeptRecordRef(SQLModel):
    """Which kept record a verified file is (or, when altered, claims to be)."""

    kind: str
    kind_label: str
    id: int
    code: str
    url: str
    kept_at: datetime
    sha256: str
    current: bool


class VerificationPublic(SQLModel):
    """POST /verify's answer: `unaltered` (the file is byte for byte a kept record) and
    `signature_valid` (pyHanko's validator, pinned to this system's certificate)."""

    verdict: str
    message: str
    unaltered: bool
    signature_valid: bool
    sha256: str
    size: int
    record: KeptRecordRef | None
    signer: str | None
    signed_at: datetime | None
