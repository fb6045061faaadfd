"""The register: its filters (kind, level, department, status, overdue review, cell), the
CSV and Excel exports with formula cells kept as text."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from qms.db import unit_of_work
from qms.risks.models import Risk
from tests.risks.builders import build, today


def _codes(world, **params):
    response = world.api(world.staff).get("/api/v1/risks", params=params)
    assert response.status_code == 200, response.text
    return {r["code"] for r in response.json()}


def _overdue(world, built):
    with unit_of_work(world.engine) as session:
        risk = session.get(Risk, built.id)
        risk.review_on = today(world) - timedelta(days=1)
        session.add(risk)


def test_filters_each_narrow_the_register(world):
    a_high = build(world, "open", likelihood=4, impact=4)
    b_low = build(world, "treating", likelihood=1, impact=2, department=world.dept_b)
    opportunity = build(world, "monitored", kind="opportunity", likelihood=3, impact=2)
    closed = build(world, "closed", likelihood=5, impact=5)
    _overdue(world, a_high)
    _overdue(world, closed)  # closed: its review no longer falls due
    assert _codes(world) == {a_high.code, b_low.code, opportunity.code, closed.code}
    assert _codes(world, kind="opportunity") == {opportunity.code}
    assert _codes(world, level="high") == {a_high.code}
    assert _codes(world, min_level="high") == {a_high.code, closed.code}
    assert _codes(world, department_id=world.dept_b.id) == {b_low.code}
    assert _codes(world, status="treating") == {b_low.code}
    assert _codes(world, active="true") == {a_high.code, b_low.code, opportunity.code}
    assert _codes(world, overdue_review="true") == {a_high.code}
    assert a_high.code not in _codes(world, overdue_review="false")
    # The page's filters read the same query.
    page = world.browser(world.staff).get("/risks?overdue_review=true").text
    assert a_high.code in page and b_low.code not in page
    page = world.browser(world.staff).get("/risks?level=nonsense&kind=risk").text
    assert opportunity.code not in page and a_high.code in page


def test_a_bad_date_in_the_query_is_refused_naming_it(world):
    response = world.api(world.staff).get("/api/v1/risks", params={"raised_from": "2026-02-31"})
    assert response.status_code == 422 and response.json()["field"] == "raised_from"
    response = world.api(world.staff).get("/api/v1/risks", params={"raised_from": "0"})
    assert response.status_code == 422


def test_csv_export_follows_the_filters_and_keeps_formulas_as_text(world):
    build(world, title='=HYPERLINK("http://x")')
    build(world, kind="opportunity", title="Nộp hồ sơ trực tuyến")
    response = world.api(world.staff).get("/api/v1/risks.csv", params={"kind": "risk"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Code", "Kind", "Status", "Title"]
    assert len(rows) == 2
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert rows[1][11:13] == ["12", "high"]


def test_xlsx_export_colours_the_level(world):
    build(world, likelihood=5, impact=5, title="+1")
    response = world.api(world.staff).get("/api/v1/risks.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["D2"].value == "'+1"
    assert sheet["M2"].value == "critical"
    assert sheet["M2"].fill.start_color.rgb.upper().endswith("F4A6A6")
