"""The evidence page and the export's pages, as people use them without JavaScript."""

from __future__ import annotations

import hashlib
import re

from qms.auth.models import User
from qms.db import unit_of_work
from qms.evidence import service
from tests.evidence.builders import members, this_year
from tests.reviews import builders as reviews


def _period(world) -> dict:
    start, end = this_year(world)
    return {"from": start.isoformat(), "to": end.isoformat()}


def test_the_quality_officer_sees_each_clause_its_records_and_gaps(world):
    built = reviews.build(world, "closed")
    browser = world.browser(world.quality_officer)
    page = browser.get("/evidence", params=_period(world))
    assert page.status_code == 200
    assert 'id="clause-4.3"' in page.text and 'id="clause-10.2"' in page.text
    assert f'href="/management-reviews/{built.id}"' in page.text
    assert "No document of this kind is in force." in page.text
    assert 'action="/evidence/exports"' in page.text


def test_the_page_defaults_to_the_last_twelve_months(world):
    from datetime import datetime

    today = datetime.now(world.app.state.settings.tz).date()
    start, end = service.default_period(today)
    page = world.browser(world.quality_officer).get("/evidence").text
    assert f'value="{start.isoformat()}"' in page and f'value="{end.isoformat()}"' in page


def test_an_auditor_reads_the_page_but_has_no_export(world):
    page = world.browser(world.auditor).get("/evidence")
    assert page.status_code == 200 and 'id="clause-9.2"' in page.text
    assert 'action="/evidence/exports"' not in page.text


def test_the_page_speaks_vietnamese(world):
    browser = world.browser(world.quality_officer)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get("/evidence").text
    assert "Bằng chứng chứng nhận" in page and "Chưa có tài liệu loại này đang hiệu lực." in page
    assert "Xuất bộ bằng chứng (ZIP)" in page


def test_a_period_ending_before_it_starts_is_shown_beside_the_from_field(world):
    start, end = this_year(world)
    page = world.browser(world.quality_officer).get(
        "/evidence", params={"from": end.isoformat(), "to": start.isoformat()}
    )
    assert page.status_code == 422
    assert 'id="from-error"' in page.text and "must start on or before" in page.text


def test_a_day_that_does_not_exist_is_refused_naming_its_field(world):
    page = world.browser(world.quality_officer).get(
        "/evidence", params={"from": "2026-01-01", "to": "2026-02-30"}
    )
    assert page.status_code == 422 and 'id="to-error"' in page.text
    browser = world.browser(world.quality_officer)
    refused = browser.submit("/evidence/exports", {"from": "2026-13-01", "to": "2026-12-01"})
    assert refused.status_code == 422 and 'id="from-error"' in refused.text


def test_starting_an_export_leads_to_its_page_then_to_the_zip(world):
    reviews.build(world, "closed")
    browser = world.browser(world.quality_officer)
    started = browser.submit("/evidence/exports", _period(world), page="/evidence")
    assert started.status_code == 303
    location = started.headers["location"]
    assert re.fullmatch(r"/evidence/exports/\d+", location)
    page = browser.get(location)
    assert "ready to download" in page.text and 'http-equiv="refresh"' not in page.text
    assert f'href="{location}/download"' in page.text
    download = browser.get(f"{location}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    files = members(download.content)
    assert {"index.pdf", "manifest.csv"} <= set(files)
    assert hashlib.sha256(download.content).hexdigest() in browser.get(location).text
    removed = browser.submit(
        f"{location}/remove", {"version": _version(world, location)}, page=location
    )
    assert removed.status_code == 303 and removed.headers["location"] == "/evidence"
    assert "removed" in browser.get(location).text


def _version(world, location: str) -> str:
    from qms.evidence.models import EvidenceExport

    with unit_of_work(world.engine, write=False) as session:
        return str(session.get(EvidenceExport, int(location.rsplit("/", 1)[1])).version)


def test_a_waiting_export_page_refreshes_itself_and_offers_a_refresh_link(world):
    start, end = this_year(world)
    with unit_of_work(world.engine) as session:
        export = service.request_export(
            session=session,
            by=session.get(User, world.quality_officer.id),
            settings=world.app.state.settings,
            start=start,
            end=end,
            lang="en",
        )
        export_id = export.id
    page = world.browser(world.quality_officer).get(f"/evidence/exports/{export_id}").text
    assert '<meta http-equiv="refresh" content="3">' in page
    assert f'href="/evidence/exports/{export_id}">Refresh</a>' in page
    assert "waiting to start" in page and "/download" not in page


def test_removing_a_pack_not_yet_downloaded_is_refused_on_the_page(world):
    browser = world.browser(world.quality_officer)
    location = browser.submit("/evidence/exports", _period(world), page="/evidence").headers[
        "location"
    ]
    refused = browser.submit(
        f"{location}/remove", {"version": _version(world, location)}, page=location
    )
    assert refused.status_code == 409 and "not been downloaded yet" in refused.text
