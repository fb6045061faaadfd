"""Trail events (each holding the hash of the one before) and electronic signatures."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from qms.db import utcnow


class TrailEvent(SQLModel, table=True):
    __tablename__ = "trail_event"
    __table_args__ = (Index("ix_trail_event_record", "record_type", "record_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    # Position in the chain; unique, so two writers can never append the same link.
    seq: int = Field(unique=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=64)
    record_type: str = Field(max_length=64)
    record_id: int
    # Canonical JSON text {field: [old, new]}: stored as text so its bytes, and so its
    # hash, survive any database's JSON normalisation.
    changes: str = Field(default="{}", sa_type=Text)
    reason: str = Field(default="", sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Signature(SQLModel, table=True):
    __tablename__ = "signature"
    __table_args__ = (Index("ix_signature_record", "record_type", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    signer_id: int = Field(foreign_key="user_account.id", index=True)
    signer_name: str = Field(max_length=200)
    signer_title: str = Field(default="", max_length=200)
    meaning: str = Field(max_length=32)
    record_type: str = Field(max_length=64)
    record_id: int
    content_hash: str = Field(max_length=64)
    comment: str = Field(default="", sa_type=Text)
    # Set when the signed record changed afterwards: the signature stays, visibly void.
    voided_at: datetime | None = None


class TrailEventPublic(SQLModel):
    id: int
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    record_type: str
    record_id: int
    changes: dict
    reason: str
    hash: str


class SignaturePublic(SQLModel):
    id: int
    at: datetime
    signer_id: int
    signer_name: str
    signer_title: str
    meaning: str
    content_hash: str
    comment: str
    voided_at: datetime | None
