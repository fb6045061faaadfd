"""Actions on a record, each declared once beside its domain's ALLOWED table.

An `Action` says from which states it starts and where each leads, the permission rule it
needs, and the guards that may refuse it. The same declaration answers the pages ("may this
person do it now": `refusal(...) is None`) and the service (`apply(...)`: check it all,
stamp who and when, bump the version, write the trail event), so that no rule is written
twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from qms.auth.permissions import RULES, can
from qms.db import utcnow
from qms.errors import Conflict, Forbidden, QMSError, check_version
from qms.errors import Label as _Label
from qms.trail import service as trail

# A guard answers the refusal (a QMSError, usually a Conflict) or None; it is given the
# session, the person, the record and the action's subject (the record unless said).
Guard = Callable[[Any, Any, Any, Any], QMSError | None]


@dataclass(frozen=True)
class Machine:
    """A domain's records: their type in the trail, states, labels, allowed moves, and the
    fields the trail compares before and after each action."""

    record_type: str
    status: type[StrEnum]
    labels: Mapping[Any, str]
    allowed: Mapping[Any, set]
    fields: tuple[str, ...]

    def label(self, status) -> _Label:
        status = self.status(status)
        return _Label(status, self.labels[status])


@dataclass(frozen=True)
class Action:
    machine: Machine
    # The trail event it writes.
    name: str
    # From each state it starts in, the state it leads to (the same one: it stays).
    moves: Mapping[Any, Any]
    # The permission rule (qms.auth.permissions), asked of the subject; None: the caller's.
    permission: str | None
    # Said when the record is in a state it does not start from (%(code)s, %(status)s).
    refused: str
    refused_from: Mapping[Any, str] = field(default_factory=dict)
    # The field a refusal of the state names (None: the record as a whole).
    field: str | None = "status"
    guards: tuple[Guard, ...] = ()
    # The instant and the person it stamps on the record.
    stamp_at: str | None = None
    stamp_by: str | None = None
    # Fields the trail compares besides the machine's.
    track: tuple[str, ...] = ()
    # A refusal of the state: its error type and parameters besides %(code)s and %(status)s.
    refuse_as: type[QMSError] = Conflict
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        # The ALLOWED table stays the one truth about moves: an action declares none else.
        for source, target in self.moves.items():
            if target != source and target not in self.machine.allowed[source]:
                raise RuntimeError(f"{self.name}: {source} → {target} is not in ALLOWED")

    @property
    def sources(self) -> frozenset:
        return frozenset(self.moves)

    def _forbidden(self, user, subject) -> QMSError | None:
        if self.permission is not None and not can(user, self.permission, subject):
            return Forbidden(RULES[self.permission].message)
        return None

    def _conflict(self, session, user, record, subject) -> QMSError | None:
        current = self.machine.status(record.status)
        if current not in self.moves:
            return self.refuse_as(
                self.refused_from.get(current, self.refused),
                field=self.field,
                code=record.code,
                status=self.machine.label(current),
                **self.params,
            )
        for guard in self.guards:
            refused = guard(session, user, record, subject)
            if refused is not None:
                return refused
        return None

    def refusal(self, user, record, *, session=None, subject=None) -> QMSError | None:
        """Why this person may not do it to the record now, or None when they may."""
        subject = record if subject is None else subject
        return self._forbidden(user, subject) or self._conflict(session, user, record, subject)

    def require(self, *, session, user, record, subject=None, version=None) -> None:
        """Raise the refusal: the permission first, then the version sent, then the rules."""
        subject = record if subject is None else subject
        forbidden = self._forbidden(user, subject)
        if forbidden is not None:
            raise forbidden
        if version is not None:
            check_version(subject, version)
        refused = self._conflict(session, user, record, subject)
        if refused is not None:
            raise refused

    def apply(
        self,
        *,
        session,
        record,
        by,
        changes: Mapping[str, Any] | None = None,
        reason: str = "",
        version: int | None = None,
        subject=None,
        also: Mapping[str, Any] | None = None,
    ):
        """Check, set `changes`, move, stamp, bump the version and write the trail event
        (its changes: the tracked fields that differ, and `also`); answer the former state."""
        self.require(session=session, user=by, record=record, subject=subject, version=version)
        current = self.machine.status(record.status)
        fields = (*self.machine.fields, *self.track)
        before = trail.snapshot(record, fields)
        for name, value in (changes or {}).items():
            setattr(record, name, value)
        now = utcnow()
        if self.stamp_at:
            setattr(record, self.stamp_at, now)
        if self.stamp_by:
            setattr(record, self.stamp_by, getattr(by, "id", None))
        record.status = self.moves[current].value
        record.version += 1
        record.updated_at = now
        session.add(record)
        session.flush()
        trail.record(
            session=session,
            actor=by,
            action=self.name,
            record_type=self.machine.record_type,
            record_id=record.id,
            changes={**trail.changes_of(record, before, fields), **(also or {})},
            reason=reason,
        )
        return current


def allowed_now(actions: Mapping[str, Action], user, record, *, session=None) -> dict[str, bool]:
    """{name: may this person do it now} for a page to show exactly the forms it may use."""
    return {
        name: action.refusal(user, record, session=session) is None
        for name, action in actions.items()
    }
