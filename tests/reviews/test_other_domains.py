"""Sections b, e (the risk register) and c2, c3 (objectives and indicators) of a review,
compiled from those domains' own review_inputs and frozen with the rest."""

from __future__ import annotations

from qms.reviews import service
from tests.objectives.builders import build as build_objective
from tests.reviews.builders import build, plan, today
from tests.risks.builders import build as build_risk


def _sections(world, review_id) -> dict[str, list[dict]]:
    body = (
        world.api(world.quality_officer)
        .get(f"/api/v1/management-reviews/{review_id}/inputs")
        .json()
    )
    return {s["section"]: s["figures"] for s in body["sections"]}


def test_the_contributors_are_one_line_each():
    assert service.CONTRIBUTORS == (
        "qms.nonconformities.service",
        "qms.audits.service",
        "qms.objectives.service",
        "qms.risks.service",
    )


def test_objectives_and_indicators_fill_c2_and_c3(world):
    year = today(world).year
    missed = build_objective(world, figures=[(f"{year}-01", 80, 100)])
    build_objective(world, figures=[(f"{year}-01", 99, 100)])
    built = plan(world)
    sections = _sections(world, built.id)
    c2 = {f["key"]: f for f in sections["c2"]}
    c3 = {f["key"]: f for f in sections["c3"]}
    assert c2["objectives.active"]["value"] == 2
    assert c2["objectives.standing.missed"]["value"] == 1
    assert c3["objectives.periods.missed"]["value"] == 1
    page = world.browser(world.quality_officer).get(c2["objectives.standing.missed"]["href"])
    assert missed.code in page.text


def test_the_risk_register_fills_b_and_e(world):
    risk = build_risk(world, "open", likelihood=5, impact=4)
    build_risk(world, "monitored")
    built = plan(world)
    sections = _sections(world, built.id)
    assert sections["b"] and sections["e"]
    assert all(f["key"].startswith("risks.") for f in sections["b"] + sections["e"])
    assert any(f["value"] for f in sections["b"])
    linked = [f for f in sections["b"] if f["href"] and f["value"]]
    page = world.browser(world.quality_officer).get(linked[0]["href"])
    assert page.status_code == 200 and risk.code in page.text


def test_a_held_review_freezes_the_other_domains_figures_too(world):
    year = today(world).year
    build_objective(world, figures=[(f"{year}-01", 80, 100)])
    build_risk(world, "open")
    built = build(world, "held")
    before = _sections(world, built.id)
    build_risk(world, "open", title="Rủi ro mới sau cuộc họp")
    build_objective(world, figures=[(f"{year}-01", 70, 100)])
    after = _sections(world, built.id)
    for section in ("b", "c2", "c3", "e"):
        assert [f["value"] for f in after[section]] == [f["value"] for f in before[section]]
    assert any(f["changed"] for f in after["b"]) and any(f["changed"] for f in after["c2"])
