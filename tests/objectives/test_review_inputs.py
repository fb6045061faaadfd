"""The figures the management review reads (9.3.2 c 2 and c 3), and the registers behind them."""

from __future__ import annotations

from datetime import date

from qms.db import unit_of_work
from qms.objectives import service
from qms.review_inputs import Figure
from tests.objectives.builders import build, today


def _inputs(world, start, end) -> dict[str, Figure]:
    with unit_of_work(world.engine, write=False) as session:
        figures = service.review_inputs(session=session, start=start, end=end)
    assert all(isinstance(f, Figure) and f.key.startswith("objectives.") for f in figures)
    assert len({f.key for f in figures}) == len(figures)
    # Plain values only: a held review freezes them as JSON.
    assert all(Figure.from_json(f.as_json()) == f for f in figures)
    return {f.key: f for f in figures}


def test_objectives_and_periods_counted_with_links_to_the_records(world):
    year = today(world).year
    # Met in January, at risk in February (94 % against 95 % with a 2-point margin), missed
    # in March: stands as missed.
    missed = build(
        world, figures=[(f"{year}-01", 96, 100), (f"{year}-02", 94, 100), (f"{year}-03", 80, 100)]
    )
    on_target = build(world, figures=[(f"{year}-01", 99, 100)])
    build(world, "achieved", figures=[(f"{year}-01", 100, 100)])
    build(world, "draft")  # not in force: not counted
    build(world, "cancelled")  # not in force, and its periods are not counted

    figures = _inputs(world, date(year, 1, 1), date(year, 6, 30))
    assert figures["objectives.active"].value == 2
    assert figures["objectives.achieved"].value == 1
    assert figures["objectives.not_achieved"].value == 0
    assert {f.section for k, f in figures.items() if k.startswith("objectives.standing")} == {"c2"}
    assert figures["objectives.standing.missed"].value == 1
    assert figures["objectives.standing.met"].value == 2
    assert figures["objectives.standing.at_risk"].value == 0
    assert figures["objectives.periods.met"].value == 3
    assert figures["objectives.periods.at_risk"].value == 1
    assert figures["objectives.periods.missed"].value == 1
    assert figures["objectives.periods.met"].section == "c3"
    assert figures["objectives.periods.met_rate"].value == 60.0
    assert figures["objectives.periods.met_rate"].unit == "%"

    # Each link opens the register filtered to exactly the records counted.
    browser = world.browser(world.auditor)
    page = browser.get(figures["objectives.standing.missed"].href)
    assert page.status_code == 200
    assert missed.code in page.text and on_target.code not in page.text
    page = browser.get(figures["objectives.active"].href)
    assert missed.code in page.text and on_target.code in page.text
    page = browser.get(figures["objectives.periods.missed"].href)
    assert page.status_code == 200
    assert f"#period-{year}-03" in page.text and f"#period-{year}-01" not in page.text
    api = world.api(world.auditor)
    listed = api.get("/api/v1" + figures["objectives.standing.missed"].href)
    assert [o["code"] for o in listed.json()] == [missed.code]


def test_the_window_bounds_periods_and_the_standing(world):
    year = today(world).year
    build(world, figures=[(f"{year}-01", 99, 100), (f"{year}-05", 10, 100)])
    # Up to April only January counts: on target then, missed from May on.
    figures = _inputs(world, date(year, 1, 1), date(year, 4, 30))
    assert figures["objectives.periods.met"].value == 1
    assert figures["objectives.periods.missed"].value == 0
    assert figures["objectives.standing.met"].value == 1
    figures = _inputs(world, date(year, 5, 1), date(year, 5, 31))
    assert figures["objectives.periods.met"].value == 0
    assert figures["objectives.periods.missed"].value == 1
    # Pooled year to date at the end of May: 109/200 = 54.5 %, missed.
    assert figures["objectives.standing.missed"].value == 1
    # A window in another year finds nothing, and no rate without periods.
    figures = _inputs(world, date(year - 3, 1, 1), date(year - 3, 12, 31))
    assert figures["objectives.active"].value == 0
    assert figures["objectives.periods.met_rate"].value is None
