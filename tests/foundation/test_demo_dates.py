"""The demo's history is told at the dates its records claim (issue 19.5): signatures and
trail events of a revision by its effective date, an audit's events on its own days, its
major finding linked to it and counted by its report; the trail's chain intact."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader
from sqlmodel import select

from qms.auth.models import User
from qms.db import unit_of_work
from tests.factories import Person

pytestmark = pytest.mark.demo


@pytest.fixture
def demo(app, world):
    """The quality officer's API client, on a copy of what `qms demo` left (pytestmark)."""
    with unit_of_work(app.state.engine, write=False) as session:
        user = session.exec(select(User).where(User.email == "chatluong@ubnd.demo.vn")).one()
    return world.api(Person(user, password="demo-2026"))


def _local_day(instant: str, settings):
    return datetime.fromisoformat(instant).astimezone(settings.tz).date()


def _trail(api, record_type, record_id):
    response = api.get("/api/v1/trail", params={"record_type": record_type, "record_id": record_id})
    assert response.status_code == 200, response.text
    return response.json()


def test_revisions_were_signed_and_published_by_their_effective_date(demo, settings):
    documents = demo.get("/api/v1/documents", params={"status": "effective"}).json()
    assert documents
    today = datetime.now(settings.tz).date()
    for listed in documents:
        document = demo.get(f"/api/v1/documents/{listed['id']}").json()
        revision = document["effective_revision"]
        effective_on = datetime.fromisoformat(revision["effective_on"]).date()
        assert effective_on < today
        events = _trail(demo, "revision", revision["id"])
        signed = [e for e in events if e["action"].startswith("signed:")]
        assert {e["action"] for e in signed} == {"signed:reviewed", "signed:approved"}
        for event in events:
            day = _local_day(event["at"], settings)
            if event["action"] == "acknowledged":  # read after it took effect
                assert effective_on <= day <= today, (document["code"], event)
            else:
                assert day <= effective_on, (document["code"], event)
        assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
        ats = [e["at"] for e in events]
        assert ats == sorted(ats), document["code"]


def test_the_reported_audit_happened_on_its_planned_days_and_counts_its_major_finding(
    demo, settings
):
    audits = demo.get("/api/v1/audits").json()["items"]
    reported = next(a for a in audits if a["status"] == "reported")
    start = datetime.fromisoformat(reported["planned_start_on"]).date()
    end = datetime.fromisoformat(reported["planned_end_on"]).date()
    assert _local_day(reported["started_at"], settings) == start
    assert _local_day(reported["reported_at"], settings) == end
    for event in _trail(demo, "audit", reported["id"]):
        assert _local_day(event["at"], settings) <= end, event
    majors = demo.get(
        "/api/v1/nonconformities", params={"audit_id": reported["id"], "severity": "major"}
    ).json()
    assert len(majors) == 1 and majors[0]["raised_on"] == reported["planned_start_on"]
    pdf = demo.get(f"/api/v1/audits/{reported['id']}.pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert majors[0]["code"] in re.sub(r"\s+", " ", text)


def test_the_backdated_trail_is_still_one_intact_chain(demo, cli):
    code, output = cli("trail", "verify")
    assert code == 0 and "intact" in output
