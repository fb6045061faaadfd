"""Issue 14, tried as a new user would, in Vietnamese: a manager scores a risk, plans a
treatment action, completes it, re-assesses the entry lower, and sees it move on the heat
map (screenshots at desktop and tablet widths)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

TABLET = {"width": 800, "height": 1280}
DESKTOP = {"width": 1280, "height": 900}


def shots(tab, name: str) -> None:
    """The page at desktop width, then at a 10-inch tablet's portrait width."""
    tab.shot(f"{name}-desktop")
    tab.page.set_viewport_size(TABLET)
    tab.shot(f"{name}-tablet")
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"{name}: {width}px wide on a tablet"
    tab.page.set_viewport_size(DESKTOP)


def cell_count(page, likelihood: int, impact: int) -> int:
    link = page.locator(
        f"td.heat-cell a[href*='likelihood={likelihood}'][href*='impact={impact}']"
    ).first
    return int(link.inner_text().strip())


@pytest.mark.e2e
def test_a_manager_treats_a_risk_and_sees_it_move_on_the_heat_map(journey):
    manager = journey(lang="vi")
    page = manager.sign_in("giamdoc@ubnd.demo.vn")
    manager.goto("/risks/heatmap")
    high_before, low_before = cell_count(page, 4, 5), cell_count(page, 2, 2)

    manager.goto("/risks/new")
    page.fill("#f-title", "Hồ sơ đất đai trả kết quả trễ hạn do thiếu cán bộ thẩm định")
    page.fill("#f-process", "Tiếp nhận và trả kết quả hồ sơ đất đai")
    page.fill("#f-cause", "Một cán bộ thẩm định nghỉ thai sản, chưa có người thay.")
    page.fill("#f-consequence", "Người dân phải đi lại nhiều lần; khiếu nại về trễ hạn.")
    page.select_option("#f-likelihood", "4")
    page.select_option("#f-impact", "5")
    shots(manager, "score")
    manager.submit("form[action='/risks']")
    assert "Đã đưa mục vào sổ." in page.inner_text("main")
    code = page.inner_text("h1").split()[0]
    assert re.fullmatch(r"RR-\d{4}-\d{3}", code), code
    path = page.url.split(manager.base, 1)[1]
    assert "20 · " in page.inner_text("h1")

    # The treatment: mitigate, then one action owned by the manager himself.
    page.select_option("#f-treatment", "mitigate")
    manager.submit("form[action$='/treatment']")
    page.fill("#f-description", "Điều động một cán bộ Phòng Tài nguyên hỗ trợ thẩm định.")
    page.fill("#f-due_on", (date.today() + timedelta(days=14)).isoformat())
    shots(manager, "plan")
    manager.submit("form[action$='/actions']")
    actions = page.inner_text("#actions-title + div")
    assert "Điều động một cán bộ" in actions

    page.fill("textarea[name=evidence]", "Quyết định điều động số 15/QĐ-UBND ngày 03/12.")
    manager.submit("form[action^='/risk-actions/']")
    assert "Quyết định điều động số 15" in page.inner_text("#actions-title + div")
    shots(manager, "completed")

    manager.goto("/risks/heatmap")
    assert cell_count(page, 4, 5) == high_before + 1

    manager.goto(path)
    page.select_option("#f-likelihood", "2")
    page.select_option("#f-impact", "2")
    page.fill("#f-comment", "Đã có cán bộ thay thế; hai tuần không có hồ sơ trễ hạn.")
    manager.submit("form[action$='/assess']")
    heading = page.inner_text("h1")
    assert "4 · " in heading, heading
    history = page.inner_text("#history-title + div")
    assert "Đã có cán bộ thay thế" in history
    shots(manager, "reassessed")

    manager.goto("/risks/heatmap")
    assert cell_count(page, 4, 5) == high_before
    assert cell_count(page, 2, 2) == low_before + 1
    shots(manager, "heatmap")
    # The cell leads to the register filtered to it, where the entry now is.
    page.locator("td.heat-cell a[href*='likelihood=2'][href*='impact=2']").first.click()
    page.wait_for_load_state()
    assert code in page.inner_text("main")
    shots(manager, "cell")
