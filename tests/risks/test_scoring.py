"""Scoring: likelihood × impact, the level from the one banding table at every boundary, and
anything but 1..5 refused naming its field."""

from __future__ import annotations

import pytest

from qms.risks.models import BANDS, Level, band_for, level_for
from tests.risks.builders import build

# Every boundary of the table: the last score of a band and the first of the next.
BOUNDARIES = [
    (1, Level.low),
    (4, Level.low),
    (5, Level.medium),
    (9, Level.medium),
    (10, Level.high),
    (16, Level.high),
    (17, Level.critical),
    (25, Level.critical),
]


@pytest.mark.parametrize(("score", "level"), BOUNDARIES)
def test_banding_table_at_each_boundary(score, level):
    assert level_for(score) == level


def test_banding_table_covers_1_to_25_without_gap_or_overlap():
    covered = [s for band in BANDS for s in range(band.lowest, band.highest + 1)]
    assert covered == list(range(1, 26))
    assert [b.level for b in BANDS] == [Level.low, Level.medium, Level.high, Level.critical]
    assert len({b.colour for b in BANDS}) == 4
    for score in (0, 26, -1):
        with pytest.raises(ValueError):
            band_for(score)


# Every product a 5 × 5 grid can give, with the level the API must answer.
PRODUCTS = [(lk, im) for lk in range(1, 6) for im in range(1, 6)]


@pytest.mark.parametrize(
    ("likelihood", "impact"), [(1, 4), (4, 1), (1, 5), (3, 3), (2, 5), (4, 4), (5, 4), (5, 5)]
)
def test_the_api_scores_and_bands_each_entry(world, likelihood, impact):
    built = build(world, likelihood=likelihood, impact=impact)
    body = world.api(world.staff).get(f"/api/v1/risks/{built.id}").json()
    score = likelihood * impact
    assert body["score"] == score
    assert body["level"] == level_for(score).value
    assert body["colour"] == band_for(score).colour
    rows = world.api(world.staff).get("/api/v1/risks", params={"level": body["level"]}).json()
    assert [r["code"] for r in rows] == [built.code]


def _new(world, **changes):
    body = {
        "kind": "risk",
        "title": "Nhân sự bộ phận một cửa nghỉ việc",
        "department_id": world.dept_a.id,
        "owner_id": world.manager.id,
        "likelihood": 3,
        "impact": 3,
    }
    body.update(changes)
    return world.api(world.manager).post("/api/v1/risks", json=body)


@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "3", None])
def test_a_rating_outside_1_to_5_is_refused_naming_its_field(world, field, value):
    response = _new(world, **{field: value})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert world.api(world.staff).get("/api/v1/risks").json() == []


@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6])
def test_a_reassessment_outside_1_to_5_is_refused_naming_its_field(world, field, value):
    built = build(world)
    body = {"likelihood": 2, "impact": 2, "comment": "Thử.", "version": built.version, field: value}
    response = world.api(world.manager).post(f"/api/v1/risks/{built.id}/assess", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_the_service_refuses_a_rating_outside_1_to_5_naming_its_field():
    from qms.errors import Invalid
    from qms.risks.service import score_of

    assert score_of(5, 5) == (5, 5, 25, Level.critical)
    for likelihood, impact, field in (
        (0, 3, "likelihood"),
        (3, 6, "impact"),
        (True, 3, "likelihood"),
    ):
        with pytest.raises(Invalid) as refused:
            score_of(likelihood, impact)
        assert refused.value.field == field


def test_codes_follow_without_gaps_even_after_a_refusal(world):
    first = _new(world).json()["code"]
    assert _new(world, likelihood=9).status_code == 422
    second = _new(world).json()["code"]
    year = first.split("-")[1]
    assert (first, second) == (f"RR-{year}-001", f"RR-{year}-002")
