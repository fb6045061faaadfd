"""A procedure taken from draft to effective through the pages by three different people,
read and acknowledged by staff, then revised once; its controlled copy opened and read."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.documents import factories as f
from tests.factories import PASSWORD

CONTENT = (
    "# QT-06. Tiếp nhận hồ sơ\n\n## 1. Mục đích\n\nHướng dẫn tổ chức, cá nhân **đầy đủ một lần**.\n\n"
    "## 2. Các bước\n\n1. Kiểm tra hồ sơ.\n2. Cập nhật vào hệ thống một cửa điện tử.\n"
)


def _id(response, prefix):
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert location.startswith(prefix), location
    return int(re.match(prefix + r"(\d+)", location).group(1))


def _version(browser, url):
    found = re.search(r'name="version" value="(\d+)"', browser.get(url).text)
    return found.group(1)


def test_a_procedure_from_draft_to_effective_and_revised_once(world):
    officer = world.browser(world.quality_officer)
    reviewer = world.browser(world.auditor)
    approver = world.browser(world.manager)
    staff = world.browser(world.staff)

    # The quality officer registers the document and drafts its first issue.
    form = {
        "code": "QT-06",
        "title": "Tiếp nhận hồ sơ thủ tục hành chính",
        "kind": "procedure",
        "department_id": str(world.dept_a.id),
        "owner_id": str(world.quality_officer.id),
        "clauses": "8.2, 8.2.1",
        "review_interval_months": "12",
    }
    document_id = _id(officer.submit("/documents", form, page="/documents/new"), "/documents/")
    page = f"/documents/{document_id}"
    draft_id = _id(
        officer.submit(f"{page}/revisions", {"change_summary": "Ban hành lần đầu"}, page=page),
        "/revisions/",
    )
    draft = f"/revisions/{draft_id}"
    saved = officer.submit(
        draft,
        {
            "content_md": CONTENT,
            "change_summary": "Ban hành lần đầu",
            "version": _version(officer, draft),
        },
        page=draft,
    )
    assert saved.status_code == 303
    officer.submit(f"{page}/distribution", {"department_ids": [str(world.dept_a.id)]}, page=page)

    # Naming herself as reviewer is refused beside the field, and the choice is kept.
    refused = officer.submit(
        f"{draft}/submit",
        {
            "reviewer_id": str(world.quality_officer.id),
            "approver_id": str(world.manager.id),
            "version": _version(officer, draft),
        },
        page=draft,
    )
    assert refused.status_code == 409
    assert 'id="reviewer_id-error"' in refused.text
    assert "The reviewer cannot be the author of the revision." in refused.text
    assert f'<option value="{world.manager.id}" selected' in refused.text
    sent = officer.submit(
        f"{draft}/submit",
        {
            "reviewer_id": str(world.auditor.id),
            "approver_id": str(world.manager.id),
            "version": _version(officer, draft),
        },
        page=draft,
    )
    assert sent.status_code == 303

    # The reviewer finds it waiting, and signs (the wrong password first).
    assert draft in reviewer.get("/").text and "Review the revision" in reviewer.get("/").text
    assert draft in reviewer.get("/documents/to-sign").text
    wrong = reviewer.submit(
        f"{draft}/review", {"password": "not mine", "comment": "Phù hợp"}, page=draft
    )
    assert wrong.status_code == 422
    assert 'id="password-error"' in wrong.text
    assert 'value="Phù hợp"' in wrong.text  # the comment typed is kept
    assert (
        reviewer.submit(
            f"{draft}/review",
            {"password": PASSWORD, "comment": "Phù hợp", "version": _version(reviewer, draft)},
            page=draft,
        ).status_code
        == 303
    )

    # The approver signs the approval.
    assert "Approve the revision" in approver.get("/").text
    assert (
        approver.submit(
            f"{draft}/approve", {"password": PASSWORD, "comment": "Đồng ý ban hành"}, page=draft
        ).status_code
        == 303
    )

    # The quality officer publishes it.
    assert "Publish the revision" in officer.get("/").text
    published = officer.submit(
        f"{draft}/publish", {"effective_on": f.today(world).isoformat()}, page=draft
    )
    assert published.status_code == 303
    assert f.get_revision(world, draft_id).status == "effective"

    # Staff read it and confirm "read and understood".
    assert draft in staff.get("/documents/to-read").text
    assert "Read and acknowledge" in staff.get("/").text
    acknowledged = staff.submit(f"{draft}/acknowledge", {"confirm": "yes"}, page=page)
    assert acknowledged.status_code == 303
    assert "You have read and understood issue 00." in staff.get(page).text
    assert "Hướng dẫn tổ chức, cá nhân <strong>đầy đủ một lần</strong>" in staff.get(page).text

    # Revised once: a new draft from the effective text, through the same chain.
    second_id = _id(
        officer.submit(f"{page}/revisions", {"change_summary": "Thêm bưu chính"}, page=page),
        "/revisions/",
    )
    second = f"/revisions/{second_id}"
    text = officer.get(second).text
    assert "Cập nhật vào hệ thống một cửa điện tử." in text  # starts from the effective text
    officer.submit(
        second,
        {
            "content_md": CONTENT + "3. Nhận hồ sơ gửi qua dịch vụ bưu chính công ích.\n",
            "change_summary": "Thêm bưu chính",
            "version": _version(officer, second),
        },
        page=second,
    )
    officer.submit(
        f"{second}/submit",
        {
            "reviewer_id": str(world.auditor.id),
            "approver_id": str(world.manager.id),
            "version": _version(officer, second),
        },
        page=second,
    )
    reviewer.submit(f"{second}/review", {"password": PASSWORD}, page=second)
    approver.submit(f"{second}/approve", {"password": PASSWORD}, page=second)
    officer.submit(f"{second}/publish", {"effective_on": f.today(world).isoformat()}, page=second)
    assert f.get_revision(world, second_id).status == "effective"
    assert f.get_revision(world, draft_id).status == "superseded"

    # History, the difference, and the controlled copy opened and read.
    history = staff.get(f"{page}/history").text
    assert "superseded" in history and "effective" in history
    diff = staff.get(f"{page}/diff?a={draft_id}&b={second_id}").text
    assert "<ins>Nhận hồ sơ gửi qua dịch vụ bưu chính công ích.</ins>" in diff
    copy = staff.get(f"{second}.pdf")
    assert copy.status_code == 200
    text = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(copy.content)).pages)
    )
    assert "Nhận hồ sơ gửi qua dịch vụ bưu chính công ích" in text
    for person in (world.quality_officer, world.auditor, world.manager):
        assert person.user.full_name in text
    old_copy = staff.get(f"{draft}.pdf")
    assert "NO LONGER IN FORCE" in re.sub(
        r"\s+",
        " ",
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(old_copy.content)).pages),
    )


def test_a_refused_registration_keeps_what_was_typed(world):
    officer = world.browser(world.quality_officer)
    response = officer.submit(
        "/documents",
        {
            "code": "QT 06 !",
            "title": "Tiếp nhận hồ sơ",
            "kind": "procedure",
            "department_id": str(world.dept_a.id),
            "clauses": "8.2",
        },
        page="/documents/new",
    )
    assert response.status_code == 422
    assert 'id="code-error"' in response.text
    assert 'value="Tiếp nhận hồ sơ"' in response.text


def test_the_return_form_needs_a_comment_and_says_so(world):
    revision_id = f.revision_in(world, "in_review")
    reviewer = world.browser(world.auditor)
    page = f"/revisions/{revision_id}"
    response = reviewer.submit(f"{page}/return", {"return_comment": ""}, page=page)
    assert response.status_code == 422
    assert 'id="return_comment-error"' in response.text
    returned = reviewer.submit(f"{page}/return", {"return_comment": "Bổ sung lưu đồ"}, page=page)
    assert returned.status_code == 303
    officer = world.browser(world.quality_officer)
    assert "Revise the returned draft" in officer.get("/").text
    assert "Bổ sung lưu đồ" in officer.get(page).text


def test_the_pages_speak_vietnamese(world):
    document_id, _revision_id = f.effective_document(world)
    browser = world.browser(world.staff)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get(f"/documents/{document_id}").text
    for term in (
        "rồi xác nhận đã đọc và hiểu",
        "Người soạn thảo",
        "Người xem xét",
        "Người phê duyệt",
        "Bản kiểm soát (PDF)",
    ):
        assert term in page, term


def test_the_quality_officer_panel_counts_documents(world):
    f.effective_document(world)
    f.revision_in(world, "in_review")
    home = world.browser(world.quality_officer).get("/").text
    assert "Controlled documents" in home and "Revisions in review" in home
    assert "Controlled documents" not in world.browser(world.staff).get("/").text
