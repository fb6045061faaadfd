"""The evidence pack as the tests read it: the API's clauses for a period, and exports made
through the same service the page and the CLI use."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from qms.auth.models import User
from qms.db import unit_of_work
from qms.evidence import service


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def this_year(world) -> tuple[date, date]:
    year = today(world).year
    return date(year, 1, 1), date(year, 12, 31)


def clauses(world, person=None, *, start=None, end=None) -> dict[str, dict]:
    """{clause: the API's entry} for the period (this calendar year by default)."""
    first, last = this_year(world)
    response = world.api(person or world.quality_officer).get(
        "/api/v1/evidence",
        params={
            "period_start": (start or first).isoformat(),
            "period_end": (end or last).isoformat(),
        },
    )
    assert response.status_code == 200, response.text
    return {c["clause"]: c for c in response.json()["clauses"]}


def codes(entry: dict) -> set[str]:
    return {item["code"] for item in entry["items"]}


def gap_texts(entry: dict) -> list[str]:
    return [gap["message"] for gap in entry["gaps"]]


def exported(world, *, start=None, end=None, downloaded=False) -> int:
    """A finished export of the period, made as the quality officer."""
    first, last = this_year(world)
    settings = world.app.state.settings
    with unit_of_work(world.engine, write=False) as session:
        officer = session.get(User, world.quality_officer.id)
    export = service.export_now(
        engine=world.engine,
        settings=settings,
        by=officer,
        start=start or first,
        end=end or last,
        lang="en",
        today=today(world),
    )
    assert export.status == "done", export.error
    if downloaded:
        with unit_of_work(world.engine) as session:
            service.mark_downloaded(
                session=session, by=session.get(User, officer.id), export_id=export.id
            )
    return export.id


def shared_export(world) -> int:
    """One finished, downloaded export per world, for the matrix's read-only calls."""
    if not hasattr(world, "_evidence_export"):
        world._evidence_export = exported(world, downloaded=True)
    return world._evidence_export


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
