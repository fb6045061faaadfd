"""The controlled copy: the header block on every page (organisation, code, issue,
effective date, page X/Y), the three sign-offs with names, the content with its Vietnamese
diacritics as text, and a watermark when the issue is no longer in force."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from qms.reports.pdf import RefusedResource, static_file
from tests.documents import factories as f

LONG = (
    "# Quy trình tiếp nhận hồ sơ\n\n"
    + "\n\n".join(
        f"Bước {i}: Công chức kiểm tra tính đầy đủ, hợp lệ của hồ sơ; "
        "hướng dẫn tổ chức, cá nhân bổ sung một lần, đúng quy định."
        for i in range(1, 70)
    )
    + "\n"
)


def _text(pdf: bytes) -> tuple[list[str], str]:
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    return pages, "\n".join(pages)


def _effective(world, content=LONG):
    document_id = f.new_document(world, title="Tiếp nhận hồ sơ thủ tục hành chính")
    revision_id = f.new_revision(world, document_id, content=content)
    f.advance(world, revision_id, "effective")
    return document_id, revision_id


def test_the_controlled_copy_reads_back_with_its_diacritics(world):
    _document_id, revision_id = _effective(world)
    response = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pages, text = _text(response.content)
    assert len(pages) >= 2
    assert "Tiếp nhận hồ sơ thủ tục hành chính" in re.sub(r"\s+", " ", text)
    assert "Công chức kiểm tra tính đầy đủ, hợp lệ của hồ sơ" in text
    assert "Văn phòng Ủy ban nhân dân tỉnh".upper() in re.sub(r"\s+", " ", text)
    document = f.get_document(world, _document_id)
    for number, page in enumerate(pages, start=1):
        # The header block repeats on every page, with its page number.
        assert document.code in page
        assert f"{number}/{len(pages)}" in page
    assert "CONTROLLED COPY" in text and "NO LONGER IN FORCE" not in text


def test_the_signoff_table_names_the_three_people(world):
    _document_id, revision_id = _effective(world, content="Nội dung ngắn.")
    pdf = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf").content
    _pages, text = _text(pdf)
    flat = re.sub(r"\s+", " ", text)
    for label in ("Drafted by", "Reviewed by", "Approved by"):
        assert label in flat
    for person in (world.quality_officer, world.auditor, world.manager):
        assert person.user.full_name in flat
    assert "Signed electronically: reviewed" in flat
    assert "Signed electronically: approved" in flat


def test_a_superseded_issue_carries_the_watermark(world):
    document_id, first = _effective(world, content="Lần ban hành đầu.")
    f.advance(world, f.new_revision(world, document_id, content="Lần hai."), "effective")
    _pages, text = _text(world.api(world.staff).get(f"/api/v1/revisions/{first}.pdf").content)
    assert "NO LONGER IN FORCE" in re.sub(r"\s+", " ", text)


def test_in_vietnamese_the_copy_uses_the_office_terms(world):
    world.app.state.settings.lang = "vi"
    _document_id, revision_id = _effective(world, content="Nội dung ngắn.")
    pdf = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf").content
    flat = re.sub(r"\s+", " ", _text(pdf)[1])
    for term in (
        "Người soạn thảo",
        "Người xem xét",
        "Người phê duyệt",
        "Mã số",
        "Lần ban hành",
        "Ngày hiệu lực",
        "Trang",
        "BẢN KIỂM SOÁT",
        "Họ và tên",
        "Chức danh",
    ):
        assert term in flat, term


def test_a_draft_copy_is_marked_draft_and_readable_only_by_those_working_on_it(world):
    revision_id = f.revision_in(world, "draft")
    assert world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf").status_code == 403
    pdf = world.api(world.quality_officer).get(f"/api/v1/revisions/{revision_id}.pdf").content
    assert "DRAFT" in _text(pdf)[1]


def test_remote_and_local_resources_in_the_content_are_not_fetched(world):
    content = (
        "![remote](https://example.org/tracker.png)\n\n![local](file:///etc/passwd)\n\n"
        "![static](/static/style.css)\n\nVăn bản vẫn in được."
    )
    _document_id, revision_id = _effective(world, content=content)
    response = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}.pdf")
    assert response.status_code == 200
    assert "Văn bản vẫn in được." in _text(response.content)[1]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.org/static/style.css",
        "https://qms.invalid/static/../../qms/config.py",
        "https://qms.invalid/other/x.png",
        "data:text/plain,hello",
    ],
)
def test_the_fetcher_serves_only_the_apps_static_files(url):
    with pytest.raises(RefusedResource):
        static_file(url)


def test_the_fetcher_serves_a_static_file():
    assert static_file("https://qms.invalid/static/style.css").name == "style.css"
