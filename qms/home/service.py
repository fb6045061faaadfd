"""The registry through which each domain lists a person's work, and what the home shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session

from qms.auth.models import User

# Items of each kind of work shown on the home; the rest are counted and linked to.
LIMIT = 5


@dataclass
class WorkItem:
    kind: str  # a msgid naming what is to be done, e.g. "Approve the revision"
    title: str
    url: str
    due_on: date | None = None
    code: str = ""
    today: date | None = field(default=None, repr=False)

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.today is not None and self.due_on < self.today


@dataclass
class WorkList:
    """One kind of work: its most urgent items, how many there are in all (and how many
    overdue), and the register filtered to all of them."""

    kind: str  # msgid naming the kind, e.g. "Revisions to approve"
    items: list[WorkItem]
    total: int
    url: str
    # Counted by the database when not every item is shown; else counted from the items.
    overdue: int | None = None

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass
class Work:
    """What the home shows: the most urgent items of every kind, with the counts of all."""

    lists: list[WorkList]

    @property
    def items(self) -> list[WorkItem]:
        items = [item for work in self.lists for item in work.items]
        # Most urgent first: overdue and dated work by date, undated work after.
        return sorted(items, key=lambda i: (i.due_on is None, i.due_on or date.max, i.title))

    @property
    def total(self) -> int:
        return sum(work.total for work in self.lists)

    @property
    def overdue(self) -> int:
        return sum(work.overdue or 0 for work in self.lists)

    @property
    def more(self) -> list[WorkList]:
        return [work for work in self.lists if work.more]


@dataclass
class Slice:
    """The first rows of a query in the order asked, and the counts of all its rows."""

    rows: list
    total: int
    overdue: int | None = None  # None: every row is in `rows`, count them there


def first_rows(session: Session, query, *, order_by, limit: int, overdue=None) -> Slice:
    """The `limit` first rows of `query` and, from the database, how many rows it has in
    all and how many of them meet the `overdue` condition: the home's work lists stay the
    same size however large the organisation grows."""
    rows = list(session.exec(query.order_by(*order_by).limit(limit)).all()) if limit > 0 else []
    if len(rows) < limit:
        return Slice(rows, len(rows))  # every row is shown: nothing more to count
    figures = [func.count()]
    if overdue is not None:
        figures.append(func.coalesce(func.sum(case((overdue, 1), else_=0)), 0))
    counting = query.with_only_columns(*figures, maintain_column_froms=True).order_by(None)
    counted = session.connection().execute(counting).one()
    return Slice(rows, int(counted[0]), int(counted[1]) if overdue is not None else None)


@dataclass
class Panel:
    """A block of figures about the state of the system (for the quality officer)."""

    title: str  # msgid
    rows: list[tuple[str, int | str]]  # (label msgid or plain text, figure)
    url: str | None = None


# A provider is called with (session, user, today, limit) and returns its kinds of work,
# each holding at most `limit` items.
WorkProvider = Callable[[Session, User, date, int], list[WorkList]]
PanelProvider = Callable[[Session, User, date], list[Panel]]
WORK: list[WorkProvider] = []
PANELS: list[PanelProvider] = []


def work_provider(fn: WorkProvider) -> WorkProvider:
    WORK.append(fn)
    return fn


def panel_provider(fn: PanelProvider) -> PanelProvider:
    PANELS.append(fn)
    return fn


def work_for(*, session: Session, user: User, today: date, limit: int = LIMIT) -> Work:
    lists = [
        work
        for provider in WORK
        for work in provider(session, user, today, limit)
        if work.total or work.items
    ]
    for work in lists:
        for item in work.items:
            item.today = today
        if work.overdue is None:
            work.overdue = sum(item.overdue for item in work.items)
    return Work(lists)


def panels_for(*, session: Session, user: User, today: date) -> list[Panel]:
    return [panel for provider in PANELS for panel in provider(session, user, today)]
