"""An internal audit as the demo office would run it, in Chromium: the quality officer plans
it (an auditor of the audited department is refused), the lead auditor starts it, two
auditors fill its 140 items at once on tablets, a stale save shows the newer answer, the
lead auditor signs the report and the PDF opens."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import DEMO_PASSWORD

QUALITY = "chatluong@ubnd.demo.vn"
LEAD = "danhgia@ubnd.demo.vn"  # Trần Văn Hùng, Phòng Tổng hợp
SECOND = "danhgia2@ubnd.demo.vn"  # Vũ Thị Mai, Phòng Kiểm soát TTHC
TABLET = {"width": 800, "height": 1280}


def _plan(tab, department_code: str, lead: str, team: list[str]):
    page = tab.goto("/audits/new")
    page.fill("#f-title", "Đánh giá HTQLCL tại Phòng Quản trị – Tài vụ")
    options = page.eval_on_selector_all(
        "#f-department_id option", "els => els.map(e => [e.value, e.textContent])"
    )
    value = next(v for v, text in options if text.startswith(department_code + " "))
    page.select_option("#f-department_id", value)
    page.fill("#f-scope", "Quản lý tài sản công, chi tiêu nội bộ, mua sắm; hồ sơ năm nay.")
    page.select_option("#f-lead_auditor_id", label=lead)
    for name in team:
        page.check(f"fieldset label.choice:has-text('{name}') input[name=auditor_ids]")
    page.click("form[action='/audits'] button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.mark.e2e
def test_two_auditors_fill_an_iso_checklist_and_the_report_opens(journey):
    officer = journey()
    officer.sign_in(QUALITY)

    # Vũ Thị Mai belongs to KSTT: she may not lead the audit of KSTT.
    page = _plan(officer, "KSTT", "Vũ Thị Mai – Chuyên viên Phòng Kiểm soát TTHC", [])
    assert "cannot audit it" in page.inner_text("main")
    officer.shot("impartiality-refused")

    page = _plan(
        officer,
        "QTTV",
        "Trần Văn Hùng – Chuyên viên Phòng Tổng hợp",
        ["Vũ Thị Mai"],
    )
    assert re.search(r"/audits/\d+$", page.url), page.url
    audit_path = page.url[len(officer.base) :]
    code = page.inner_text("h1").split(" · ")[0]
    assert code.startswith("IA-")
    officer.shot("planned")

    lead = journey(**TABLET)
    lead.sign_in(LEAD)
    lead.goto(audit_path)
    lead.submit(f"form[action='{audit_path}/start']")
    assert lead.page.url.endswith(f"{audit_path}/checklist")
    second = journey(**TABLET)
    second.sign_in(SECOND)
    second.goto(f"{audit_path}/checklist")

    ids = lead.page.eval_on_selector_all("li[id^=item-]", "els => els.map(e => e.id)")
    assert len(ids) == 140
    lead.shot("checklist-tablet")

    def answer(tab, item: str, result: str, evidence: str):
        tab.page.check(f"#{item} input[name=result][value={result}]")
        tab.page.fill(f"#{item} textarea[name=evidence]", evidence)
        tab.page.click(f"#{item} button.primary")

    def saved(tab, item: str):
        tab.page.wait_for_function(
            "id => document.querySelector('#' + id + ' .saved-note').textContent.startsWith('Saved')",
            arg=item,
        )

    # Both tablets save at once: each click leaves a request in flight while the other
    # auditor answers the next item.
    for mine, theirs in zip(ids[0::2], ids[1::2], strict=True):
        answer(lead, mine, "conform", "Đã xem hồ sơ mẫu: phù hợp.")
        answer(second, theirs, "not_applicable", "Không thuộc phạm vi của phòng.")
        saved(lead, mine)
        saved(second, theirs)
    assert lead.page.inner_text("[data-answered]") == "70/140"  # what this tab saved
    lead.shot("checklist-filled")

    # The second tablet still holds version 1 of an item the lead auditor answered.
    answer(second, ids[0], "observation", "Sổ theo dõi tài sản ghi chưa đầy đủ.")
    second.page.wait_for_selector(f"#{ids[0]} .js-stale:not([hidden])")
    stale = second.page.inner_text(f"#{ids[0]} .js-stale")
    assert "Trần Văn Hùng" in stale and "Sổ theo dõi tài sản" in stale
    assert second.page.is_checked(f"#{ids[0]} input[value=conform]")  # the newer answer
    second.shot("stale-answer")

    lead.goto(audit_path)
    assert "140/140" in lead.page.inner_text("main")
    lead.page.fill("#f-summary", "Hệ thống được duy trì phù hợp tại Phòng Quản trị – Tài vụ.")
    lead.page.fill("#f-password", DEMO_PASSWORD)
    lead.submit(f"form[action='{audit_path}/report']")
    assert "signed" in lead.page.inner_text(".flash")
    lead.shot("reported")

    pdf = lead.context.request.get(f"{lead.base}/api/v1/audits/{audit_path.rsplit('/', 1)[1]}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.body())).pages
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))
    assert code in text and "Phòng Quản trị – Tài vụ" in text and "Vũ Thị Mai" in text
    assert f"Page 1 of {len(pages)}" in text
    (officer.folder / f"{code}.pdf").write_bytes(pdf.body())
