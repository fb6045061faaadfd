"""/verify (page and API, no sign-in) and `qms pdf verify`: an unaltered record of this
system, a changed byte, something appended, a foreign PDF, another certificate's signature,
a file that is not a PDF, an empty or oversized upload — each a clear answer, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qms.config import Settings
from qms.reports import signing
from qms.reports.pdf import render_pdf
from tests.documents import factories as documents
from tests.reports.signed import flip_byte, sha256


@pytest.fixture
def kept_copy(world):
    """A controlled copy as a reader downloads it, and its revision."""
    _document_id, revision_id = documents.effective_document(world)
    data = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf").content
    return data, revision_id


def _check(world, data: bytes, name="record.pdf"):
    with TestClient(world.app) as anonymous:
        return anonymous.post("/api/v1/verify", files={"file": (name, data, "application/pdf")})


def test_an_unaltered_record_is_valid_and_named_without_sign_in(world, kept_copy):
    data, revision_id = kept_copy
    response = _check(world, data)
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "valid"
    assert body["unaltered"] is True and body["signature_valid"] is True
    assert body["record"]["kind"] == "controlled_copy"
    assert body["record"]["url"] == f"/revisions/{revision_id}"
    assert body["record"]["code"].endswith("rev 00") and body["record"]["current"] is True
    assert body["sha256"] == sha256(data)
    assert "Văn phòng Ủy ban nhân dân tỉnh" in body["signer"]


def test_one_changed_byte_is_altered_and_its_signature_fails(world, kept_copy, cli, tmp_path):
    data, revision_id = kept_copy
    body = _check(world, flip_byte(data)).json()
    assert body["verdict"] == "altered"
    assert body["unaltered"] is False and body["signature_valid"] is False
    assert body["record"]["url"] == f"/revisions/{revision_id}"  # the record it claims to be

    appended = _check(world, data + b"\n1 0 obj\n(added)\nendobj\n").json()
    assert appended["verdict"] == "altered" and appended["signature_valid"] is False

    intact, changed = tmp_path / "intact.pdf", tmp_path / "changed.pdf"
    intact.write_bytes(data)
    changed.write_bytes(flip_byte(data))
    code, output = cli("pdf", "verify", str(intact))
    assert code == 0, output
    assert "unaltered: yes" in output and "signature valid: yes" in output
    code, output = cli("pdf", "verify", str(changed))
    assert code == 1 and "altered" in output and "unaltered: no" in output


def test_a_foreign_pdf_is_not_a_record_of_this_system(world, tmp_path, cli):
    plain = render_pdf("<p>Công văn số 12/UBND</p>", timeout=60)
    body = _check(world, plain).json()
    assert body["verdict"] == "foreign" and body["record"] is None
    assert body["unaltered"] is False and body["signature_valid"] is False

    other = Settings(data_dir=tmp_path / "elsewhere", organisation="Công ty Khác")
    signed = signing.sign_pdf(plain, settings=other, reason="Hợp đồng").data
    body = _check(world, signed).json()
    assert body["verdict"] == "foreign" and body["signature_valid"] is False
    assert "Công ty Khác" in body["signer"]

    path = tmp_path / "other.pdf"
    path.write_bytes(signed)
    code, output = cli("pdf", "verify", str(path))
    assert code == 1 and "foreign" in output


def test_a_file_that_is_not_a_pdf_is_answered(world, cli, tmp_path):
    body = _check(world, b"PK\x03\x04 not a pdf at all", name="report.pdf").json()
    assert body["verdict"] == "not_pdf" and body["record"] is None
    broken = _check(world, b"%PDF-1.7\n garbage without objects").json()
    assert broken["verdict"] == "foreign" and broken["signature_valid"] is False
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    code, output = cli("pdf", "verify", str(path))
    assert code == 1 and "not_pdf" in output
    code, output = cli("pdf", "verify", str(tmp_path / "missing.pdf"))
    assert code == 2


def test_empty_missing_and_oversized_uploads_are_refused(world):
    empty = _check(world, b"")
    assert empty.status_code == 422 and "file" in empty.text
    with TestClient(world.app) as anonymous:
        missing = anonymous.post("/api/v1/verify", data={"x": "1"})
    assert missing.status_code == 422
    world.app.state.settings.upload_max_bytes = 2048
    large = _check(world, b"%PDF-1.7\n" + b"0" * 4096)
    assert large.status_code == 413


def test_a_replaced_copy_is_unaltered_but_says_it_was_replaced(world):
    document_id, first_id = documents.effective_document(world)
    old = world.api(world.staff).get(f"/api/v1/revisions/{first_id}.pdf").content
    documents.advance(
        world, documents.new_revision(world, document_id, content="# Mới\n"), "effective"
    )
    body = _check(world, old).json()
    assert body["verdict"] == "replaced" and body["unaltered"] and body["signature_valid"]
    assert body["record"]["current"] is False


def test_the_page_checks_a_file_without_sign_in(world, kept_copy):
    data, revision_id = kept_copy
    browser = world.browser()
    form = browser.get("/verify")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    valid = browser.submit(
        "/verify", page="/verify", files={"file": ("QT.pdf", data, "application/pdf")}
    )
    assert valid.status_code == 200
    assert 'data-verdict="valid"' in valid.text and f'href="/revisions/{revision_id}"' in valid.text
    altered = browser.submit(
        "/verify", page="/verify", files={"file": ("QT.pdf", flip_byte(data), "application/pdf")}
    )
    assert 'data-verdict="altered"' in altered.text
    other = browser.submit(
        "/verify", page="/verify", files={"file": ("a.txt", b"hello", "text/plain")}
    )
    assert 'data-verdict="not_pdf"' in other.text
    nothing = browser.submit("/verify", page="/verify")
    assert nothing.status_code == 422 and 'id="file-error"' in nothing.text
    forged = browser.post("/verify", files={"file": ("QT.pdf", data, "application/pdf")})
    assert forged.status_code == 403


def test_a_kept_hash_whose_signature_does_not_hold_is_not_valid(world, tmp_path):
    """The hash alone is not enough: the signature must hold, by this system's certificate."""
    from qms.db import unit_of_work
    from qms.reports.models import KeptRecord

    plain = render_pdf("<p>Báo cáo giả</p>", timeout=60)
    forged = signing.sign_pdf(
        plain, settings=Settings(data_dir=tmp_path / "forger", organisation="Giả mạo"), reason="x"
    ).data
    ours = signing.credentials(world.app.state.settings).fingerprint
    with unit_of_work(world.engine) as session:
        session.add(
            KeptRecord(
                record_kind="audit_report",
                record_id=1,
                record_code="IA-2026-09",
                sha256=sha256(forged),
                size=len(forged),
                certificate_sha256=ours,
            )
        )
    body = _check(world, forged).json()
    assert body["verdict"] == "signature_invalid"
    assert body["unaltered"] is True and body["signature_valid"] is False
