"""Role matrix of the certification evidence routes: quality officers and administrators see
and export; auditors see the page and its API (not the exports); others are refused."""

from __future__ import annotations

from tests.evidence.builders import exported, shared_export, this_year
from tests.matrix import Case

READ = frozenset({"admin", "quality_officer", "auditor"})
EXPORT = frozenset({"admin", "quality_officer"})


def _period(world, role):
    start, end = this_year(world)
    return {
        "json": {"period_start": start.isoformat(), "period_end": end.isoformat()},
        "data": {"from": start.isoformat(), "to": end.isoformat()},
    }


def _done(world, role):
    return {"params": {"export_id": shared_export(world)}}


def _downloaded(world, role):
    # Each role removes an export of its own: the one before it is gone once removed.
    return {"params": {"export_id": exported(world, downloaded=True)}}


CASES = [
    # API
    Case("GET", "/api/v1/evidence", READ),
    Case("POST", "/api/v1/evidence/exports", EXPORT, _period),
    Case("GET", "/api/v1/evidence/exports", EXPORT),
    Case("GET", "/api/v1/evidence/exports/{export_id}", EXPORT, _done),
    Case("GET", "/api/v1/evidence/exports/{export_id}.zip", EXPORT, _done),
    Case("POST", "/api/v1/evidence/exports/{export_id}/remove", EXPORT, _downloaded),
    # Pages
    Case("GET", "/evidence", READ),
    Case("POST", "/evidence/exports", EXPORT, _period),
    Case("GET", "/evidence/exports/{export_id}", EXPORT, _done),
    Case("GET", "/evidence/exports/{export_id}/download", EXPORT, _done),
    Case("POST", "/evidence/exports/{export_id}/remove", EXPORT, _downloaded),
]
