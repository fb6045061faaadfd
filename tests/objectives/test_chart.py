"""The trend chart: an SVG with one point per measured period at its value, the target line,
missed periods marked; shown on the indicator page without any script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.objectives.builders import build, indicator_body, today

SVG = "{http://www.w3.org/2000/svg}"


def _chart(world, indicator_id, lang="en"):
    api = world.api(world.staff)
    api.cookies.set("qms_lang", lang)
    response = api.get(f"/api/v1/indicators/{indicator_id}/chart.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    return ET.fromstring(response.text), response.text  # noqa: S314  (our own SVG)


def test_points_target_and_missed_marks(world):
    year = today(world).year
    built = build(
        world, figures=[(f"{year}-01", 96, 100), (f"{year}-02", 94, 100), (f"{year}-04", 50, 100)]
    )
    root, text = _chart(world, built.indicator_id)
    points = root.findall(f".//{SVG}g")
    assert [p.get("data-period") for p in points] == [f"{year}-01", f"{year}-02", f"{year}-04"]
    assert [float(p.get("data-value")) for p in points] == [96.0, 94.0, 50.0]
    assert [p.get("data-status") for p in points] == ["met", "at_risk", "missed"]
    # Only the missed period carries the mark, and each point says what it is.
    marks = root.findall(f".//{SVG}path[@class='missed-mark']")
    assert len(marks) == 1
    missed = points[2]
    assert missed.find(f"{SVG}path[@class='missed-mark']") is not None
    assert missed.find(f"{SVG}title").text == f"{year}-04: 50 % (missed)"
    target = root.find(f".//{SVG}line[@class='target']")
    assert float(target.get("data-target")) == 95.0
    # Higher values sit higher: the target line lies between 94 % and 96 %.
    ys = [float(p.find(f"{SVG}circle").get("cy")) for p in points]
    assert ys[0] < float(target.get("y1")) < ys[1] < ys[2]
    # Twelve months on the axis; the line joins the measured ones only.
    assert len(root.findall(f".//{SVG}text[@class='period']")) == 12
    assert len(root.find(f".//{SVG}polyline").get("points").split()) == 3
    assert "Target 95 %" in text and "<script" not in text


def test_the_chart_reads_in_vietnamese_and_escapes_names(world):
    year = today(world).year
    built = build(
        world,
        figures=[(f"{year}-01", 9, 10)],
        indicator=indicator_body(name="Hồ sơ <đúng hạn> & trả kết quả"),
    )
    root, text = _chart(world, built.indicator_id, lang="vi")
    assert root.find(f"{SVG}title").text.endswith("Hồ sơ <đúng hạn> & trả kết quả")
    assert "&lt;đúng hạn&gt; &amp;" in text
    assert "Chỉ tiêu 95 %" in text
    assert root.find(f".//{SVG}g/{SVG}title").text == f"{year}-01: 90 % (không đạt)"


def test_quarterly_values_and_an_empty_chart(world):
    year = today(world).year
    built = build(
        world,
        figures=[(f"{year}-Q1", 12.5), (f"{year}-Q3", 30)],
        indicator=indicator_body(kind="value", unit="hồ sơ", target=20, frequency="quarterly"),
    )
    root, _text = _chart(world, built.indicator_id)
    labels = [t.text for t in root.findall(f".//{SVG}text[@class='period']")]
    assert labels == ["Q1", "Q2", "Q3", "Q4"]
    assert [p.get("data-status") for p in root.findall(f".//{SVG}g")] == ["missed", "met"]
    empty = build(world)
    root, _text = _chart(world, empty.indicator_id)
    assert root.findall(f".//{SVG}g") == [] and root.find(f".//{SVG}polyline") is None
    assert root.find(f".//{SVG}line[@class='target']") is not None


def test_the_indicator_page_shows_the_chart_inline(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-03", 50, 100)])
    page = world.browser(world.auditor).get(f"/indicators/{built.indicator_id}")
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart"' in page.text
    assert 'class="missed-mark"' in page.text
