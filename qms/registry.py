"""The domains of the application, in one list: their tables, routers and CLI commands."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

# Each domain package may hold models.py (tables), api.py and web.py (routers).
DOMAINS = (
    "qms.auth",
    "qms.trail",
    "qms.home",
    "qms.documents",
    "qms.nonconformities",
    "qms.reminders",
    "qms.audits",
    "qms.objectives",
    "qms.risks",
    "qms.reviews",
    "qms.reports",
    "qms.evidence",
)


def load_models() -> None:
    """Import every domain's tables so that SQLModel.metadata knows them all."""
    for name in DOMAINS:
        if find_spec(f"{name}.models") is not None:
            import_module(f"{name}.models")
