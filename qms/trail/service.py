"""Appending to the trail, verifying the chain, and electronic signatures."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import text
from sqlmodel import Session, col, select

from qms.db import utcnow
from qms.errors import Invalid
from qms.trail.models import Signature, TrailEvent

GENESIS = "0" * 64
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that orders appends.
_TRAIL_LOCK_KEY = 7_305_001


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value):
    # Exact types first (most values are): a StrEnum or IntEnum is not one of them.
    if type(value) in _SCALARS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def canonical_json(value) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def changes_of(record, before: dict, fields) -> dict:
    """{field: [old, new]} for each field whose value differs from `before`."""
    out = {}
    for name in fields:
        old, new = before.get(name), getattr(record, name)
        if _plain(old) != _plain(new):
            out[name] = [old, new]
    return out


def snapshot(record, fields) -> dict:
    return {name: getattr(record, name) for name in fields}


def event_hash(event: TrailEvent) -> str:
    body = canonical_json(
        {
            "seq": event.seq,
            "at": event.at.isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "record_type": event.record_type,
            "record_id": event.record_id,
            "changes": event.changes,
            "reason": event.reason,
            "prev_hash": event.prev_hash,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    *,
    session: Session,
    actor,
    action: str,
    record_type: str,
    record_id: int,
    changes: dict | None = None,
    reason: str = "",
) -> TrailEvent:
    """Append one event to the chain, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders until commit so that no two read the same last link.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _TRAIL_LOCK_KEY})
    last = session.exec(
        select(TrailEvent.seq, TrailEvent.hash).order_by(col(TrailEvent.seq).desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = TrailEvent(
        seq=seq,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "full_name", "") or "system",
        action=action,
        record_type=record_type,
        record_id=record_id,
        changes=canonical_json(changes or {}),
        reason=reason or "",
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass
class VerifyResult:
    count: int
    bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def verify(*, session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first event that was edited, removed or inserted."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.exec(
            select(TrailEvent)
            .where(TrailEvent.seq > last_seq)
            .order_by(col(TrailEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return VerifyResult(count=count)
        for event in rows:
            if event.seq != expected_seq:
                return VerifyResult(
                    count, expected_seq, f"event {expected_seq} is missing (next is {event.seq})"
                )
            if event.prev_hash != expected_prev:
                return VerifyResult(count, event.seq, "its link to the previous event is broken")
            if event_hash(event) != event.hash:
                return VerifyResult(count, event.seq, "its content does not match its hash")
            expected_prev, expected_seq = event.hash, event.seq + 1
            count += 1
            last_seq = event.seq
        session.expunge_all()


def events_for(*, session: Session, record_type: str, record_id: int) -> list[TrailEvent]:
    return list(
        session.exec(
            select(TrailEvent)
            .where(TrailEvent.record_type == record_type, TrailEvent.record_id == record_id)
            .order_by(col(TrailEvent.seq))
        ).all()
    )


def sign(
    *,
    session: Session,
    signer,
    password: str | None,
    meaning: str,
    record_type: str,
    record_id: int,
    content_hash: str,
    comment: str = "",
) -> Signature:
    """An electronic signature: the password asked again, the meaning bound to the content."""
    from qms.auth.passwords import verify_password  # auth depends on trail, not the reverse

    if not password:
        raise Invalid("Enter your password to sign.", field="password")
    if not verify_password(password, signer.password_hash):
        raise Invalid("The password is not correct; the record was not signed.", field="password")
    signature = Signature(
        signer_id=signer.id,
        signer_name=signer.full_name,
        signer_title=signer.position_title,
        meaning=meaning,
        record_type=record_type,
        record_id=record_id,
        content_hash=content_hash,
        comment=comment or "",
    )
    session.add(signature)
    session.flush()
    record(
        session=session,
        actor=signer,
        action=f"signed:{meaning}",
        record_type=record_type,
        record_id=record_id,
        changes={"content_hash": [None, content_hash], "signature_id": [None, signature.id]},
        reason=comment,
    )
    return signature


def signatures_for(*, session: Session, record_type: str, record_id: int) -> list[Signature]:
    return list(
        session.exec(
            select(Signature)
            .where(Signature.record_type == record_type, Signature.record_id == record_id)
            .order_by(col(Signature.at))
        ).all()
    )


def void_signatures(*, session: Session, actor, record_type: str, record_id: int, reason: str):
    """Mark the record's live signatures void (its content changed after signing)."""
    now = utcnow()
    for signature in signatures_for(session=session, record_type=record_type, record_id=record_id):
        if signature.voided_at is None:
            signature.voided_at = now
            session.add(signature)
            record(
                session=session,
                actor=actor,
                action="signature_voided",
                record_type=record_type,
                record_id=record_id,
                changes={"signature_id": [signature.id, None]},
                reason=reason,
            )


def signature_state(signature: Signature | None, content_hash: str | None) -> str | None:
    """How a signature stands against the record as it is now: None (not signed), "void"
    (voided after a change), "altered" (the record no longer hashes to what was signed,
    so the signature does not cover what is shown) or "valid"."""
    if signature is None:
        return None
    if signature.voided_at is not None:
        return "void"
    if content_hash != signature.content_hash:
        return "altered"
    return "valid"


def voided_for(*, session: Session, record_type: str, record_id: int) -> list[Signature]:
    """The record's signatures that were voided, oldest first."""
    return [
        s
        for s in signatures_for(session=session, record_type=record_type, record_id=record_id)
        if s.voided_at is not None
    ]
