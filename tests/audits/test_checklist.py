"""Filling the checklist: answers with their version, stale saves refused with the newer
answer shown, frozen answers after the report, photos and files attached."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.audits import support

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PDF = b"%PDF-1.4\n% bien ban\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed member date: the bytes name a parametrized test, the same in every worker.
        for name, text in (
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<w:document/>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def audit(world):
    return support.build(world, "in_progress")


@pytest.fixture
def item(world, audit):
    return support.items(world, audit)[0]


def patch(world, person, item_id, **body):
    return world.api(person).patch(f"/api/v1/checklist-items/{item_id}", json=body)


def test_an_auditor_answers_an_item_and_its_version_moves(world, item):
    response = patch(
        world, world.auditor, item.id, result="conform", evidence=support.EVIDENCE, version=1
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == "conform" and body["status"] == "answered"
    assert body["version"] == 2 and body["answered_by_id"] == world.auditor.id
    assert body["evidence"] == support.EVIDENCE


def test_a_stale_save_is_refused_with_the_newer_answer(world, item):
    other = support.second_auditor(world)
    with_team = world.api(world.quality_officer).patch(
        f"/api/v1/audits/{item.audit_id}",
        json={
            "version": support.load(world, support.Built(item.audit_id, "")).version,
            "auditor_ids": [other.id],
        },
    )
    assert with_team.status_code == 200, with_team.text
    first = patch(
        world, other, item.id, result="observation", evidence="Thiếu sổ theo dõi.", version=1
    )
    assert first.status_code == 200
    stale = patch(world, world.auditor, item.id, result="conform", evidence="Đủ hồ sơ.", version=1)
    assert stale.status_code == 409
    body = stale.json()
    assert body["field"] == "version"
    assert body["current_result"] == "observation"
    assert body["current_evidence"] == "Thiếu sổ theo dõi."
    assert body["current_version"] == 2
    assert "Vũ Thị Mai" in body["detail"]
    kept = world.api(world.auditor).get(f"/api/v1/checklist-items/{item.id}").json()
    assert kept["result"] == "observation" and kept["version"] == 2


def test_the_page_refuses_a_stale_hidden_version_and_shows_the_newer_answer(world, audit, item):
    patch(
        world, world.auditor, item.id, result="improvement", evidence="Nên nhắn tin SMS.", version=1
    )
    browser = world.browser(world.auditor)
    page = f"/audits/{audit.id}/checklist"
    response = browser.submit(
        f"/audits/{audit.id}/items/{item.id}",
        {"version": "1", "result": "conform", "evidence": "Câu trả lời cũ của tôi"},
        page=page,
    )
    assert response.status_code == 409
    block = response.text[response.text.index(f'id="item-{item.id}"') :]
    block = block[: block.index("</li>")]
    assert "Câu trả lời cũ của tôi" in block  # what this person typed, shown beside
    assert re.search(r'value="improvement"\s+checked', block)  # the newer answer in the form
    assert "Nên nhắn tin SMS." in block
    assert 'name="version" value="2"' in block


def test_the_page_saves_and_returns_to_the_item(world, audit, item):
    browser = world.browser(world.auditor)
    response = browser.submit(
        f"/audits/{audit.id}/items/{item.id}",
        {"version": "1", "result": "conform", "evidence": "Đủ hồ sơ."},
        page=f"/audits/{audit.id}/checklist",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/audits/{audit.id}/checklist#item-{item.id}"
    page = browser.get(f"/audits/{audit.id}/checklist")
    assert 'data-answered="1"' in page.text


def test_showing_only_open_items_goes_on_to_the_next_one(world, audit):
    first, second = support.items(world, audit)[:2]
    browser = world.browser(world.auditor)
    response = browser.submit(
        f"/audits/{audit.id}/items/{first.id}",
        {"version": "1", "result": "conform", "evidence": "", "show": "open"},
        page=f"/audits/{audit.id}/checklist?show=open",
    )
    assert response.headers["location"] == (
        f"/audits/{audit.id}/checklist?show=open#item-{second.id}"
    )
    page = browser.get(f"/audits/{audit.id}/checklist?show=open").text
    assert f'id="item-{first.id}"' not in page and f'id="item-{second.id}"' in page


@pytest.mark.parametrize("result", ["minor_nc", "major_nc", "observation", "improvement"])
def test_a_finding_needs_its_evidence(world, item, result):
    response = patch(world, world.auditor, item.id, result=result, evidence="  ", version=1)
    assert response.status_code == 422 and response.json()["field"] == "evidence"


def test_an_unknown_result_is_refused(world, item):
    response = patch(world, world.auditor, item.id, result="maybe", evidence="", version=1)
    assert response.status_code == 422


def test_an_answered_item_cannot_become_open_again(world, item):
    patch(world, world.auditor, item.id, result="conform", evidence="", version=1)
    response = patch(world, world.auditor, item.id, result=None, evidence="", version=2)
    assert response.status_code == 422 and response.json()["field"] == "result"


def test_notes_can_be_saved_before_the_result(world, item):
    response = patch(world, world.auditor, item.id, result=None, evidence="Đang xem.", version=1)
    assert response.status_code == 200 and response.json()["status"] == "open"


def test_only_the_team_answers(world, item):
    for person in (world.quality_officer, world.manager, world.auditor_a):
        response = patch(world, person, item.id, result="conform", evidence="", version=1)
        assert response.status_code == 403


def test_answers_are_frozen_once_reported(world):
    built = support.shared_reported(world)
    item = support.items(world, built)[0]
    response = patch(
        world, world.auditor, item.id, result="observation", evidence="Muộn.", version=item.version
    )
    assert response.status_code == 409 and "frozen" in response.json()["detail"]
    browser = world.browser(world.auditor)
    page = browser.submit(
        f"/audits/{built.id}/items/{item.id}",
        {"version": str(item.version), "result": "observation", "evidence": "Muộn."},
        page=f"/audits/{built.id}",
    )
    assert page.status_code == 409
    upload = world.api(world.auditor).post(
        f"/api/v1/checklist-items/{item.id}/attachments", files={"file": ("a.png", PNG)}
    )
    assert upload.status_code == 409
    checklist = browser.get(f"/audits/{built.id}/checklist").text
    assert "item-form" not in checklist  # shown read-only
    assert support.items(world, built)[0].result == "conform"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (PDF, "application/pdf"),
        (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_photos_and_files_are_attached_by_their_bytes(world, item, content, content_type):
    api = world.api(world.auditor)
    response = api.post(
        f"/api/v1/checklist-items/{item.id}/attachments",
        files={"file": ("../../etc/passwd", content, "text/plain")},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == content_type and body["filename"] == "passwd"
    settings = world.app.state.settings
    assert (settings.files_dir / body["sha256"]).read_bytes() == content
    served = api.get(body["url"])
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"].startswith(content_type)
    listed = api.get(f"/api/v1/checklist-items/{item.id}").json()["attachments"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_other_files_are_refused_on_the_file_field(world, item):
    api = world.api(world.auditor)
    for content in (b"<script>alert(1)</script>", b"MZ\x90\x00", b""):
        response = api.post(
            f"/api/v1/checklist-items/{item.id}/attachments",
            files={"file": ("photo.png", content, "image/png")},
        )
        assert response.status_code == 422 and response.json()["field"] == "file"
    missing = api.post(f"/api/v1/checklist-items/{item.id}/attachments")
    assert missing.status_code == 422 and missing.json()["field"] == "file"


def test_a_file_over_the_limit_is_refused(world, item):
    limit = world.app.state.settings.upload_max_bytes
    response = world.api(world.auditor).post(
        f"/api/v1/checklist-items/{item.id}/attachments",
        files={"file": ("big.png", PNG + b"\x00" * limit)},
    )
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_the_page_attaches_photos_with_the_answer_and_removes_them(world, audit, item):
    browser = world.browser(world.auditor)
    token = browser.csrf(f"/audits/{audit.id}/checklist")
    response = browser.post(
        f"/audits/{audit.id}/items/{item.id}",
        data={"csrf_token": token, "version": "1", "result": "conform", "evidence": "Ảnh quầy."},
        files=[
            ("files", ("quay-1.png", PNG, "image/png")),
            ("files", ("bb.pdf", PDF, "application/pdf")),
        ],
    )
    assert response.status_code == 303, response.text[-400:]
    listed = world.api(world.auditor).get(f"/api/v1/checklist-items/{item.id}").json()
    assert [a["filename"] for a in listed["attachments"]] == ["quay-1.png", "bb.pdf"]
    page = browser.get(f"/audits/{audit.id}/checklist").text
    first = listed["attachments"][0]["id"]
    assert f'src="/api/v1/audit-attachments/{first}"' in page
    removed = browser.post(
        f"/audits/{audit.id}/attachments/{first}/delete", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    left = world.api(world.auditor).get(f"/api/v1/checklist-items/{item.id}").json()
    assert [a["filename"] for a in left["attachments"]] == ["bb.pdf"]


def test_a_bad_file_on_the_page_saves_nothing(world, audit, item):
    browser = world.browser(world.auditor)
    token = browser.csrf(f"/audits/{audit.id}/checklist")
    response = browser.post(
        f"/audits/{audit.id}/items/{item.id}",
        data={"csrf_token": token, "version": "1", "result": "conform", "evidence": "Ảnh."},
        files=[("files", ("virus.exe", b"MZ\x90\x00", "image/png"))],
    )
    assert response.status_code == 422 and "attach JPEG, PNG, PDF" in response.text
    kept = world.api(world.auditor).get(f"/api/v1/checklist-items/{item.id}").json()
    assert kept["result"] is None and kept["version"] == 1  # the answer was rolled back too


def test_the_checklist_page_groups_items_by_clause_with_progress(world):
    built = support.build(world, "in_progress", templates=(support.FULL,))
    page = world.browser(world.auditor).get(f"/audits/{built.id}/checklist")
    assert page.status_code == 200
    assert page.text.count('class="item-form"') == 140
    assert 'data-answered="0" data-total="140"' in page.text
    assert "10.3" in page.text and 'src="/static/checklist.js"' in page.text
    readonly = world.browser(world.manager).get(f"/audits/{built.id}/checklist")
    assert readonly.status_code == 200 and "item-form" not in readonly.text


def test_the_checklist_script_is_served(client):
    script = client.get("/static/checklist.js")
    assert script.status_code == 200 and "X-CSRF-Token" in script.text


def test_the_page_script_saves_through_the_api_with_the_csrf_header(world, audit, item):
    browser = world.browser(world.auditor)
    token = browser.csrf(f"/audits/{audit.id}/checklist")
    body = {"result": "conform", "evidence": "Đủ hồ sơ.", "version": 1}
    without = browser.patch(f"/api/v1/checklist-items/{item.id}", json=body)
    assert without.status_code == 403
    saved = browser.patch(
        f"/api/v1/checklist-items/{item.id}", json=body, headers={"X-CSRF-Token": token}
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2
