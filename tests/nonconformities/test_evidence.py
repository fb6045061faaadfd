"""Evidence files: the type read from the bytes, the size bounded, stored under their hash,
the client's name never used as a path."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from tests.nonconformities.builders import build

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _package(*members: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        # A fixed member date: the bytes name a parametrized test, the same in every worker.
        for name, text in members:
            package.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def _docx() -> bytes:
    return _package(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"))


def _upload(world, action_id, name, content, person=None):
    return world.api(person or world.staff).post(
        f"/api/v1/corrective-actions/{action_id}/files", files={"file": (name, content)}
    )


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 16, "image/jpeg"),
        (_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_kinds_are_stored_by_hash(world, content, media_type):
    built = build(world, "action_planned")
    response = _upload(world, built.action_ids[0], "../../etc/passwd", content)
    assert response.status_code == 201, response.text
    body = response.json()
    digest = hashlib.sha256(content).hexdigest()
    assert body["sha256"] == digest and body["content_type"] == media_type
    assert body["filename"] == "passwd"
    stored = world.app.state.settings.files_dir / digest
    assert stored.read_bytes() == content
    download = world.api(world.auditor).get(body["url"])
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"].startswith(media_type)
    assert "attachment" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 an executable",
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04 not really a zip",
        b"",
    ],
)
def test_other_kinds_are_refused_naming_the_file(world, content):
    built = build(world, "action_planned")
    response = _upload(world, built.action_ids[0], "evidence.pdf", content)
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_an_odt_is_not_accepted_as_evidence(world):
    """The one store knows OpenDocument text (for controlled documents); evidence takes
    photos, PDF and Office files only."""
    odt = _package(
        ("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office/>")
    )
    built = build(world, "action_planned")
    response = _upload(world, built.action_ids[0], "bien-ban.odt", odt)
    assert response.status_code == 422 and response.json()["field"] == "file"
    assert "PDF" in response.json()["detail"]


def test_evidence_over_the_upload_limit_is_refused_naming_the_field(world):
    world.app.state.settings.upload_max_bytes = 1024
    built = build(world, "action_planned")
    response = _upload(world, built.action_ids[0], "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_no_file_is_named(world):
    built = build(world, "action_planned")
    response = world.api(world.staff).post(
        f"/api/v1/corrective-actions/{built.action_ids[0]}/files", data={"x": "1"}
    )
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_only_the_action_owner_attaches_and_only_before_it_is_done(world):
    built = build(world, "action_planned")
    assert _upload(world, built.action_ids[0], "a.pdf", PDF, world.manager).status_code == 403
    done = world.api(world.staff).post(
        f"/api/v1/corrective-actions/{built.action_ids[0]}/complete", json={"evidence": "x"}
    )
    assert done.status_code == 200
    assert _upload(world, built.action_ids[0], "a.pdf", PDF).status_code == 409


def test_files_attached_are_listed_with_the_action_and_bound_by_the_closure(world):
    from qms.db import unit_of_work
    from qms.nonconformities import service

    built = build(world, "action_planned")
    assert _upload(world, built.action_ids[0], "biên bản.pdf", PDF).status_code == 201
    detail = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}").json()
    assert [f["filename"] for f in detail["actions"][0]["files"]] == ["biên bản.pdf"]
    with unit_of_work(world.engine) as session:
        nc = service.get_nonconformity(session=session, nonconformity_id=built.id)
        before = service.content_hash(session=session, nc=nc)
    assert _upload(world, built.action_ids[0], "more.png", PNG).status_code == 201
    with unit_of_work(world.engine) as session:
        nc = service.get_nonconformity(session=session, nonconformity_id=built.id)
        assert service.content_hash(session=session, nc=nc) != before
