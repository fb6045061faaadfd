"""The heat map: 25 cells of the active entries, each counted, coloured by its level and
linking to the register filtered to exactly that cell; the same grid in the year's PDF."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter

from pypdf import PdfReader

from qms.risks.models import BANDS, band_for
from tests.risks.builders import build

# (likelihood, impact, state, kind)
ENTRIES = [
    (4, 5, "open", "risk"),
    (4, 5, "treating", "risk"),
    (4, 5, "closed", "risk"),  # closed: not on the map
    (2, 3, "monitored", "risk"),
    (1, 1, "open", "risk"),
    (3, 3, "open", "opportunity"),
]


def _build_all(world):
    built = []
    for likelihood, impact, state, kind in ENTRIES:
        built.append(build(world, state, likelihood=likelihood, impact=impact, kind=kind))
    return built


def test_the_api_counts_each_cell_of_the_active_entries(world):
    _build_all(world)
    cells = world.api(world.staff).get("/api/v1/risks/heatmap").json()
    assert len(cells) == 25
    assert {(c["likelihood"], c["impact"]) for c in cells} == {
        (lk, im) for lk in range(1, 6) for im in range(1, 6)
    }
    expected = Counter((lk, im) for lk, im, state, _ in ENTRIES if state != "closed")
    for c in cells:
        assert c["count"] == expected.get((c["likelihood"], c["impact"]), 0), c
        assert c["score"] == c["likelihood"] * c["impact"]
        band = band_for(c["score"])
        assert (c["level"], c["colour"]) == (band.level.value, band.colour)
    assert sum(c["count"] for c in cells) == 5
    only = world.api(world.staff).get("/api/v1/risks/heatmap", params={"kind": "opportunity"})
    assert [(c["likelihood"], c["impact"]) for c in only.json() if c["count"]] == [(3, 3)]


def test_each_cell_links_to_the_register_filtered_to_that_cell(world):
    built = _build_all(world)
    staff = world.api(world.staff)
    cells = staff.get("/api/v1/risks/heatmap").json()
    for c in cells:
        rows = staff.get("/api/v1" + c["href"]).json()
        assert len(rows) == c["count"], c
        assert all((r["likelihood"], r["impact"]) == (c["likelihood"], c["impact"]) for r in rows)
        assert all(r["status"] != "closed" for r in rows)
    # The page links to the same registers, and each link's page lists those entries.
    browser = world.browser(world.staff)
    page = browser.get("/risks/heatmap").text
    links = re.findall(r'<a href="(/risks\?[^"]+)"[^>]*>(\d+)</a>', page)
    assert len(links) == 25
    cell = next(href for href, count in links if count == "2").replace("&amp;", "&")
    register = browser.get(cell).text
    assert built[0].code in register and built[1].code in register
    assert built[2].code not in register


def test_the_cells_carry_their_levels_colour_on_the_page(world):
    page = world.browser(world.staff).get("/risks/heatmap").text
    for likelihood, impact in ((1, 1), (3, 3), (4, 4), (5, 5)):
        band = band_for(likelihood * impact)
        assert f"heat-cell heat-{band.level.value}" in page
        assert f"background:{band.colour}" in page  # the PDF's colours (no CSP there)


def test_the_stylesheet_colours_each_level_as_the_banding_table_says(world):
    """The pages' Content-Security-Policy refuses inline styles: the browser takes a level's
    colours from the stylesheet, which must agree with the one banding table."""
    css = world.browser(world.staff).get("/static/style.css").text
    for band in BANDS:
        level = band.level.value
        rule = re.search(
            rf"\.risk-level-{level}, \.heat-{level} \{{ background: ([^;]+); color: ([^;]+); \}}",
            css,
        )
        assert rule is not None, level
        assert rule.groups() == (band.colour, band.text), level


def test_the_registers_pdf_has_the_grid_and_the_entries_of_the_year(world):
    built = _build_all(world)
    response = world.api(world.staff).get("/api/v1/risks/register.pdf")
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = unicodedata.normalize(
        "NFC", " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    )
    assert "REGISTER OF RISKS AND OPPORTUNITIES" in text
    assert "Heat map" in text
    for entry in built:
        assert entry.code in text
    # A year with nothing in it: an empty grid and a message.
    response = world.api(world.staff).get("/api/v1/risks/register.pdf", params={"year": 2001})
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "No entry in the register for this year." in text
