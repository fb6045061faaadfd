"""Uploads (type read from the bytes, size limit, stored once by hash), safe Markdown and
escaped diffs."""

from __future__ import annotations

import hashlib

import pytest

from qms.documents.content import diff_text, render_markdown
from qms.files import sniff as detect_type
from tests.documents import factories as f


def _upload(world, revision_id, data, name="quy-trinh.pdf", client=None):
    client = client or world.api(world.quality_officer)
    return client.post(
        f"/api/v1/revisions/{revision_id}/file",
        files={"file": (name, data, "application/octet-stream")},
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (f.PDF_BYTES, "pdf"),
        (f.DOCX_BYTES, "docx"),
        (f.XLSX_BYTES, "xlsx"),
        (f.ODT_BYTES, "odt"),
    ],
)
def test_accepted_types_are_read_from_the_bytes(world, data, kind):
    revision_id = f.revision_in(world, "draft")
    # The name says .txt: only the content counts.
    response = _upload(world, revision_id, data, name="tai-lieu.txt")
    assert response.status_code == 200, response.text
    file = response.json()["file"]
    assert file["type"] == kind
    assert file["sha256"] == hashlib.sha256(data).hexdigest()
    assert (world.app.state.settings.files_dir / file["sha256"]).read_bytes() == data


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 a Windows program",
        b"<html><script>alert(1)</script></html>",
        f.zip_bytes({"readme.txt": b"just a zip"}),
        f.zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        b"PK\x03\x04 not really a zip",
        b"",
    ],
    ids=["exe", "html", "zip", "ods", "broken-zip", "empty"],
)
def test_other_content_is_refused_whatever_its_name(world, data):
    revision_id = f.revision_in(world, "draft")
    response = _upload(world, revision_id, data, name="quy-trinh.pdf")
    assert response.status_code == 422
    assert response.json()["field"] == "file"
    assert f.get_revision(world, revision_id).file_sha256 is None


def test_the_name_is_kept_only_as_metadata(world):
    revision_id = f.revision_in(world, "draft")
    response = _upload(world, revision_id, f.PDF_BYTES, name="../../etc/passwd.pdf")
    assert response.json()["file"]["name"] == "passwd.pdf"
    assert not list(world.app.state.settings.files_dir.glob("*.pdf"))


def test_the_same_file_is_stored_once(world):
    first = f.revision_in(world, "draft")
    second = f.revision_in(world, "draft")
    _upload(world, first, f.PDF_BYTES)
    _upload(world, second, f.PDF_BYTES)
    stored = [p for p in world.app.state.settings.files_dir.iterdir() if not p.name.startswith(".")]
    assert len(stored) == 1


def test_uploads_only_to_a_draft(world):
    revision_id = f.revision_in(world, "in_review")
    assert _upload(world, revision_id, f.PDF_BYTES).status_code == 409


def test_an_upload_without_a_file_names_the_field(world):
    revision_id = f.revision_in(world, "draft")
    response = world.api(world.quality_officer).post(f"/api/v1/revisions/{revision_id}/file")
    assert response.status_code == 422
    assert response.json()["field"] == "file"


@pytest.fixture
def small_limit(settings):
    settings.upload_max_bytes = 2048
    return settings


def test_a_file_over_the_limit_is_refused_by_the_service(small_limit, world):
    revision_id = f.revision_in(world, "draft")
    data = f.PDF_BYTES + b"0" * 3000
    response = _upload(world, revision_id, data)
    assert response.status_code == 422
    assert response.json()["field"] == "file"


def test_a_body_far_over_the_limit_is_stopped_while_it_streams(small_limit, world):
    revision_id = f.revision_in(world, "draft")
    data = f.PDF_BYTES + b"0" * (2 * 1024 * 1024)
    response = _upload(world, revision_id, data)
    assert response.status_code == 413


def test_the_upload_form_refuses_with_the_message_beside_the_field(world):
    revision_id = f.revision_in(world, "draft")
    browser = world.browser(world.quality_officer)
    page = f"/revisions/{revision_id}"
    token = browser.csrf(page)
    response = browser.post(
        f"/revisions/{revision_id}/file",
        data={"csrf_token": token},
        files={"file": ("virus.pdf", b"MZ\x90\x00", "application/pdf")},
    )
    assert response.status_code == 422
    assert 'id="file-error"' in response.text
    assert "attach PDF, DOCX, XLSX, ODT" in response.text


