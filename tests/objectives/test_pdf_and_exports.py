"""The year's objectives as PDF (a table and each indicator's chart, in Vietnamese and
English) and the register as CSV and XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.nonconformities.test_pdf import text_of
from tests.objectives.builders import build, today


def test_the_years_pdf_has_the_table_and_the_charts_in_vietnamese(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-01", 9, 10), (f"{year}-02", 1, 90)])
    draft = build(world, "draft")
    cancelled = build(world, "cancelled")
    api = world.api(world.auditor)
    api.cookies.set("qms_lang", "vi")
    response = api.get("/api/v1/objectives.pdf", params={"year": year})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = text_of(response.content)
    assert f"MỤC TIÊU CHẤT LƯỢNG NĂM {year}" in text
    assert built.code in text and draft.code in text and cancelled.code not in text
    assert "Giải quyết hồ sơ TTHC đúng hạn" in text
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in text
    # The pooled year to date (10/100) and the chart's target label.
    assert "10/100" in text and "Chỉ tiêu 95 %" in text
    assert "không đạt" in text


def test_the_pdf_in_english_and_for_a_year_without_objectives(world):
    year = today(world).year
    build(world, figures=[(f"{year}-01", 99, 100)])
    api = world.api(world.staff)
    text = text_of(api.get("/api/v1/objectives.pdf", params={"year": year}).content)
    assert f"QUALITY OBJECTIVES {year}" in text and "Target 95 %" in text
    text = text_of(api.get("/api/v1/objectives.pdf", params={"year": year - 5}).content)
    assert "No quality objective for this year." in text
    assert api.get("/api/v1/objectives.pdf").status_code == 422


def test_the_register_as_csv_and_xlsx_follows_the_filters(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-01", 9, 10), (f"{year}-02", 1, 90)])
    draft = build(world, "draft")
    api = world.api(world.staff)
    response = api.get("/api/v1/objectives.csv", params={"year": year, "status": "active"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Year", "Objective"]
    assert [r[0] for r in rows[1:]] == [built.code]
    assert rows[1][8] == built.indicator_code and rows[1][14] == "10.0 % (10/100)"
    assert rows[1][15] == "missed"
    api.cookies.set("qms_lang", "vi")
    response = api.get("/api/v1/objectives.xlsx", params={"year": year})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Mã", "Năm", "Mục tiêu")
    assert {v[0] for v in values[1:]} == {built.code, draft.code}
    assert "không đạt" in [v[15] for v in values[1:]]
