"""Following up the figures: a nonconformity raised from a missed period (once, linked both
ways), the reminder of figures not entered 10 days after a period, the quality officer's
panel of objectives at risk or missed."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from qms.reminders import service as reminders
from qms.reminders.models import Notification
from tests.objectives.builders import build, today


def test_a_missed_period_raises_one_nonconformity_linked_both_ways(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-01", 99, 100), (f"{year}-02", 70, 100)])
    met_id, missed_id = built.measurement_ids
    api = world.api(world.staff)
    response = api.post(f"/api/v1/measurements/{met_id}/nonconformity")
    assert response.status_code == 409 and response.json()["field"] == "status"
    response = api.post(
        f"/api/v1/measurements/{missed_id}/nonconformity",
        json={"description": "Tháng 2 nhiều hồ sơ đất đai trễ hạn.", "severity": "major"},
    )
    assert response.status_code == 201, response.text
    raised = response.json()
    assert raised["code"].startswith(f"NC-{today(world).year}-")
    nc = api.get(f"/api/v1/nonconformities/{raised['nonconformity_id']}").json()
    assert nc["source"] == "process_monitoring" and nc["severity"] == "major"
    assert nc["department_id"] == world.dept_a.id
    assert built.indicator_code in nc["description"] and f"{year}-02" in nc["description"]
    assert f"/indicators/{built.indicator_id}" in nc["description"]
    # The period keeps the nonconformity, its page links to it, and only once.
    detail = api.get(f"/api/v1/indicators/{built.indicator_id}").json()
    assert detail["measurements"][1]["nonconformity_id"] == raised["nonconformity_id"]
    again = api.post(f"/api/v1/measurements/{missed_id}/nonconformity")
    assert again.status_code == 409 and raised["code"] in again.json()["detail"]
    page = world.browser(world.staff).get(f"/indicators/{built.indicator_id}").text
    assert f'href="/nonconformities/{raised["nonconformity_id"]}"' in page
    assert page.count("Raise a nonconformity") == 0


def test_raising_from_the_page_goes_to_the_new_nonconformity(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-02", 70, 100)])
    browser = world.browser(world.quality_officer)
    page = f"/indicators/{built.indicator_id}"
    assert "Raise a nonconformity" in browser.get(page).text
    response = browser.submit(
        f"/measurements/{built.measurement_ids[0]}/nonconformity",
        {"severity": "minor", "description": ""},
        page=page,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/nonconformities/")
    refused = browser.submit(
        f"/measurements/{built.measurement_ids[0]}/nonconformity", {"severity": "minor"}, page=page
    )
    assert refused.status_code == 409 and "already raised" in refused.text
    assert (
        world.browser(world.auditor)
        .submit(f"/measurements/{built.measurement_ids[0]}/nonconformity", {}, page=page)
        .status_code
        == 403
    )


def _made(engine):
    with Session(engine) as session:
        return list(
            session.exec(select(Notification).where(Notification.rule == "measurement_due")).all()
        )


def test_figures_not_entered_10_days_after_the_period_remind_the_data_owner(
    world, engine, settings
):
    year = today(world).year
    built = build(world, figures=[(f"{year}-01", 99, 100)])
    # January is entered; February's figures fall due on 10 March.
    reminders.sweep(engine=engine, settings=settings, as_of=date(year, 3, 10))
    rows = _made(engine)
    periods = {n.params for n in rows if n.due_on == date(year, 3, 10)}
    assert rows and all(n.recipient_id == world.staff.id for n in rows)
    assert any(f"{year}-02" in p for p in periods)
    assert all(f'{year}-01"' not in n.params for n in rows)
    assert {n.stage for n in rows if n.due_on == date(year, 3, 10)} == {"due"}
    assert all(n.url == f"/indicators/{built.indicator_id}#enter-title" for n in rows)
    # A week late, the manager of the department is told too.
    reminders.sweep(engine=engine, settings=settings, as_of=date(year, 3, 12))
    late = [
        n for n in _made(engine) if n.stage.startswith("overdue") and n.due_on == date(year, 3, 10)
    ]
    assert {n.recipient_id for n in late} == {world.staff.id, world.manager.id}


def test_entered_figures_and_objectives_not_in_force_are_not_reminded(world, engine, settings):
    year = today(world).year
    build(world, "draft")
    build(world, "achieved", figures=[(f"{year}-01", 99, 100)])
    reminders.sweep(engine=engine, settings=settings, as_of=date(year, 12, 31))
    assert _made(engine) == []
    built = build(world, figures=[(f"{year}-01", 99, 100)])
    reminders.sweep(engine=engine, settings=settings, as_of=date(year, 2, 10) - timedelta(days=40))
    assert _made(engine) == []
    reminders.sweep(engine=engine, settings=settings, as_of=date(year, 2, 10))
    assert all(n.record_id == built.indicator_id for n in _made(engine))
    assert not [n for n in _made(engine) if f'{year}-01"' in n.params]


def test_the_quality_officers_home_shows_objectives_at_risk_or_missed(world):
    year = today(world).year
    build(world, figures=[(f"{year}-01", 10, 100)])
    build(world, figures=[(f"{year}-01", 94, 100)])
    build(world, figures=[(f"{year}-01", 99, 100)])
    home = world.browser(world.quality_officer).get("/").text
    assert "Objectives at risk or missed" in home
    assert 'Objectives missing their target</th><td class="num">1' in home
    assert 'Objectives at risk</th><td class="num">1' in home
    assert "Objectives at risk or missed" not in world.browser(world.staff).get("/").text
