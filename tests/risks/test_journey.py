"""Tried as a new user would, through the pages: a manager scores a risk, plans an action,
the owner completes it, the manager re-assesses it lower and sees it move on the heat map."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.risks.builders import today


def _cell(page: str, likelihood: int, impact: int) -> str:
    found = re.search(
        rf'<a href="(/risks\?active=true&amp;likelihood={likelihood}&amp;impact={impact})"[^>]*>(\d+)</a>',
        page,
    )
    assert found, (likelihood, impact)
    return found.group(2)


def test_manager_scores_treats_and_reassesses_a_risk_through_the_pages(world):
    manager = world.browser(world.manager)
    page = manager.get("/risks/new")
    assert page.status_code == 200
    response = manager.submit(
        "/risks",
        {
            "kind": "risk",
            "title": "Mất kết nối hệ thống E-Office",
            "department_id": str(world.dept_a.id),
            "owner_id": str(world.manager.id),
            "cause": "Máy chủ đặt tại một nơi, không có dự phòng.",
            "consequence": "Văn bản điện tử không đến kịp các sở, huyện.",
            "likelihood": "4",
            "impact": "5",
            "clauses": "6.1, 7.1.3",
        },
        page="/risks/new",
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    risk_id = int(url.rsplit("/", 1)[1])
    page = manager.get(url).text
    assert "RR-%d-001" % today(world).year in page
    # 4 × 5 = 20: critical, shown with its colour.
    assert "risk-level-critical" in page and "#f4a6a6" in page
    assert _cell(manager.get("/risks/heatmap").text, 4, 5) == "1"

    assert (
        manager.submit(
            f"/risks/{risk_id}/treatment", {"treatment": "mitigate", "version": "1"}, page=url
        ).status_code
        == 303
    )
    due = (today(world) + timedelta(days=20)).isoformat()
    response = manager.submit(
        f"/risks/{risk_id}/actions",
        {
            "description": "Lắp đặt máy chủ dự phòng.",
            "owner_id": str(world.staff.id),
            "due_on": due,
        },
        page=url,
    )
    assert response.status_code == 303, response.text
    page = manager.get(url).text
    assert "Lắp đặt máy chủ dự phòng." in page and "status-treating" in page

    staff = world.browser(world.staff)
    page = staff.get(url).text
    action_id = re.search(r'action="/risk-actions/(\d+)/complete"', page).group(1)
    response = staff.submit(
        f"/risk-actions/{action_id}/complete",
        {"evidence": "Biên bản nghiệm thu.", "version": "1"},
        page=url,
    )
    assert response.status_code == 303, response.text
    page = manager.get(url).text
    assert "status-monitored" in page
    version = re.search(
        r'action="/risks/\d+/assess">\s*<input[^>]*>\s*<input type="hidden" name="version" value="(\d+)"',
        page,
    ).group(1)

    # A score outside 1..5 is refused beside its field, nothing kept.
    response = manager.submit(
        f"/risks/{risk_id}/assess",
        {"likelihood": "6", "impact": "2", "comment": "Sai.", "version": version},
        page=url,
    )
    assert response.status_code == 422
    assert 'id="likelihood-error"' in response.text
    response = manager.submit(
        f"/risks/{risk_id}/assess",
        {"likelihood": "2", "impact": "3", "comment": "Có máy chủ dự phòng.", "version": version},
        page=url,
    )
    assert response.status_code == 303, response.text
    page = manager.get(url).text
    # The history: inherent 20 critical, then residual 6 medium with who and why.
    history = page[page.index('id="history-title"') :]
    assert history.index("assessment-inherent") < history.index("assessment-residual")
    assert "Có máy chủ dự phòng." in history and "risk-level-medium" in history
    heat = manager.get("/risks/heatmap").text
    assert _cell(heat, 4, 5) == "0" and _cell(heat, 2, 3) == "1"
    register = manager.get("/risks?active=true&likelihood=2&impact=3").text
    assert f'href="/risks/{risk_id}"' in register


def test_a_stale_form_is_refused_and_changes_nothing(world):
    from tests.risks.builders import build, load

    built = build(world, "open")
    manager = world.browser(world.manager)
    url = f"/risks/{built.id}"
    response = manager.submit(
        f"{url}/assess",
        {"likelihood": "1", "impact": "1", "comment": "Cũ.", "version": str(built.version - 1)},
        page=url,
    )
    assert response.status_code == 409
    assert load(world, built).score == 12


def test_pages_show_in_vietnamese(world):
    from tests.risks.builders import build

    built = build(world, "treating")
    browser = world.browser(world.manager)
    browser.cookies.set("qms_lang", "vi")
    for path in ("/risks", "/risks/heatmap", f"/risks/{built.id}", "/risks/new", "/risks/context"):
        page = browser.get(path)
        assert page.status_code == 200, path
        assert 'lang="vi"' in page.text
