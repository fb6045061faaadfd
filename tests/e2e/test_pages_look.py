"""In Chromium at a 10-inch tablet's widths (800 px portrait, 1280 px landscape): the
tick-box multi-select works by touch, each row a 44-pixel target in a frame that scrolls,
and the one pager reads on one row with buttons big enough to tap (issue 19.7, 19.10)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, RESULTS

WIDTHS = {"portrait": (800, 1280), "landscape": (1280, 800)}
# Audits planned in a year of their own, so that its list has a second page and nothing
# the other pages show (this year's programme, the home's work) changes.
PAGER_YEAR = 2030
PAGE_SIZE = 25  # qms.audits.web.PAGE_SIZE


def signed_in(chromium, base: str, email: str, *, lang: str = "en", touch: bool = False):
    width, height = WIDTHS["portrait"]
    context = chromium.new_context(
        viewport={"width": width, "height": height}, locale=lang, has_touch=touch
    )
    context.add_cookies([{"name": "qms_lang", "value": lang, "url": base}])
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    return context, page


def plan_audits_for_the_pager(page, base: str, *, year: int = PAGER_YEAR) -> None:
    """Enough audits in `year` for its list to have two pages, planned through the API with
    the quality officer's browser session (and the page's CSRF token); once per server."""
    total = page.request.get(f"{base}/api/v1/audits?year={year}&limit=1").json()["total"]
    if total > PAGE_SIZE:
        return
    page.goto(base + "/audits/new")
    token = page.get_attribute("input[name=csrf_token]", "value")
    options = "els => els.map(e => e.value).filter(Boolean)"
    leads = page.eval_on_selector_all("#f-lead_auditor_id option", options)
    departments = page.eval_on_selector_all("#f-department_id option", options)
    headers = {"x-csrf-token": token, "content-type": "application/json"}
    # The lead auditor may not audit their own department: find a pair that is allowed.
    pairs = [(lead, dep) for lead in leads for dep in departments]
    made = total
    while made <= PAGE_SIZE:
        lead, department = pairs[made % len(pairs)]
        month = made % 12 + 1
        body = {
            "title": f"Đánh giá nội bộ kỳ {made + 1}",
            "scope": "Các quá trình của đơn vị.",
            "criteria": "TCVN ISO 9001:2015.",
            "department_id": int(department),
            "lead_auditor_id": int(lead),
            "auditor_ids": [],
            "planned_start_on": f"{year}-{month:02d}-10",
            "planned_end_on": f"{year}-{month:02d}-11",
            "template_keys": ["iso9001-2015"],
        }
        response = page.request.post(
            f"{base}/api/v1/audits", data=json.dumps(body), headers=headers
        )
        if response.status == 201:
            made += 1
        else:
            assert response.status == 409, response.text()
            pairs.remove((lead, department))  # that lead belongs to that department
            assert pairs, response.text()


@pytest.mark.e2e
def test_the_multi_select_works_by_touch_at_tablet_widths(chromium, live_server):
    context, page = signed_in(chromium, live_server, "chatluong@ubnd.demo.vn", touch=True)
    folder = RESULTS / "pages-look"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(live_server + "/audits/new")
            assert page.locator("select[multiple]").count() == 0
            rows = page.locator("#choices-auditor_ids label.choice")
            assert rows.count() >= 2
            for index in range(rows.count()):
                box = rows.nth(index).bounding_box()
                assert box["height"] >= 44, f"{label}: row {index} is {box['height']} px"
            frame = page.locator("#choices-auditor_ids .choice-list")
            assert frame.evaluate("e => getComputedStyle(e).overflowY") == "auto"
            # A tap on the name (not the little box) ticks it; a second tap unticks it.
            first = rows.nth(0)
            box = first.locator("input")
            assert not box.is_checked()
            first.locator("span").first.tap()
            assert box.is_checked()
            rows.nth(1).locator("span").first.tap()
            assert rows.nth(1).locator("input").is_checked()
            first.locator("span").first.tap()
            assert not box.is_checked()
            page.screenshot(path=str(folder / f"multi-select-{label}.png"), full_page=True)
        # The documents concerned of a new nonconformity, by touch too.
        page.goto(live_server + "/nonconformities/new")
        choice = page.locator("#choices-document_ids label.choice").nth(0)
        choice.tap()
        assert choice.locator("input").is_checked()
        assert choice.bounding_box()["height"] >= 44
    finally:
        context.close()


@pytest.mark.e2e
def test_the_pager_reads_on_one_row_with_buttons_to_tap(chromium, live_server):
    context, page = signed_in(chromium, live_server, "chatluong@ubnd.demo.vn")
    folder = RESULTS / "pages-look"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        plan_audits_for_the_pager(page, live_server)
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{live_server}/audits?year={PAGER_YEAR}")
            pager = page.locator("nav.pager")
            assert pager.count() == 1
            assert "Page 1 of 2" in pager.inner_text()
            following = pager.locator("a[rel=next]")
            step = following.bounding_box()
            assert step["height"] >= 44, f"{label}: {step}"
            where = pager.locator(".pager-where").bounding_box()
            # One row: the place and the button share a line, within the page's width.
            assert abs((where["y"] + where["height"] / 2) - (step["y"] + step["height"] / 2)) < 4
            assert step["x"] + step["width"] <= width
            pager.scroll_into_view_if_needed()
            page.screenshot(path=str(folder / f"pager-{label}.png"), full_page=True)
            following.click()
            page.wait_for_load_state()
            assert "Page 2 of 2" in page.inner_text("nav.pager")
            back = page.locator("nav.pager a[rel=prev]")
            assert back.bounding_box()["height"] >= 44
            assert page.locator("nav.pager a[rel=next]").count() == 0
            # The same look as the first page's step.
            look = "e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e).fontWeight]"
            assert back.evaluate(look) == following_look(page, live_server, label)
    finally:
        context.close()


def following_look(page, base: str, _label: str):
    other = page.context.new_page()
    try:
        other.goto(f"{base}/audits?year={PAGER_YEAR}")
        look = "e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e).fontWeight]"
        return other.locator("nav.pager a[rel=next]").evaluate(look)
    finally:
        other.close()
