"""The pages as a quality officer and a data owner use them: real forms (CSRF, POST → 303),
refusals shown beside their field, in English and Vietnamese."""

from __future__ import annotations

import re

from tests.objectives.builders import build, indicator_body, objective_body, today


def _id_from(location: str) -> int:
    return int(re.search(r"/(\d+)$", location).group(1))


def test_a_quality_officer_sets_an_objective_adds_an_indicator_and_puts_it_in_force(world):
    year = today(world).year
    browser = world.browser(world.quality_officer)
    form = browser.get("/objectives/new")
    assert form.status_code == 200 and 'name="plan"' in form.text
    body = objective_body(world)
    refused = browser.submit("/objectives", {**body, "evaluation": ""}, page="/objectives/new")
    assert refused.status_code == 422 and 'id="evaluation-error"' in refused.text
    assert "Giải quyết hồ sơ TTHC đúng hạn" in refused.text  # what was typed is kept
    response = browser.submit("/objectives", body, page="/objectives/new")
    assert response.status_code == 303
    objective_id = _id_from(response.headers["location"])
    page = f"/objectives/{objective_id}"
    record = browser.get(page).text
    assert f"MT-{year}-01" in record and "Add an indicator" in record
    # The objective cannot go into force without an indicator: said at the top of the page.
    refused = browser.submit(f"{page}/activate", {"version": "1"}, page=page)
    assert refused.status_code == 409 and "at least one indicator" in refused.text
    refused = browser.submit(
        f"{page}/indicators", {**indicator_body(), "target": "nhiều"}, page=page
    )
    assert refused.status_code == 422 and 'id="target-error"' in refused.text
    response = browser.submit(f"{page}/indicators", indicator_body(target="95,5"), page=page)
    assert response.status_code == 303
    indicator_id = _id_from(response.headers["location"])
    assert "95.5" in browser.get(f"/api/v1/indicators/{indicator_id}").text
    version = browser.get(f"/api/v1/objectives/{objective_id}").json()["version"]
    stale = browser.submit(f"{page}/activate", {"version": str(version - 1)}, page=page)
    assert stale.status_code == 409
    assert (
        browser.submit(f"{page}/activate", {"version": str(version)}, page=page).status_code == 303
    )
    assert "Put the objective in force" not in browser.get(page).text


def test_the_data_owner_enters_and_corrects_figures_on_the_indicator_page(world):
    year = today(world).year
    built = build(world)
    browser = world.browser(world.staff)
    page = f"/indicators/{built.indicator_id}"
    text = browser.get(page).text
    assert "Enter a period&#39;s figures" in text and f'<option value="{year}-01"' in text
    refused = browser.submit(
        f"{page}/measurements",
        {"period": f"{year}-01", "numerator": "950", "denominator": "900"},
        page=page,
    )
    assert refused.status_code == 422 and 'id="numerator-error"' in refused.text
    response = browser.submit(
        f"{page}/measurements",
        {"period": f"{year}-01", "numerator": "700", "denominator": "900", "note": "Tết"},
        page=page,
    )
    assert response.status_code == 303
    measurement = browser.get(f"/api/v1/indicators/{built.indicator_id}").json()["measurements"][0]
    assert measurement["status"] == "missed"
    text = browser.get(page).text
    assert "Correct the figures" in text and f'<option value="{year}-01"' not in text
    url = f"/measurements/{measurement['id']}/correct"
    refused = browser.submit(
        url, {"numerator": "880", "denominator": "900", "reason": "", "version": "1"}, page=page
    )
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    response = browser.submit(
        url,
        {"numerator": "880", "denominator": "900", "reason": "Sai số tổng hợp.", "version": "1"},
        page=page,
    )
    assert response.status_code == 303
    stale = browser.submit(
        url,
        {"numerator": "881", "denominator": "900", "reason": "Lần nữa.", "version": "1"},
        page=page,
    )
    assert stale.status_code == 409
    # Another person sees the figures but no form.
    other = world.browser(world.auditor).get(page).text
    assert "97.8" in other and "Correct the figures" not in other
    assert "Enter a period&#39;s figures" not in other


def test_the_manager_edits_the_draft_and_the_quality_officer_evaluates(world):
    draft = build(world, "draft")
    manager = world.browser(world.manager)
    page = f"/objectives/{draft.id}"
    assert "Edit the draft" in manager.get(page).text
    version = manager.get(f"/api/v1/objectives/{draft.id}").json()["version"]
    body = {**objective_body(world, title="Mục tiêu đã sửa"), "version": str(version)}
    assert manager.submit(f"{page}/edit", body, page=page).status_code == 303
    assert "Mục tiêu đã sửa" in manager.get(page).text
    assert "Edit the draft" not in world.browser(world.manager_b).get(page).text
    active = build(world)
    officer = world.browser(world.quality_officer)
    page = f"/objectives/{active.id}"
    version = officer.get(f"/api/v1/objectives/{active.id}").json()["version"]
    refused = officer.submit(
        f"{page}/evaluate",
        {"result": "achieved", "comment": "", "version": str(version)},
        page=page,
    )
    assert refused.status_code == 422 and 'id="comment-error"' in refused.text
    response = officer.submit(
        f"{page}/evaluate",
        {"result": "achieved", "comment": "Đạt.", "version": str(version)},
        page=page,
    )
    assert response.status_code == 303
    assert "achieved" in officer.get(page).text
    cancelled = build(world, "draft")
    page = f"/objectives/{cancelled.id}"
    version = officer.get(f"/api/v1/objectives/{cancelled.id}").json()["version"]
    response = officer.submit(
        f"{page}/cancel", {"reason": "Trùng.", "version": str(version)}, page=page
    )
    assert response.status_code == 303 and "Trùng." in officer.get(page).text


def test_the_register_and_the_periods_read_in_vietnamese(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-01", 10, 100)])
    browser = world.browser(world.staff)
    browser.cookies.set("qms_lang", "vi")
    text = browser.get("/objectives").text
    assert "Mục tiêu chất lượng" in text and built.code in text and "không đạt" in text
    text = browser.get(f"/objectives?year={year}&standing=met").text
    assert built.code not in text and "Không có mục tiêu nào phù hợp." in text
    text = browser.get("/indicators?status=missed").text
    assert "Các kỳ đã đo" in text and built.indicator_code in text
    text = browser.get(f"/indicators/{built.indicator_id}").text
    assert "Lũy kế từ đầu năm" in text
    # Nonsense filters are ignored, not a 500.
    assert browser.get("/objectives?year=abc&standing=x&as_of=soon").status_code == 200
    assert browser.get("/indicators?ended_from=x&department_id=-1").status_code == 200


def test_the_trail_of_an_objective_and_of_a_period_reads_in_words(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-01", 80, 100)])
    api = world.api(world.staff)
    api.patch(
        f"/api/v1/measurements/{built.measurement_ids[0]}",
        json={"numerator": 97, "denominator": 100, "reason": "Nhập nhầm.", "version": 1},
    )
    browser = world.browser(world.quality_officer)
    text = browser.get(f"/trail/objective/{built.id}").text
    assert "put in force" in text and "Quality objective" in text
    text = browser.get(f"/trail/measurement/{built.measurement_ids[0]}").text
    assert "figures corrected" in text and "Nhập nhầm." in text
    assert "Numerator" in text and "missed" in text
