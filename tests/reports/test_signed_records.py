"""Kept PDF records are signed (PAdES) with the organisation's certificate, once, and served
as kept: pyHanko validates them intact and refuses them with one byte changed."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlmodel import select

from qms.db import unit_of_work
from qms.reports.models import KeptRecord
from tests.audits import support as audits
from tests.conftest import SIGNING_PASSWORD
from tests.documents import factories as documents
from tests.nonconformities.builders import build as build_nc
from tests.reports.signed import flip_byte, organisation_certificate, sha256, subfilter, validate


def _kept(world, kind: str) -> list[KeptRecord]:
    with unit_of_work(world.engine, write=False) as session:
        return list(
            session.exec(
                select(KeptRecord).where(KeptRecord.record_kind == kind).order_by(KeptRecord.id)
            ).all()
        )


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _assert_signed_by_the_organisation(world, data: bytes):
    certificate = organisation_certificate(world.app.state.settings.signing_p12, SIGNING_PASSWORD)
    status = validate(data, certificate)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.dump() == certificate.dump()
    assert (
        status.signing_cert.subject.native["common_name"] == world.app.state.settings.organisation
    )
    assert "non_repudiation" in status.signing_cert.key_usage_value.native
    assert subfilter(data) == "/ETSI.CAdES.detached"  # PAdES
    broken = validate(flip_byte(data), certificate)
    assert not (broken.intact and broken.valid)
    assert not broken.bottom_line


def test_the_audit_report_is_signed_once_and_served_as_kept(world):
    built = audits.build(world, "reported")
    first = world.api(world.manager).get(f"/api/v1/audits/{built.id}.pdf")
    second = world.api(world.auditor).get(f"/api/v1/audits/{built.id}.pdf")
    assert first.status_code == 200 and first.content == second.content
    _assert_signed_by_the_organisation(world, first.content)
    [kept] = _kept(world, "audit_report")
    assert kept.record_id == built.id and kept.sha256 == sha256(first.content)
    assert audits.load(world, built).report_sha256 == kept.sha256
    text = _text(first.content)
    assert "Digitally signed by" in text and world.app.state.settings.organisation in text


def test_the_closed_nonconformity_form_is_signed_and_kept_at_closing(world):
    built = build_nc(world, "verifying")
    assert _kept(world, "nonconformity_form") == []
    open_copy = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}.pdf")
    assert b"/ByteRange" not in open_copy.content  # an open form is a print, not a record
    built = build_nc(world, "closed")
    [kept] = _kept(world, "nonconformity_form")
    response = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}.pdf")
    assert response.status_code == 200 and sha256(response.content) == kept.sha256
    _assert_signed_by_the_organisation(world, response.content)


def test_the_controlled_copy_is_kept_and_a_superseded_one_is_kept_again_watermarked(world):
    document_id, first_id = documents.effective_document(world)
    [kept] = _kept(world, "controlled_copy")
    copy = world.api(world.staff).get(f"/api/v1/revisions/{first_id}.pdf")
    assert copy.status_code == 200 and sha256(copy.content) == kept.sha256
    _assert_signed_by_the_organisation(world, copy.content)
    assert "NO LONGER IN FORCE" not in _text(copy.content)

    second_id = documents.advance(
        world, documents.new_revision(world, document_id, content="# Sửa đổi\n"), "effective"
    )
    rows = _kept(world, "controlled_copy")
    assert [r.record_id for r in rows] == [first_id, second_id, first_id]
    assert rows[0].replaced_by_id == rows[2].id and rows[2].replaced_by_id is None
    superseded = world.api(world.staff).get(f"/api/v1/revisions/{first_id}.pdf")
    assert sha256(superseded.content) == rows[2].sha256
    assert "NO LONGER IN FORCE" in _text(superseded.content)
    _assert_signed_by_the_organisation(world, superseded.content)


def test_a_draft_copy_is_rendered_unsigned_and_nothing_is_kept(world):
    revision_id = documents.revision_in(world, "draft")
    response = world.api(world.quality_officer).get(f"/api/v1/revisions/{revision_id}.pdf")
    assert response.status_code == 200 and b"/ByteRange" not in response.content
    assert _kept(world, "controlled_copy") == []


def test_a_kept_file_changed_on_disk_is_withheld(world):
    built = build_nc(world, "closed")
    [kept] = _kept(world, "nonconformity_form")
    path = world.app.state.settings.files_dir / kept.sha256
    path.write_bytes(flip_byte(path.read_bytes()))
    response = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}.pdf")
    assert response.status_code == 503 and "SHA-256" in response.text


def test_a_withdrawn_documents_copy_is_kept_again_with_its_watermark(world):
    revision_id = documents.revision_in(world, "obsolete")
    rows = _kept(world, "controlled_copy")
    assert [r.record_id for r in rows] == [revision_id, revision_id]
    response = world.api(world.quality_officer).get(f"/api/v1/revisions/{revision_id}.pdf")
    assert sha256(response.content) == rows[1].sha256 and rows[0].replaced_by_id == rows[1].id
    assert "NO LONGER IN FORCE" in _text(response.content)
    _assert_signed_by_the_organisation(world, response.content)


def test_the_signing_password_is_never_shown(world, caplog):
    settings = world.app.state.settings
    assert SIGNING_PASSWORD not in repr(settings) and SIGNING_PASSWORD not in str(settings)
    build_nc(world, "closed")
    assert SIGNING_PASSWORD not in caplog.text


def test_a_signing_key_gone_since_start_up_is_a_503_and_nothing_is_kept(world, tmp_path):
    import shutil

    from tests.nonconformities.builders import load

    built = build_nc(world, "ready")
    settings = world.app.state.settings
    gone = tmp_path / "gone.p12"
    shutil.copy(settings.signing_p12, gone)
    settings.signing_p12 = gone
    gone.unlink()
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": world.manager.password}
    )
    assert response.status_code == 503 and "QMS_SIGNING_P12" in response.text
    assert load(world, built.id).status == "verifying"
    assert _kept(world, "nonconformity_form") == []
