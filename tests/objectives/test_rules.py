"""The rules of objectives, indicators and measurements, from outside through the API:
each allowed move, each refusal (403, 409, 422 naming the field), the pooled year to date."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from qms.trail.models import TrailEvent
from tests.objectives.builders import build, indicator_body, objective_body, today


def _events(world, record_type, record_id):
    with Session(world.engine) as session:
        return list(
            session.exec(
                select(TrailEvent)
                .where(TrailEvent.record_type == record_type, TrailEvent.record_id == record_id)
                .order_by(TrailEvent.seq)
            ).all()
        )


def _new(world, **changes):
    api = world.api(world.quality_officer)
    response = api.post("/api/v1/objectives", json=objective_body(world, **changes))
    assert response.status_code == 201, response.text
    return response.json()


# --- objectives -------------------------------------------------------------------------


def test_codes_are_gap_free_per_year_and_creation_is_in_the_trail(world):
    year = today(world).year
    first, second = _new(world), _new(world)
    earlier = _new(world, year=year - 1, due_on=f"{year - 1}-12-31")
    assert (first["code"], second["code"]) == (f"MT-{year}-01", f"MT-{year}-02")
    assert earlier["code"] == f"MT-{year - 1}-01"
    assert first["status"] == "draft" and first["version"] == 1 and first["standing"] is None
    # A refused creation gives no number away.
    api = world.api(world.quality_officer)
    assert api.post("/api/v1/objectives", json=objective_body(world, plan=" ")).status_code == 422
    assert _new(world)["code"] == f"MT-{year}-03"
    events = _events(world, "objective", first["id"])
    assert [e.action for e in events] == ["created"]
    assert json.loads(events[0].changes)["code"] == [None, first["code"]]


def test_only_a_quality_officer_sets_an_objective(world):
    for person in (world.manager, world.staff, world.admin, world.auditor):
        response = world.api(person).post("/api/v1/objectives", json=objective_body(world))
        assert response.status_code == 403, person.email


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"plan": ""}, "plan"),
        ({"evaluation": " "}, "evaluation"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"department_id": 999_999}, "department_id"),
        ({"due_on": "2001-01-01"}, "due_on"),
        ({"year": 1999}, "year"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, changes, field):
    response = world.api(world.quality_officer).post(
        "/api/v1/objectives", json=objective_body(world, **changes)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_the_owners_department_manager_edits_a_draft_with_its_version(world):
    built = build(world, "draft")
    manager = world.api(world.manager)
    url = f"/api/v1/objectives/{built.id}"
    version = manager.get(url).json()["version"]
    response = manager.patch(
        url, json={"title": "Giải quyết 98 % hồ sơ đúng hạn", "version": version}
    )
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Giải quyết 98 % hồ sơ đúng hạn"
    assert response.json()["version"] == version + 1
    # The same version again is stale; no version at all is a 422 naming it.
    stale = manager.patch(url, json={"title": "Khác", "version": version})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    assert manager.patch(url, json={"title": "Khác"}).json()["field"] == "version"
    # A manager of another department may not.
    other = world.api(world.manager_b).patch(url, json={"title": "X", "version": version + 1})
    assert other.status_code == 403
    events = _events(world, "objective", built.id)
    assert events[-1].action == "updated"
    assert json.loads(events[-1].changes)["title"][1] == "Giải quyết 98 % hồ sơ đúng hạn"


def test_an_objective_in_force_is_no_longer_edited(world):
    built = build(world, "active")
    api = world.api(world.quality_officer)
    version = api.get(f"/api/v1/objectives/{built.id}").json()["version"]
    response = api.patch(f"/api/v1/objectives/{built.id}", json={"title": "X", "version": version})
    assert response.status_code == 409 and response.json()["field"] == "status"


def test_activation_needs_an_indicator_and_happens_once(world):
    api = world.api(world.quality_officer)
    bare = build(world, "draft", with_indicator=False)
    response = api.post(f"/api/v1/objectives/{bare.id}/activate")
    assert response.status_code == 409 and response.json()["field"] == "indicators"
    built = build(world, "draft")
    assert (
        world.api(world.manager).post(f"/api/v1/objectives/{built.id}/activate").status_code == 403
    )
    response = api.post(f"/api/v1/objectives/{built.id}/activate")
    assert response.status_code == 200 and response.json()["status"] == "active"
    again = api.post(f"/api/v1/objectives/{built.id}/activate")
    assert again.status_code == 409
    assert [e.action for e in _events(world, "objective", built.id)][-1] == "activated"


def test_evaluation_closes_an_objective_in_force(world):
    api = world.api(world.quality_officer)
    draft = build(world, "draft")
    response = api.post(
        f"/api/v1/objectives/{draft.id}/evaluate", json={"result": "achieved", "comment": "Đạt."}
    )
    assert response.status_code == 409
    built = build(world, "active")
    url = f"/api/v1/objectives/{built.id}/evaluate"
    assert api.post(url, json={"result": "cancelled", "comment": "x"}).json()["field"] == "result"
    assert api.post(url, json={"result": "achieved", "comment": " "}).json()["field"] == "comment"
    assert (
        world.api(world.manager)
        .post(url, json={"result": "achieved", "comment": "Đạt."})
        .status_code
        == 403
    )
    response = api.post(url, json={"result": "not_achieved", "comment": "Tháng 3 không đạt."})
    assert response.status_code == 200
    assert response.json()["status"] == "not_achieved"
    assert response.json()["evaluation_comment"] == "Tháng 3 không đạt."
    assert api.post(url, json={"result": "achieved", "comment": "Đạt."}).status_code == 409


def test_cancelling_needs_a_reason_and_ends_the_objective(world):
    api = world.api(world.quality_officer)
    built = build(world, "active")
    url = f"/api/v1/objectives/{built.id}/cancel"
    assert api.post(url, json={"reason": ""}).json()["field"] == "reason"
    response = api.post(url, json={"reason": "Gộp vào MT khác."})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.post(f"/api/v1/objectives/{built.id}/activate").status_code == 409
    events = _events(world, "objective", built.id)
    assert events[-1].action == "cancelled" and events[-1].reason == "Gộp vào MT khác."


# --- indicators -------------------------------------------------------------------------


def test_indicators_are_numbered_within_their_objective(world):
    built = build(world, "draft", with_indicator=False)
    api = world.api(world.quality_officer)
    url = f"/api/v1/objectives/{built.id}/indicators"
    first = api.post(url, json=indicator_body())
    second = api.post(
        url,
        json=indicator_body(
            name="Hồ sơ trả qua bưu điện",
            kind="value",
            unit="hồ sơ",
            target=60,
            frequency="quarterly",
        ),
    )
    assert first.status_code == 201, first.text
    assert first.json()["code"] == f"{built.code}.1"
    assert second.json()["code"] == f"{built.code}.2" and second.json()["unit"] == "hồ sơ"
    assert first.json()["data_owner_id"] == world.manager.id  # the objective's owner
    detail = api.get(f"/api/v1/objectives/{built.id}").json()
    assert [i["code"] for i in detail["indicators"]] == [f"{built.code}.1", f"{built.code}.2"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "mean"}, "kind"),
        ({"direction": "up"}, "direction"),
        ({"frequency": "weekly"}, "frequency"),
        ({"target": 150}, "target"),
        ({"at_risk_margin": -1}, "at_risk_margin"),
        ({"data_owner_id": 999_999}, "data_owner_id"),
    ],
)
def test_bad_indicators_are_refused_naming_the_field(world, changes, field):
    built = build(world, "draft", with_indicator=False)
    response = world.api(world.quality_officer).post(
        f"/api/v1/objectives/{built.id}/indicators", json=indicator_body(**changes)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_only_a_quality_officer_adds_an_indicator_to_an_objective_in_force(world):
    built = build(world, "active")
    url = f"/api/v1/objectives/{built.id}/indicators"
    response = world.api(world.manager).post(url, json=indicator_body())
    assert response.status_code == 409 and response.json()["field"] == "status"
    assert world.api(world.staff).post(url, json=indicator_body()).status_code == 403
    assert world.api(world.quality_officer).post(url, json=indicator_body()).status_code == 201
    closed = build(world, "achieved")
    response = world.api(world.quality_officer).post(
        f"/api/v1/objectives/{closed.id}/indicators", json=indicator_body()
    )
    assert response.status_code == 409


# --- measurements -----------------------------------------------------------------------


def _enter(world, person, indicator_id, **body):
    return world.api(person).post(f"/api/v1/indicators/{indicator_id}/measurements", json=body)


def test_the_year_to_date_of_a_ratio_pools_numerators_and_denominators(world):
    year = today(world).year
    built = build(world, "active")
    assert (
        _enter(
            world, world.staff, built.indicator_id, period=f"{year}-01", numerator=9, denominator=10
        ).json()["value"]
        == 90.0
    )
    assert (
        _enter(
            world, world.staff, built.indicator_id, period=f"{year}-02", numerator=1, denominator=90
        ).status_code
        == 201
    )
    detail = world.api(world.auditor).get(f"/api/v1/indicators/{built.indicator_id}").json()
    ytd = detail["year_to_date"]
    # 10 of 100, not the mean of 90 % and 1.1 % (45.6 %), nor 50 %.
    assert (ytd["numerator"], ytd["denominator"]) == (10, 100)
    assert ytd["value"] == pytest.approx(10.0)
    assert ytd["status"] == "missed" and ytd["periods"] == 2
    assert [m["period"] for m in detail["measurements"]] == [f"{year}-01", f"{year}-02"]
    assert [m["status"] for m in detail["measurements"]] == ["missed", "missed"]


def test_each_period_is_met_at_risk_or_missed(world):
    year = today(world).year
    built = build(world, "active")  # at least 95 %, at risk within 2 points
    results = {}
    for month, (numerator, denominator) in enumerate(((95, 100), (93, 100), (929, 1000)), 1):
        response = _enter(
            world,
            world.staff,
            built.indicator_id,
            period=f"{year}-{month:02d}",
            numerator=numerator,
            denominator=denominator,
        )
        results[month] = response.json()["status"]
    assert results == {1: "met", 2: "at_risk", 3: "missed"}
    # Lower is better: average days to resolve a complaint, at most 5, at risk up to 6.
    value = build(
        world,
        "active",
        indicator=indicator_body(
            kind="value",
            unit="ngày",
            direction="lower_is_better",
            target=5,
            at_risk_margin=1,
            frequency="quarterly",
        ),
    )
    statuses = [
        _enter(world, world.staff, value.indicator_id, period=f"{year}-Q{q}", value=v).json()[
            "status"
        ]
        for q, v in ((1, 4.5), (2, 6), (3, 6.5))
    ]
    assert statuses == ["met", "at_risk", "missed"]
    ytd = (
        world.api(world.staff)
        .get(f"/api/v1/indicators/{value.indicator_id}")
        .json()["year_to_date"]
    )
    assert ytd["value"] == pytest.approx((4.5 + 6 + 6.5) / 3) and ytd["status"] == "at_risk"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "{year}-13", "numerator": 1, "denominator": 2}, "period"),
        ({"period": "{year}-Q1", "numerator": 1, "denominator": 2}, "period"),  # monthly indicator
        ({"period": "{last}-12", "numerator": 1, "denominator": 2}, "period"),  # another year
        ({"period": "{year}-03", "numerator": 1, "denominator": 0}, "denominator"),
        ({"period": "{year}-03", "numerator": 1}, "denominator"),
        ({"period": "{year}-03", "denominator": 10}, "numerator"),
        ({"period": "{year}-03", "numerator": 11, "denominator": 10}, "numerator"),
        ({"period": "{year}-03", "numerator": -1, "denominator": 10}, "numerator"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(world, body, field):
    year = today(world).year
    built = build(world, "active")
    body = {**body, "period": body["period"].format(year=year, last=year - 1)}
    response = _enter(world, world.staff, built.indicator_id, **body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    detail = world.api(world.staff).get(f"/api/v1/indicators/{built.indicator_id}").json()
    assert detail["measurements"] == []


def test_a_value_needs_its_value_and_a_period_of_its_frequency(world):
    year = today(world).year
    built = build(
        world, "active", indicator=indicator_body(kind="value", target=60, frequency="yearly")
    )
    assert (
        _enter(world, world.staff, built.indicator_id, period=str(year)).json()["field"] == "value"
    )
    assert (
        _enter(world, world.staff, built.indicator_id, period=f"{year}-01", value=3).json()["field"]
        == "period"
    )
    assert (
        _enter(world, world.staff, built.indicator_id, period=str(year), value=61).status_code
        == 201
    )


def test_one_measurement_per_period(world):
    year = today(world).year
    built = build(world, "active", figures=[(f"{year}-01", 96, 100)])
    response = _enter(
        world, world.staff, built.indicator_id, period=f"{year}-01", numerator=50, denominator=100
    )
    assert response.status_code == 409 and response.json()["field"] == "period"


def test_figures_are_entered_by_the_data_owner_while_the_objective_is_in_force(world):
    year = today(world).year
    built = build(world, "active")
    body = {"period": f"{year}-01", "numerator": 96, "denominator": 100}
    for person in (world.manager, world.auditor, world.admin):
        assert _enter(world, person, built.indicator_id, **body).status_code == 403
    draft = build(world, "draft")
    response = _enter(world, world.staff, draft.indicator_id, **body)
    assert response.status_code == 409 and response.json()["field"] == "status"
    assert _enter(world, world.quality_officer, built.indicator_id, **body).status_code == 201
    events = _events(
        world,
        "measurement",
        world.api(world.staff)
        .get(f"/api/v1/indicators/{built.indicator_id}")
        .json()["measurements"][0]["id"],
    )
    assert [e.action for e in events] == ["measured"]


def test_a_correction_carries_the_version_and_a_reason_and_keeps_the_old_figures(world):
    year = today(world).year
    built = build(world, "active", figures=[(f"{year}-01", 80, 100)])
    measurement_id = built.measurement_ids[0]
    api = world.api(world.staff)
    url = f"/api/v1/measurements/{measurement_id}"
    body = {"numerator": 97, "denominator": 100, "reason": "Nhập nhầm từ báo cáo tháng."}
    assert api.patch(url, json=body).json()["field"] == "version"
    assert api.patch(url, json={**body, "version": 1, "reason": " "}).json()["field"] == "reason"
    bad = api.patch(url, json={**body, "version": 1, "numerator": 101})
    assert bad.status_code == 422 and bad.json()["field"] == "numerator"
    assert world.api(world.manager).patch(url, json={**body, "version": 1}).status_code == 403
    response = api.patch(url, json={**body, "version": 1})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "met" and response.json()["version"] == 2
    assert api.patch(url, json={**body, "numerator": 96, "version": 1}).status_code == 409
    event = _events(world, "measurement", measurement_id)[-1]
    assert event.action == "corrected" and event.reason == "Nhập nhầm từ báo cáo tháng."
    changes = json.loads(event.changes)
    assert changes["numerator"] == [80, 97] and changes["status"] == ["missed", "met"]
    ytd = api.get(f"/api/v1/indicators/{built.indicator_id}").json()["year_to_date"]
    assert (ytd["numerator"], ytd["denominator"]) == (97, 100)


def test_the_register_filters_by_year_department_status_and_standing(world):
    year = today(world).year
    missed = build(world, "active", figures=[(f"{year}-01", 10, 100)])
    met = build(world, "active", figures=[(f"{year}-01", 99, 100)])
    draft = build(world, "draft")
    earlier = _new(world, year=year - 1, due_on=f"{year - 1}-12-31", department_id=world.dept_b.id)
    api = world.api(world.staff)

    def codes(**query):
        response = api.get("/api/v1/objectives", params=query)
        assert response.status_code == 200, response.text
        return {o["code"] for o in response.json()}

    assert codes(year=year) == {missed.code, met.code, draft.code}
    assert codes(year=year - 1) == {earlier["code"]}
    assert codes(department_id=world.dept_b.id) == {earlier["code"]}
    assert codes(status="draft", year=year) == {draft.code}
    assert codes(standing="missed") == {missed.code}
    assert codes(standing="met") == {met.code}
    assert codes(standing="missed", as_of=f"{year - 1}-12-31") == set()
    response = api.get("/api/v1/objectives", params={"year": year, "limit": 1})
    assert response.headers["x-total-count"] == "3" and len(response.json()) == 1
    assert api.get("/api/v1/objectives", params={"status": "open"}).status_code == 422
