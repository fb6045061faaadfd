"""The export of the pack: queued, made in the background (run by the request's background
task: the test client returns once it is done), the ZIP's manifest checked against the kept
files, the index PDF read back, and the refusals."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlmodel import select

from qms.auth.models import User
from qms.db import unit_of_work, utcnow
from qms.evidence import service
from qms.evidence.models import EvidenceExport
from qms.i18n import Formatter
from qms.reports import service as reports
from qms.reports.models import KeptRecord
from qms.trail.models import TrailEvent
from tests.audits import support as audits
from tests.documents import factories as documents
from tests.evidence.builders import exported, members, this_year
from tests.nonconformities.builders import build as build_nc
from tests.reviews import builders as reviews


def _body(world, **changes):
    start, end = this_year(world)
    return {"period_start": start.isoformat(), "period_end": end.isoformat(), **changes}


def _records(world):
    """One record of each kind that is kept as a signed PDF."""
    _doc, revision_id = documents.effective_document(
        world, code="PV-01", kind="scope", clauses=["4.3"]
    )
    audit = audits.build(world, "reported")
    nc = build_nc(world, "closed")
    review = reviews.build(world, "closed")
    return {
        ("controlled_copy", revision_id),
        ("audit_report", audit.id),
        ("nonconformity_form", nc.id),
        ("management_review_minutes", review.id),
    }


def _manifest(files: dict[str, bytes]) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files["manifest.csv"].decode("utf-8"))))


def test_the_zip_holds_every_kept_record_of_the_period_as_kept_with_its_sha256(world):
    made = _records(world)
    api = world.api(world.quality_officer)
    started = api.post("/api/v1/evidence/exports", json=_body(world))
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    export = api.get(f"/api/v1/evidence/exports/{started.json()['id']}").json()
    assert export["status"] == "done", export
    assert export["files_total"] == export["files_done"] == 4 and export["files_withheld"] == 0
    download = api.get(export["download_url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert hashlib.sha256(download.content).hexdigest() == export["sha256"]
    assert download.headers["x-content-sha256"] == export["sha256"]
    files = members(download.content)
    rows = _manifest(files)
    assert len(rows) == 4 and {r["status"] for r in rows} == {"included"}
    settings = world.app.state.settings
    with unit_of_work(world.engine, write=False) as session:
        expected = {
            (kind, record_id): reports.current(
                session=session, record_kind=kind, record_id=record_id
            )
            for kind, record_id in made
        }
    by_hash = {kept.sha256: kept for kept in expected.values()}
    for row in rows:
        data = files[row["file"]]
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        kept = by_hash[row["sha256"]]
        assert (settings.files_dir / kept.sha256).read_bytes() == data
        assert row["record_kind"] == kept.record_kind and row["record_code"] == kept.record_code
        assert data.startswith(b"%PDF-")
    assert set(by_hash) == {r["sha256"] for r in rows}
    assert (
        next(r for r in rows if r["record_kind"] == "management_review_minutes")["clauses"] == "9.3"
    )


def test_the_index_pdf_names_the_organisation_the_period_the_clauses_gaps_and_hashes(world):
    _records(world)
    export_id = exported(world)
    with unit_of_work(world.engine, write=False) as session:
        export = session.get(EvidenceExport, export_id)
        path = service.export_path(world.app.state.settings, export)
    files = members(path.read_bytes())
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["index.pdf"])).pages)
    flat = " ".join(text.split())
    start, end = this_year(world)
    assert "Văn phòng Ủy ban nhân dân tỉnh" in flat
    assert "Certification evidence pack" in flat
    fmt = Formatter("en", world.app.state.settings.tz)
    assert f"{fmt.date(start)} – {fmt.date(end)}" in flat
    assert "7.1.5" in flat and "The results of management reviews" in flat
    assert "No document in force addresses clause 7.2" in flat
    assert "PV-01" in flat
    manifest_hash = hashlib.sha256(files["manifest.csv"]).hexdigest()
    squeezed = text.replace("\n", "").replace(" ", "")
    assert manifest_hash in squeezed
    for row in _manifest(files):
        assert row["sha256"] in squeezed


def test_a_kept_file_that_was_altered_is_left_out_and_said_so(world):
    nc = build_nc(world, "closed")
    settings = world.app.state.settings
    with unit_of_work(world.engine, write=False) as session:
        kept = reports.current(session=session, record_kind="nonconformity_form", record_id=nc.id)
    (settings.files_dir / kept.sha256).write_bytes(b"%PDF-1.7 changed")
    export_id = exported(world)
    with unit_of_work(world.engine, write=False) as session:
        export = session.get(EvidenceExport, export_id)
        assert (export.files_total, export.files_withheld) == (1, 1)
        files = members(service.export_path(settings, export).read_bytes())
    rows = _manifest(files)
    assert [(r["record_code"], r["status"], r["file"]) for r in rows] == [(nc.code, "withheld", "")]
    assert not [name for name in files if name.startswith("records/")]


def test_the_export_is_queued_started_and_done_in_the_trail(world):
    export_id = exported(world)
    with unit_of_work(world.engine, write=False) as session:
        actions = list(
            session.exec(
                select(TrailEvent.action)
                .where(
                    TrailEvent.record_type == "evidence_export", TrailEvent.record_id == export_id
                )
                .order_by(TrailEvent.seq)
            ).all()
        )
    assert actions == ["requested", "making_started", "made"]


def test_a_render_that_fails_fails_the_export_and_leaves_no_file(world, monkeypatch):
    from qms.reports import pdf
    from tests.reports import faults

    monkeypatch.setattr(pdf, "write_pdf", faults.explode)
    api = world.api(world.quality_officer)
    export = api.post("/api/v1/evidence/exports", json=_body(world)).json()
    export = api.get(f"/api/v1/evidence/exports/{export['id']}").json()
    assert export["status"] == "failed" and export["download_url"] is None
    assert "Nothing was saved" in export["error"] or "try again" in export["error"].lower()
    exports_dir = world.app.state.settings.data_dir / "exports"
    assert not list(exports_dir.glob("*")) if exports_dir.exists() else True
    assert api.get(f"/api/v1/evidence/exports/{export['id']}.zip").status_code == 409


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field(world):
    api = world.api(world.quality_officer)
    start, end = this_year(world)
    body = _body(world, period_start=end.isoformat(), period_end=start.isoformat())
    refused = api.post("/api/v1/evidence/exports", json=body)
    assert refused.status_code == 422, refused.text
    assert "period_start" in refused.text
    read = api.get("/api/v1/evidence", params=body)
    assert read.status_code == 422 and "period_start" in read.text
    too_long = _body(world, period_start=start.replace(year=start.year - 4).isoformat())
    refused = api.post("/api/v1/evidence/exports", json=too_long)
    assert refused.status_code == 422 and "period_end" in refused.text
    with unit_of_work(world.engine, write=False) as session:
        assert not session.exec(select(EvidenceExport)).all()


def test_a_pack_is_kept_until_downloaded_then_removable(world):
    api = world.api(world.quality_officer)
    export_id = exported(world)
    path = service.export_path(
        world.app.state.settings, EvidenceExport(id=export_id, period_start=None, period_end=None)
    )
    refused = api.post(f"/api/v1/evidence/exports/{export_id}/remove")
    assert refused.status_code == 409 and "not been downloaded" in refused.text
    assert path.exists()
    assert api.get(f"/api/v1/evidence/exports/{export_id}.zip").status_code == 200
    assert api.get(f"/api/v1/evidence/exports/{export_id}").json()["downloaded_at"]
    removed = api.post(f"/api/v1/evidence/exports/{export_id}/remove")
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert not path.exists()
    assert api.get(f"/api/v1/evidence/exports/{export_id}.zip").status_code == 409


def test_a_queued_export_has_nothing_to_download_yet(world):
    with unit_of_work(world.engine) as session:
        start, end = this_year(world)
        export = service.request_export(
            session=session,
            by=session.get(User, world.quality_officer.id),
            settings=world.app.state.settings,
            start=start,
            end=end,
            lang="en",
        )
        export_id = export.id
    response = world.api(world.admin).get(f"/api/v1/evidence/exports/{export_id}.zip")
    assert response.status_code == 409 and "waiting to start" in response.text


def test_an_interrupted_export_and_an_old_downloaded_pack_are_settled_by_the_next(world):
    stale_id = exported(world, downloaded=True)
    with unit_of_work(world.engine) as session:
        start, end = this_year(world)
        officer = session.get(User, world.quality_officer.id)
        settings = world.app.state.settings
        interrupted = service.request_export(
            session=session, by=officer, settings=settings, start=start, end=end, lang="en"
        )
        interrupted.updated_at = utcnow() - service.STALE_AFTER - timedelta(minutes=1)
        old = session.get(EvidenceExport, stale_id)
        old.downloaded_at = utcnow() - service.KEEP_AFTER_DOWNLOAD - timedelta(hours=1)
        ids = interrupted.id
    api = world.api(world.quality_officer)
    api.post("/api/v1/evidence/exports", json=_body(world))
    settled = api.get(f"/api/v1/evidence/exports/{ids}").json()
    assert settled["status"] == "failed" and "interrupted" in settled["error"]
    assert api.get(f"/api/v1/evidence/exports/{stale_id}").json()["status"] == "removed"
    path = service.export_path(
        settings, EvidenceExport(id=stale_id, period_start=None, period_end=None)
    )
    assert not path.exists()


def test_kept_records_outside_the_period_are_not_in_the_pack(world):
    build_nc(world, "closed")
    start, _end = this_year(world)
    before = start.replace(year=start.year - 1)
    export_id = exported(world, start=before, end=before + timedelta(days=100))
    with unit_of_work(world.engine, write=False) as session:
        export = session.get(EvidenceExport, export_id)
        assert export.files_total == 0
        assert len(session.exec(select(KeptRecord)).all()) == 1
