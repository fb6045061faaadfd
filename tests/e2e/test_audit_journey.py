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


def _view_shot(tab, name: str):
    """The screen as the auditor sees it (a whole 140-item checklist is 60,000 px tall)."""
    tab.counter[0] += 1
    tab.page.screenshot(path=str(tab.folder / f"{tab.counter[0]:02d}-{name}.png"))


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(s) => { const r = document.querySelector(s).getBoundingClientRect();
            return r.top < window.innerHeight && r.bottom > 0; }""",
        selector,
    )


@pytest.mark.e2e
def test_a_minor_nc_asks_for_the_finding_then_a_confirmation_and_can_be_withdrawn(journey):
    """Issue 19.9: one tap of "minor NC" raises nothing. The page comes back at the item
    asking for the finding, then for a confirmation; once raised, the auditor may change
    the answer while the audit is in progress, and the nonconformity is cancelled with the
    reason."""
    tab = journey(lang="vi", **TABLET)
    page = tab.sign_in(SECOND)  # on the team of the demo's audit in progress
    page.goto(tab.base + "/audits?q=IA-2026-02")
    page.click("main a:text('IA-2026-02')")
    page.wait_for_load_state()
    audit_path = page.url.removeprefix(tab.base)
    page.goto(tab.base + audit_path + "/checklist?show=open")
    item = page.eval_on_selector("ol.items > li[id^=item-]", "e => e.id")
    here = f"#{item}"
    page.check(f"{here} input[name=result][value=minor_nc]")
    page.click(f"{here} button.primary")
    page.wait_for_load_state()
    # Refused, back at the item (not 60,000 pixels above it), asking for the finding.
    assert page.url.endswith(here)
    assert page.locator(f"{here} p.error").is_visible() and _in_view(page, f"{here} p.error")
    assert page.locator(f"{here} input[name=confirm_nonconformity]").count() == 0
    assert page.is_checked(f"{here} input[value=minor_nc]")
    _view_shot(tab, "minor-nc-finding-asked")
    finding = "Sổ theo dõi văn bản đến quý 3 không ghi người xử lý ở 12 trên 40 văn bản."
    page.fill(f"{here} textarea[name=evidence]", finding)
    page.click(f"{here} button.primary")
    page.wait_for_load_state()
    confirm = page.locator(f"{here} input[name=confirm_nonconformity]")
    assert confirm.is_visible() and _in_view(page, f"{here} input[name=confirm_nonconformity]")
    assert page.input_value(f"{here} textarea[name=evidence]") == finding
    assert "NC-" not in page.inner_text(here)
    _view_shot(tab, "minor-nc-confirm")
    confirm.check()
    page.click(f"{here} button.primary")
    page.wait_for_load_state()
    page.goto(tab.base + audit_path + "/checklist" + here)
    raised = page.locator(f"{here} .item-meta a[href^='/nonconformities/']")
    code, nc_path = raised.inner_text(), raised.get_attribute("href")
    assert re.fullmatch(r"NC-\d{4}-\d{4}", code), code
    _view_shot(tab, "minor-nc-raised")
    # Changed while the audit is in progress: the reason is asked, the NC cancelled with it.
    page.check(f"{here} input[name=result][value=conform]")
    page.fill(f"{here} textarea[name=evidence]", "Đã kiểm tra lại: người xử lý ghi ở sổ phụ.")
    reason = "Nhầm sổ: người xử lý được ghi ở sổ phụ, đã đối chiếu."
    page.fill(f"{here} textarea[name=change_reason]", reason)
    page.click(f"{here} button.primary")
    page.wait_for_load_state()
    page.goto(tab.base + audit_path + "/checklist" + here)
    assert page.is_checked(f"{here} input[value=conform]")
    page.goto(tab.base + nc_path)
    text = page.inner_text("main")
    assert reason in text and finding in text
    tab.shot("minor-nc-cancelled")
    page.goto(page.url.replace("/nonconformities/", "/trail/nonconformity/"))
    assert reason in page.inner_text("main")
