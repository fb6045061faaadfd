"""The shape in which a domain offers its records as certification evidence (the documented
information ISO 9001:2015 asks an organisation to maintain or retain).

Each domain that holds such records offers, in its own service module,

    def evidence(*, session, start: date, end: date, today: date) -> Evidence

computed from its own tables only. `qms.evidence` calls these, maps each `source` to the
clauses of its requirement table (qms.evidence.requirements) and shows or exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Item:
    """One record that stands as evidence: a document in force, a reported audit, a review."""

    # What it is evidence of, a key the requirement table names ("audits.reported").
    source: str
    code: str
    title: str
    href: str  # its page on this site
    on: date | None = None  # the day it was made, held, reported or issued
    # Its kept, signed PDF, if any: a key of qms.reports.service.KINDS and the record's id.
    kept_kind: str | None = None
    kept_id: int | None = None
    # Documents only: their kind and ISO clauses (the requirement table matches on them).
    document_kind: str = ""
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the standard asks for that the records of the period do not show."""

    source: str
    # English msgid, translated when shown; %(name)s placeholders filled from `params`.
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    href: str | None = None


@dataclass
class Evidence:
    items: list[Item] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # The register filtered to the records of a source, e.g. {"audits.reported": "/audits?…"}.
    registers: dict[str, str] = field(default_factory=dict)

    def extend(self, other: Evidence) -> None:
        self.items.extend(other.items)
        self.gaps.extend(other.gaps)
        self.registers.update(other.registers)


def years_of(start: date, end: date) -> list[int]:
    """The calendar years a period stands for: its last, and each other it covers for at
    least a quarter (a 12-month period from 4 December stands for the year it ends in)."""
    years = []
    for year in range(start.year, end.year + 1):
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        if year == end.year or (last - first).days + 1 >= 91:
            years.append(year)
    return years
