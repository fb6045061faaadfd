"""The shape in which a domain offers its records as certification evidence (the documented
information ISO 9001:2015 asks an organisation to maintain or retain).

Each domain that holds such records offers, in its own service module,

    def evidence(*, session, start: date, end: date, today: date) -> Iterator[Evidence]

computed from its own tables only: a generator of Register, Item, Gap (and, for the scope
document, Exclusion) values. `qms.evidence` calls these, maps each `source` to the clauses of
its requirement table (qms.evidence.requirements) and shows or exports them. A pack may cite
tens of thousands of records: a domain reads them a page at a time (`pages`), never as one
list, and yields the items of one record one after the other (the export puts a record's kept
file in once, citing every clause its items stand for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import tuple_

# Rows read per query by `pages`.
PAGE = 1000


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


@dataclass(frozen=True, slots=True)
class Register:
    """The register filtered to the records of a source ("audits.reported", "/audits?…")."""

    source: str
    href: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A requirement of the standard the scope document in force (4.3) declares not
    applicable, with its justification as the document words it."""

    clause: str
    justification: str
    title: str = ""  # what the excluded requirement is, as the scope document names it
    code: str = ""  # the scope document's code and its page
    href: str = ""


Evidence = Register | Item | Gap | Exclusion


def pages(
    session, query, *, keys: tuple, key: Callable[[Any], tuple], size: int | None = None
) -> Iterator[list[Any]]:
    """The rows of `query` in the order of `keys` (columns unique together), `size` at a time,
    each page read after the last row of the one before (keyset paging: a page costs the same
    at any depth, and the session stays free for other queries between two pages). `key`
    gives a row's values of `keys`."""
    size = size or PAGE
    last = None
    while True:
        page = query.order_by(*keys).limit(size)
        if last is not None:
            page = page.where(tuple_(*keys) > tuple_(*last))
        rows = session.exec(page).all()
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = key(rows[-1])


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