def test_detect_type_reads_magic_bytes():
    assert detect_type(f.PDF_BYTES) == "pdf"
    assert detect_type(b"%PDF") is None
    assert detect_type(f.DOCX_BYTES) == "docx"


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert('x')</script>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[bấm vào đây](javascript:alert(1))", 'href="javascript:'),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "avascript"),
        ("[x](vbscript:msgbox)", 'href="vbscript:'),
        ("![x](data:text/html;base64,PHNjcmlwdD4=)", 'src="data:'),
        ('<div onclick="steal()">x</div>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_is_rendered_to_safe_html(source, forbidden):
    html = render_markdown(source)
    assert forbidden.lower() not in html.lower()


def test_markdown_keeps_the_document_structure():
    html = render_markdown(
        "# Mục đích\n\n**Quy trình** nhằm:\n\n- một\n- hai\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
        "[Cổng](https://dichvucong.gov.vn)"
    )
    for piece in (
        "<h1>Mục đích</h1>",
        "<strong>Quy trình</strong>",
        "<li>một</li>",
        "<table>",
        'href="https://dichvucong.gov.vn"',
    ):
        assert piece in html


def test_unsafe_markdown_is_not_served_by_the_revision_page(world):
    document_id = f.new_document(world)
    revision_id = f.new_revision(
        world, document_id, content='<script>alert("x")</script>\n\n[a](javascript:alert(1))'
    )
    page = world.browser(world.quality_officer).get(f"/revisions/{revision_id}").text
    assert "<script>alert" not in page and 'href="javascript:' not in page


def test_the_comparison_is_of_the_rendered_text_word_by_word(world):
    blocks = diff_text(
        "# Mục đích\n\nTiếp nhận **hồ sơ** giấy.\n", "# Mục đích\n\nTiếp nhận **hồ sơ** điện tử.\n"
    )
    assert [b.kind for b in blocks] == ["equal", "change"]
    assert blocks[1].parts == (
        ("equal", "Tiếp nhận hồ sơ"),
        ("delete", "giấy."),
        ("insert", "điện tử."),
    )
    long_old = "\n\n".join(f"Đoạn {i}." for i in range(40))
    long_new = long_old.replace("Đoạn 20.", "Đoạn hai mươi.")
    kinds = [b.kind for b in diff_text(long_old, long_new)]
    assert kinds == ["skip", "equal", "equal", "change", "equal", "equal", "skip"]


def test_a_table_row_compares_as_its_cells_without_pipes_of_markdown():
    table = "| Hồ sơ | Nơi lưu | Thời hạn |\n|---|---|---|\n| Sổ BM-21 | TTPVHCC | 05 năm |\n"
    blocks = diff_text(table, table.replace("05 năm", "10 năm"))
    texts = [" ".join(t for _how, t in b.parts) for b in blocks]
    assert "Hồ sơ | Nơi lưu | Thời hạn" in texts
    assert blocks[-1].kind == "change" and blocks[-1].parts[0] == ("equal", "Sổ BM-21 | TTPVHCC |")
    assert not any(t.startswith("|") or t.endswith("|") or "---" in t for t in texts)


def test_the_comparison_page_shows_no_markdown_and_escapes_the_text(world):
    document_id = f.new_document(world)
    first = f.advance(
        world,
        f.new_revision(world, document_id, content="## Bước 1\n\nDòng **cũ** a < b\n"),
        "effective",
    )
    second = f.advance(
        world,
        f.new_revision(
            world, document_id, content="## Bước 1\n\nDòng *mới* a < b <script>x</script>\n"
        ),
        "effective",
    )
    browser = world.browser(world.staff)
    page = browser.get(f"/documents/{document_id}/diff?a={first}&b={second}")
    assert page.status_code == 200
    assert "<del>cũ</del>" in page.text and "<ins>mới</ins>" in page.text
    assert "**" not in page.text and "##" not in page.text
    assert "a &lt; b" in page.text and "<script>x" not in page.text
    # Without parameters: the newest issue against the one before it.
    default = browser.get(f"/documents/{document_id}/diff")
    assert default.status_code == 200
    assert "<del>cũ</del>" in default.text and "Check the field" not in default.text
    # Only the second given: compared with its previous issue.
    assert "<ins>mới</ins>" in browser.get(f"/documents/{document_id}/diff?b={second}").text


def test_a_document_with_one_issue_says_there_is_nothing_to_compare(world):
    document_id, _revision_id = f.effective_document(world)
    page = world.browser(world.staff).get(f"/documents/{document_id}/diff")
    assert page.status_code == 200 and "nothing to compare yet" in page.text
