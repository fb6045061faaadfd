"""Notifications (one row per reminder, unique by its key) and the record of each sweep."""

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from qms.db import utcnow


class Notification(SQLModel, table=True):
    __table_args__ = (Index("ix_notification_recipient_read", "recipient_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # rule:record_type:record_id:due_on:stage:recipient — the same reminder is never made twice.
    key: str = Field(max_length=255, unique=True)
    rule: str = Field(max_length=64)
    record_type: str = Field(max_length=64)
    record_id: int
    due_on: date
    stage: str = Field(max_length=32)
    recipient_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    escalation: bool = False
    # What the reminder says: an English msgid with %(name)s placeholders, translated when
    # shown in the reader's language, and the values to fill them.
    message: str = Field(max_length=255)
    params: str = Field(default="{}", sa_type=Text)
    url: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    sweep_id: int | None = Field(default=None, index=True)
    read_at: datetime | None = None
    # E-mail delivery: claimed by one sweep before sending, marked when sent.
    emailed_at: datetime | None = None
    email_claimed_at: datetime | None = None
    email_claimed_by: str | None = Field(default=None, max_length=64)
    email_attempts: int = 0
    email_error: str = Field(default="", sa_type=Text)


class SweepRun(SQLModel, table=True):
    __tablename__ = "sweep_run"

    id: int | None = Field(default=None, primary_key=True)
    as_of: date
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    duration_ms: int | None = None
    created: int = 0
    emailed: int = 0
    email_failures: int = 0
    trigger: str = Field(default="manual", max_length=32)
    host: str = Field(default="", max_length=128)
    error: str = Field(default="", sa_type=Text)
    # The last trail event when this sweep planned: every change to a record appends one,
    # so a later sweep for the same day with no event since has nothing new to plan.
    trail_seq: int | None = None


class NotificationPublic(SQLModel):
    id: int
    rule: str
    record_type: str
    record_id: int
    due_on: date
    stage: str
    escalation: bool
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None
    status: str
    version: int = 1


class SweepPublic(SQLModel):
    id: int
    as_of: date
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    created: int
    emailed: int
    email_failures: int
    trigger: str
    host: str
    error: str
    status: str
