"""Issue 15, tried as a new user would, in Vietnamese: the quality officer plans a
management review and reads the inputs compiled from the records, the chair holds it, two
outputs are assigned, the chair signs the minutes with his password, and the kept PDF
opens with the meeting's figures and decisions (screenshots at desktop and tablet widths)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_risk_journey import shots

SECTIONS = ("a", "b", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "d", "e", "f")


@pytest.mark.e2e
def test_a_review_planned_held_decided_and_signed(journey):
    today = date.today()
    officer = journey(lang="vi")
    page = officer.sign_in("chatluong@ubnd.demo.vn")
    officer.goto("/management-reviews/new")
    page.fill("#f-period_start", date(today.year, 1, 1).isoformat())
    page.fill("#f-period_end", today.isoformat())
    page.fill("#f-planned_on", (today + timedelta(days=7)).isoformat())
    page.select_option("#f-chair_id", label="Nguyễn Văn Thành · Chánh Văn phòng")
    for name in ("Lê Minh Tuấn", "Hoàng Thị Thu"):
        page.locator("label.choice", has_text=name).locator("input").check()
    page.fill(
        "#f-resources",
        "Bộ phận một cửa có 04 công chức; cần thêm 01 máy quét hồ sơ vào tháng cao điểm.",
    )
    shots(officer, "plan")
    officer.submit("form[action='/management-reviews/new']")
    assert "Đã lập kế hoạch họp xem xét của lãnh đạo." in page.inner_text("main")
    path = page.url.split(officer.base, 1)[1]
    code = re.search(r"XXLD-\d{4}-\d{2}", page.inner_text("h1")).group(0)
    assert code.startswith(f"XXLD-{today.year}-"), code

    # The compiled inputs: one heading per item of 9.3.2, figures linking to the registers.
    for section in SECTIONS:
        assert page.locator(f"#section-{section}").count() == 1, section
    inputs = page.locator("#inputs")
    assert inputs.locator("a[href^='/nonconformities']").count() > 0
    assert inputs.locator("a[href^='/risks']").count() > 0
    assert "cần thêm 01 máy quét hồ sơ" in page.inner_text("#inputs")
    # A figure's link opens the register behind it.
    first = inputs.locator("a[href^='/nonconformities']").first
    figure_href = first.get_attribute("href")
    shots(officer, "inputs")

    chair = journey(lang="vi")
    page = chair.sign_in("chanhvp@ubnd.demo.vn")
    chair.goto(figure_href)
    assert page.locator("h1").count() == 1
    chair.goto(path)
    page.fill(
        "#f-minutes",
        "Chánh Văn phòng chủ trì. Hội nghị xem xét đầu vào do Thư ký ISO tổng hợp.\n"
        "Kết luận: giao các đơn vị thực hiện các đầu ra dưới đây.",
    )
    chair.submit("form[action$='/hold']")
    assert "Đã tổ chức họp" in page.inner_text("main")
    assert "SHA-256" in page.inner_text("#inputs")
    shots(chair, "held")

    outputs = [
        ("improvement", "Nhắn tin cho công dân khi có kết quả gửi qua bưu điện.", "Lê Minh Tuấn"),
        ("resource_need", "Mua bổ sung 01 máy quét hồ sơ cho bộ phận một cửa.", "Hoàng Thị Thu"),
    ]
    for kind, what, owner in outputs:
        page.select_option("#f-kind", kind)
        page.fill("#f-description", what)
        page.select_option("#f-owner_id", label=owner)
        page.fill("#f-due_on", (today + timedelta(days=60)).isoformat())
        chair.submit("form[action$='/outputs']")
        assert "Đã ghi nhận đầu ra." in page.inner_text("main")
    listed = page.inner_text("#outputs")
    for _kind, what, owner in outputs:
        assert what in listed and owner in listed
    shots(chair, "outputs")

    # The password again: a wrong one is refused and nothing is signed.
    page.fill("#f-password", "not-my-password")
    chair.submit("form[action$='/close']")
    assert page.locator("form[action$='/close']").count() == 1
    assert "Biên bản đã được ký" not in page.inner_text("main")
    page.fill("#f-password", DEMO_PASSWORD)
    chair.submit("form[action$='/close']")
    text = page.inner_text("main")
    assert "Biên bản đã được ký và lưu thành hồ sơ PDF." in text
    assert "ký điện tử" in text
    shots(chair, "signed")

    link = page.locator("a[href$='.pdf']", has_text="PDF").first
    response = page.request.get(chair.base + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    pdf = unicodedata.normalize(
        "NFC", " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    )
    # A kept record is in the organisation's language (QMS_LANG, English on this test
    # server), whatever the signer's page language, as the audit report is.
    assert "MINUTES OF THE MANAGEMENT REVIEW MEETING" in pdf.upper()
    assert code in pdf
    assert "Nguyễn Văn Thành" in pdf
    for _kind, what, owner in outputs:
        assert what in pdf and owner in pdf
    assert "Kết luận: giao các đơn vị" in pdf


@pytest.mark.e2e
def test_the_demo_review_of_2020_reads_the_offices_records(journey):
    officer = journey(lang="vi")
    page = officer.sign_in("chatluong@ubnd.demo.vn")
    officer.goto("/management-reviews")
    page.locator("a", has_text="XXLD-2021-01").first.click()
    page.wait_for_load_state()
    assert "XXLD-2021-01" in page.inner_text("h1")

    def figure(section: str, label: str) -> str:
        row = page.locator(f"#section-{section} + div tr", has_text=label).first
        return row.locator("td").last.inner_text().strip()

    # c) 4: the three nonconformities of 2020, as the meeting of 15/01/2021 saw them.
    assert figure("c4", "Điểm không phù hợp phát sinh trong kỳ") == "3"
    assert figure("c4", "Phát sinh trong kỳ, đã đóng") == "2"
    assert figure("c4", "Phát sinh trong kỳ, chờ kiểm tra hiệu lực") == "1"
    assert figure("c1", "Khiếu nại, phản ánh của khách hàng đã nhận") == "1"
    # Since then the last one was found effective: the page says which figures changed.
    assert page.locator("#inputs tr.changed").count() >= 1
    assert "số liệu hiện nay khác trong hồ sơ" in page.inner_text("#inputs")
    # No risk or audit of the register before 2021 is counted.
    for row in page.locator("#section-b + div tr").all():
        assert row.locator("td").last.inner_text().strip() == "0", row.inner_text()
    shots(officer, "review-2020")
