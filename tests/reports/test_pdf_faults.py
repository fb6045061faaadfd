"""PDF records under faults: a render that hangs is stopped at the time limit, a render that
fails is reported, and neither leaves a half record (no report, no file, no signature, no
trail event); the next render works. Every PDF record (audit report, corrective-action
form, controlled copy) goes through the one renderer in qms.reports.pdf."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from qms.audits.models import Audit
from qms.db import unit_of_work
from qms.errors import Unavailable
from qms.reports import pdf
from qms.reports.models import KeptRecord
from qms.trail.models import Signature, TrailEvent
from tests.audits import support
from tests.documents import factories as documents
from tests.factories import PASSWORD
from tests.nonconformities.builders import build as build_nonconformity
from tests.reports import faults

SUMMARY = "Quá trình tiếp nhận hồ sơ được thực hiện cơ bản phù hợp."


@pytest.fixture
def answered(world):
    built = support.build(world, "in_progress")
    support.answer(world, built)
    return built


@pytest.fixture
def stopped(monkeypatch):
    """The rendering processes the renderer stopped during the test."""
    seen = []
    stop = pdf._Child.stop

    def recording(self):
        seen.append(self)
        stop(self)

    monkeypatch.setattr(pdf._Child, "stop", recording)
    return seen


def _nothing_kept(world, audit_id: int, files_before: set[str]) -> None:
    with unit_of_work(world.engine) as session:
        audit = session.get(Audit, audit_id)
        assert audit.status == "in_progress"
        assert audit.report_sha256 is None and audit.report_signature_id is None
        assert not session.exec(
            select(Signature).where(
                Signature.record_type == "audit", Signature.record_id == audit_id
            )
        ).all()
        actions = session.exec(
            select(TrailEvent.action).where(
                TrailEvent.record_type == "audit", TrailEvent.record_id == audit_id
            )
        ).all()
        assert not any("report" in action or "sign" in action for action in actions), actions
    assert _files(world) == files_before


def _files(world) -> set[str]:
    return {p.name for p in world.app.state.settings.files_dir.rglob("*") if p.is_file()}


def _report(world, audit_id: int):
    return world.api(world.auditor).post(
        f"/api/v1/audits/{audit_id}/report", json={"password": PASSWORD, "summary": SUMMARY}
    )


def test_a_report_that_runs_past_the_time_limit_is_stopped_and_nothing_is_kept(
    world, answered, monkeypatch, stopped
):
    world.app.state.settings.pdf_timeout = 0.5
    files_before = _files(world)
    monkeypatch.setattr(pdf, "write_pdf", faults.hang)
    response = _report(world, answered.id)
    assert response.status_code == 503
    assert "0.5 seconds" in response.json()["detail"]
    _nothing_kept(world, answered.id, files_before)
    # The process that ran past the limit was killed, not left rendering.
    assert stopped and all(child.process.poll() is not None for child in stopped)

    # The next render gets a fresh process and the report is kept.
    monkeypatch.undo()
    world.app.state.settings.pdf_timeout = 120
    response = _report(world, answered.id)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "reported"


def test_a_report_whose_render_fails_says_so_and_keeps_nothing(world, answered, monkeypatch):
    files_before = _files(world)
    monkeypatch.setattr(pdf, "write_pdf", faults.explode)
    response = _report(world, answered.id)
    assert response.status_code == 503
    assert "could not be rendered" in response.json()["detail"]
    _nothing_kept(world, answered.id, files_before)


def test_the_report_page_shows_the_time_limit_message_and_keeps_nothing(
    world, answered, monkeypatch
):
    world.app.state.settings.pdf_timeout = 0.5
    world.app.state.settings.lang = "vi"
    files_before = _files(world)
    monkeypatch.setattr(pdf, "write_pdf", faults.hang)
    browser = world.browser(world.auditor)
    response = browser.submit(
        f"/audits/{answered.id}/report",
        {
            "version": str(support.load(world, answered).version),
            "password": PASSWORD,
            "summary": SUMMARY,
        },
        page=f"/audits/{answered.id}",
    )
    assert response.status_code == 503
    assert "Chưa có nội dung nào được lưu" in response.text
    assert SUMMARY in response.text  # what was typed is shown again
    _nothing_kept(world, answered.id, files_before)


def test_the_report_page_shows_the_failure_message(world, answered, monkeypatch):
    monkeypatch.setattr(pdf, "write_pdf", faults.explode)
    browser = world.browser(world.auditor)
    response = browser.submit(
        f"/audits/{answered.id}/report",
        {
            "version": str(support.load(world, answered).version),
            "password": PASSWORD,
            "summary": SUMMARY,
        },
        page=f"/audits/{answered.id}",
    )
    assert response.status_code == 503
    assert "could not be rendered" in response.text
    _nothing_kept(world, answered.id, set(_files(world)))


@pytest.mark.parametrize("fault", [faults.hang, faults.explode], ids=["hangs", "fails"])
def test_a_corrective_action_form_that_cannot_be_rendered_is_a_503(world, monkeypatch, fault):
    world.app.state.settings.pdf_timeout = 0.5
    nc = build_nonconformity(world, "open")
    monkeypatch.setattr(pdf, "write_pdf", fault)
    response = world.api(world.manager).get(f"/api/v1/nonconformities/{nc.id}.pdf")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    assert "Nothing was saved" in response.json()["detail"]


@pytest.mark.parametrize("fault", [faults.hang, faults.explode], ids=["hangs", "fails"])
def test_a_controlled_copy_that_cannot_be_rendered_is_a_503(world, monkeypatch, fault):
    document_id = documents.new_document(world, title="Tiếp nhận hồ sơ")
    revision_id = documents.new_revision(world, document_id, content="Nội dung.")
    documents.advance(world, revision_id, "approved")
    world.app.state.settings.pdf_timeout = 0.5
    monkeypatch.setattr(pdf, "write_pdf", fault)
    # Not yet kept: the copy is rendered for each download.
    response = world.api(world.quality_officer).get(f"/api/v1/revisions/{revision_id}.pdf")
    assert response.status_code == 503
    assert "Nothing was saved" in response.json()["detail"]
    page = world.browser(world.quality_officer).get(f"/revisions/{revision_id}.pdf")
    assert page.status_code == 503
    assert "Nothing was saved" in page.text
    # Publishing renders the copy to keep it: refused whole, the revision still approved.
    published = world.api(world.quality_officer).post(
        f"/api/v1/revisions/{revision_id}/publish", json={}
    )
    assert published.status_code == 503
    assert documents.get_revision(world, revision_id).status == "approved"
    with unit_of_work(world.engine, write=False) as session:
        assert session.exec(select(KeptRecord)).all() == []


def test_at_most_two_renders_run_at_once(monkeypatch):
    live, most = [], [0]
    start = pdf._Child.__init__
    stop = pdf._Child.stop

    def starting(self):
        start(self)
        live.append(self)
        most[0] = max(most[0], len(live))

    def stopping(self):
        if self in live:
            live.remove(self)
        stop(self)

    pdf.shutdown()
    monkeypatch.setattr(pdf._Child, "__init__", starting)
    monkeypatch.setattr(pdf._Child, "stop", stopping)
    monkeypatch.setattr(pdf, "write_pdf", faults.hang)
    outcomes = []

    def render():
        try:
            pdf.render_pdf("<p>Một</p>", timeout=0.5)
        except Unavailable as exc:
            outcomes.append(exc.status)

    threads = [threading.Thread(target=render) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each waited for a slot, then had its own limit: all five were stopped, never more
    # than two rendering processes at a time.
    assert outcomes == [503] * 5
    assert most[0] == pdf.MAX_CONCURRENT


def test_a_rendering_process_grown_too_big_is_not_kept(monkeypatch):
    pdf.shutdown()
    monkeypatch.setattr(pdf, "MAX_IDLE_MB", 0)
    assert pdf.render_pdf("<p>Một trang</p>", timeout=60).startswith(b"%PDF-")
    assert pdf._idle == []
    monkeypatch.setattr(pdf, "MAX_IDLE_MB", 10_000)
    pdf.render_pdf("<p>Một trang</p>", timeout=60)
    assert len(pdf._idle) == 1 and pdf._idle[0].alive()
