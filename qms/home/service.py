"""The registry through which each domain lists a person's work, and what the home shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from qms.auth.models import User


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
class Panel:
    """A block of figures about the state of the system (for the quality officer)."""

    title: str  # msgid
    rows: list[tuple[str, int | str]]  # (label msgid or plain text, figure)
    url: str | None = None


WorkProvider = Callable[[Session, User, date], list[WorkItem]]
PanelProvider = Callable[[Session, User, date], list[Panel]]
WORK: list[WorkProvider] = []
PANELS: list[PanelProvider] = []


def work_provider(fn: WorkProvider) -> WorkProvider:
    WORK.append(fn)
    return fn


def panel_provider(fn: PanelProvider) -> PanelProvider:
    PANELS.append(fn)
    return fn


def work_for(*, session: Session, user: User, today: date) -> list[WorkItem]:
    items = [item for provider in WORK for item in provider(session, user, today)]
    for item in items:
        item.today = today
    # Most urgent first: overdue and dated work by date, undated work after.
    return sorted(items, key=lambda i: (i.due_on is None, i.due_on or date.max, i.title))


def panels_for(*, session: Session, user: User, today: date) -> list[Panel]:
    return [panel for provider in PANELS for panel in provider(session, user, today)]
