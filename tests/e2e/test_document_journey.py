"""Journey (a), in English and in Vietnamese: a quality officer drafts a procedure, a
reviewer and an approver sign it, the quality officer publishes and distributes it, a
member of staff reads and acknowledges it, and the controlled copy is opened."""

from __future__ import annotations

import pytest

DEMO = "demo-2026"


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_procedure_from_draft_to_acknowledged(journey, lang):
    code = "QT-21" if lang == "en" else "QT-22"
    officer = journey(lang=lang)
    page = officer.sign_in("chatluong@ubnd.demo.vn")
    officer.goto("/documents/new")
    page.fill("#f-code", code)
    page.fill("#f-title", "Tiếp nhận hồ sơ trực tuyến mức độ 4")
    page.select_option("#f-kind", "procedure")
    page.select_option("#f-department_id", label="TTPVHCC – Trung tâm Phục vụ hành chính công")
    page.fill("#f-clauses", "8.2, 8.5.1")
    officer.shot("register")
    officer.submit("form[action='/documents']")
    document_path = page.url.split(officer.base, 1)[1]
    page.locator("label.choice", has_text="TTPVHCC").locator("input").check()
    officer.submit("form[action$='/distribution']")
    officer.submit("form[action$='/revisions']")
    revision_path = page.url.split(officer.base, 1)[1]
    page.fill("#f-change_summary", "Ban hành lần đầu")
    page.fill(
        "#f-content_md",
        "# Mục đích\n\nQuy định việc **tiếp nhận hồ sơ trực tuyến**.\n\n## Các bước\n\n1. Kiểm tra hồ sơ\n2. Tiếp nhận\n",
    )
    officer.submit(f"form[action='{revision_path}']")
    page.select_option("#f-reviewer_id", label="Trần Văn Hùng – Chuyên viên Phòng Tổng hợp")
    page.select_option("#f-approver_id", label="Nguyễn Văn Thành – Chánh Văn phòng")
    officer.shot("draft")
    officer.submit("form[action$='/submit']")

    reviewer = journey(lang=lang)
    page = reviewer.sign_in("danhgia@ubnd.demo.vn")
    reviewer.goto(revision_path)
    page.fill("form[action$='/review'] input[name=password]", DEMO)
    reviewer.submit("form[action$='/review']")
    reviewer.shot("reviewed")

    approver = journey(lang=lang)
    page = approver.sign_in("chanhvp@ubnd.demo.vn")
    approver.goto(revision_path)
    page.fill("form[action$='/approve'] input[name=password]", DEMO)
    approver.submit("form[action$='/approve']")
    approver.shot("approved")

    page = officer.page
    officer.goto(revision_path)
    officer.submit("form[action$='/publish']")
    officer.shot("published")

    staff = journey(lang=lang)
    page = staff.sign_in("nhanvien@ubnd.demo.vn")
    staff.goto("/documents/to-read")
    assert code in page.inner_text("main")
    staff.shot("to-read")
    staff.goto(document_path)
    page.click(f"a[href='{revision_path}#content-title']")
    page.wait_for_load_state()
    staff.shot("to-acknowledge")
    page.check("#f-confirm")
    staff.submit("form[action$='/acknowledge']")
    staff.shot("acknowledged")

    page = officer.page
    officer.goto(document_path)
    assert "Phạm Thu Hà" in page.inner_text(
        "#readers-title + *"
    ) or "Phạm Thu Hà" in page.inner_text("main")
    officer.shot("readers")
    revision_id = revision_path.rsplit("/", 1)[1]
    response = page.request.get(f"{officer.base}/revisions/{revision_id}.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
