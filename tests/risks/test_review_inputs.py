"""The figures the management review reads (9.3.2 b and e), and the register behind each."""

from __future__ import annotations

from datetime import timedelta

from qms.db import unit_of_work
from qms.review_inputs import Figure
from qms.risks import service
from tests.risks.builders import build, today


def _figures(world, start, end) -> dict[str, Figure]:
    with unit_of_work(world.engine, write=False) as session:
        found = service.review_inputs(session=session, start=start, end=end)
    keys = [f.key for f in found]
    assert len(keys) == len(set(keys)), keys
    assert all(k.startswith("risks.") for k in keys)
    assert all(f.section in ("b", "e") for f in found)
    # A held review freezes them as JSON and reads them back.
    assert [Figure.from_json(f.as_json()) for f in found] == found
    return {f.key: f for f in found}


def _register_codes(world, href: str) -> set[str]:
    page = world.api(world.staff).get("/api/v1" + href)
    assert page.status_code == 200, page.text
    return {row["code"] for row in page.json()}


def test_review_inputs_count_the_period_and_link_to_the_entries_behind_them(world):
    day = today(world)
    before = day - timedelta(days=40)
    old = build(world, "open", day=before, likelihood=5, impact=4, title="Cũ")
    treated = build(world, "monitored", likelihood=4, impact=4)
    closed = build(world, "closed", likelihood=1, impact=2)
    opportunity = build(world, "open", kind="opportunity", likelihood=3, impact=3)
    # treated: re-assessed lower in the period; old: re-assessed higher.
    api = world.api(world.manager)
    version = api.get(f"/api/v1/risks/{treated.id}").json()["version"]
    response = api.post(
        f"/api/v1/risks/{treated.id}/assess",
        json={
            "likelihood": 2,
            "impact": 2,
            "comment": "Đã bố trí thêm cán bộ.",
            "version": version,
        },
    )
    assert response.status_code == 200, response.text
    version = api.get(f"/api/v1/risks/{old.id}").json()["version"]
    response = api.post(
        f"/api/v1/risks/{old.id}/assess",
        json={"likelihood": 5, "impact": 5, "comment": "Tăng lượng hồ sơ.", "version": version},
    )
    assert response.status_code == 200, response.text

    figures = _figures(world, day - timedelta(days=7), day)
    expected = {
        "risks.raised": {treated.code, closed.code, opportunity.code},
        "risks.opportunities_raised": {opportunity.code},
        "risks.reassessed": {treated.code, old.code},
        "risks.closed": {closed.code},
        "risks.open.low": {treated.code},
        "risks.open.medium": {opportunity.code},
        "risks.open.high": set(),
        "risks.open.critical": {old.code},
        "risks.residual_lower": {treated.code},
        "risks.open_high": {old.code},
        "risks.actions_done": {treated.code, closed.code},
    }
    for key, codes in expected.items():
        figure = figures[key]
        assert _register_codes(world, figure.href) == codes, key
        if key != "risks.actions_done":
            assert figure.value == len(codes), key
    # Two actions done in the period, one in each of the two entries.
    assert figures["risks.actions_done"].value == 2
    assert figures["risks.open.high"].section == "b"
    assert figures["risks.open_high"].section == "e"

    # An earlier period sees only the old entry.
    earlier = _figures(world, before - timedelta(days=1), before + timedelta(days=1))
    assert earlier["risks.raised"].value == 1
    assert earlier["risks.reassessed"].value == 0
    assert earlier["risks.actions_done"].value == 0


def test_review_inputs_count_context_changes(world):
    day = today(world)
    qo = world.api(world.quality_officer)
    assert (
        qo.post(
            "/api/v1/context-issues",
            json={"kind": "external", "title": "Đề án 06 về chuyển đổi số"},
        ).status_code
        == 201
    )
    assert (
        qo.post(
            "/api/v1/interested-parties",
            json={"name": "Người dân, doanh nghiệp", "requirements": "Trả kết quả đúng hạn."},
        ).status_code
        == 201
    )
    figures = _figures(world, day - timedelta(days=1), day)
    assert figures["risks.context_issues_changed"].value == 1
    assert figures["risks.interested_parties_changed"].value == 1
    later = _figures(world, day + timedelta(days=1), day + timedelta(days=2))
    assert later["risks.context_issues_changed"].value == 0
