"""The shape in which a domain reports its figures for the management review (9.3.2).

Each domain that feeds a review input section offers, in its own service module,

    def review_inputs(*, session, start: date, end: date) -> list[Figure]

computed from its own tables only. `qms.reviews` calls these, renders them, and freezes them
as JSON when a review is held: a Figure therefore holds plain values only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One figure of a review input: a count, a rate or a short text, and where it comes from."""

    # Stable machine key, unique within a review ("nonconformities.open", "objectives.missed"):
    # a held review compares its frozen figures with today's by this key.
    key: str
    # 9.3.2 item the figure belongs to: "a", "b", "c1" … "c7", "d", "e", "f".
    section: str
    # English msgid, translated when shown; %(name)s placeholders are filled from `params`.
    label: str
    value: int | float | str | None
    # The register filtered to the records behind the figure (a site path, e.g.
    # "/nonconformities?source=customer_complaint&raised_from=2026-01-01").
    href: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # "%" for a rate, "" for a count or a text.
    unit: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        return cls(**data)
