"""Measurements imported from CSV and XLSX through the API, the page and the command line:
every row or none, each refusal naming its row and column."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.objectives.builders import build, indicator_body, today


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows) -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8-sig")


def _year_of_figures(year):
    # 2020's one-stop centre: about 900 dossiers a month, most resolved on time.
    return [["period", "numerator", "denominator"]] + [
        [f"{year}-{m:02d}", 860 + m, 900] for m in range(1, 13)
    ]


def _import(world, person, indicator_id, content, name):
    return world.api(person).post(
        f"/api/v1/indicators/{indicator_id}/measurements/import",
        files={"file": (name, content)},
    )


def _periods(world, indicator_id):
    detail = world.api(world.staff).get(f"/api/v1/indicators/{indicator_id}").json()
    return [m["period"] for m in detail["measurements"]]


def test_a_year_of_figures_from_an_xlsx_file(world):
    year = today(world).year
    built = build(world)
    response = _import(
        world, world.staff, built.indicator_id, _xlsx(_year_of_figures(year)), "so-lieu.xlsx"
    )
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == 12
    assert _periods(world, built.indicator_id) == [f"{year}-{m:02d}" for m in range(1, 13)]
    ytd = world.api(world.staff).get(f"/api/v1/indicators/{built.indicator_id}").json()
    assert ytd["year_to_date"]["numerator"] == sum(860 + m for m in range(1, 13))
    assert ytd["year_to_date"]["denominator"] == 12 * 900


def test_csv_with_vietnamese_headers_semicolons_and_month_dates_from_excel(world):
    year = today(world).year
    built = build(world)
    content = f"Kỳ;Tử số;Mẫu số;Ghi chú\n{year}-01;880;900;Tháng 1\n{year}-02;890;900;\n".encode()
    assert _import(world, world.staff, built.indicator_id, content, "a.csv").status_code == 201
    assert _periods(world, built.indicator_id) == [f"{year}-01", f"{year}-02"]
    from datetime import datetime

    other = build(world, indicator=indicator_body(kind="value", target=60, unit="hồ sơ"))
    content = _xlsx([["period", "value"], [datetime(year, 3, 1), 62], [datetime(year, 4, 1), 58.5]])
    assert _import(world, world.staff, other.indicator_id, content, "b.xlsx").status_code == 201
    assert _periods(world, other.indicator_id) == [f"{year}-03", f"{year}-04"]


def test_a_bad_row_refuses_the_whole_file_naming_its_row_and_column(world):
    year = today(world).year
    built = build(world)
    rows = _year_of_figures(year)
    rows[4] = [f"{year}-04", 950, 900]  # the fifth row of the sheet: numerator above denominator
    response = _import(world, world.staff, built.indicator_id, _xlsx(rows), "x.xlsx")
    assert response.status_code == 422
    assert response.json()["field"] == "rows.5.numerator"
    assert response.json()["detail"].startswith("Row 5, column numerator:")
    assert _periods(world, built.indicator_id) == []
    for bad, field in (
        ([f"{year}-04", 800, 0], "rows.5.denominator"),
        ([f"{year}-Q2", 800, 900], "rows.5.period"),
        ([f"{year}-04", "tám trăm", 900], "rows.5.numerator"),
        ([f"{year}-04", 800.5, 900], "rows.5.numerator"),
        ([f"{year}-03", 800, 900], "rows.5.period"),  # the same month as row 4
    ):
        rows[4] = bad
        response = _import(world, world.staff, built.indicator_id, _csv(rows), "x.csv")
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["field"] == field, bad
    assert _periods(world, built.indicator_id) == []


def test_a_period_already_entered_is_a_conflict_naming_its_row(world):
    year = today(world).year
    built = build(world, figures=[(f"{year}-02", 880, 900)])
    response = _import(
        world, world.staff, built.indicator_id, _csv(_year_of_figures(year)), "x.csv"
    )
    assert response.status_code == 409
    assert response.json()["field"] == "rows.3.period"
    assert _periods(world, built.indicator_id) == [f"{year}-02"]


def test_files_that_are_not_tables_are_refused(world):
    built = build(world)
    for content, name in (
        (b"", "empty.csv"),
        (b"PK\x03\x04broken", "x.xlsx"),
        (b"\xff\xfe\x00bad", "x.csv"),
        (b"month,count\n1,2\n", "x.csv"),
        (b"period,numerator,denominator\n", "x.csv"),
    ):
        response = _import(world, world.staff, built.indicator_id, content, name)
        assert response.status_code == 422, (name, response.text)
        assert response.json()["field"] == "file"
    assert (
        world.api(world.staff)
        .post(f"/api/v1/indicators/{built.indicator_id}/measurements/import")
        .json()["field"]
        == "file"
    )


def test_only_the_data_owner_or_a_quality_officer_imports(world):
    year = today(world).year
    built = build(world)
    content = _csv(_year_of_figures(year))
    assert _import(world, world.manager, built.indicator_id, content, "x.csv").status_code == 403
    assert (
        _import(world, world.quality_officer, built.indicator_id, content, "x.csv").status_code
        == 201
    )


def test_the_page_imports_and_shows_a_refusal_beside_the_file(world):
    year = today(world).year
    built = build(world)
    browser = world.browser(world.staff)
    page = f"/indicators/{built.indicator_id}"
    rows = _year_of_figures(year)
    rows[2][2] = 0
    response = browser.submit(
        f"/indicators/{built.indicator_id}/import",
        page=page,
        files={"file": ("x.xlsx", _xlsx(rows))},
    )
    assert response.status_code == 422
    assert "Row 3, column denominator" in response.text
    assert 'id="file-error"' in response.text
    response = browser.submit(
        f"/indicators/{built.indicator_id}/import",
        page=page,
        files={"file": ("x.xlsx", _xlsx(_year_of_figures(year)))},
    )
    assert response.status_code == 303
    assert len(_periods(world, built.indicator_id)) == 12


def test_the_command_line_imports_by_indicator_code(world, cli, tmp_path):
    year = today(world).year
    built = build(world)
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(_xlsx(_year_of_figures(year)))
    bad = tmp_path / "bad.csv"
    rows = _year_of_figures(year)
    rows[7][1] = 1000
    bad.write_bytes(_csv(rows))
    code, output = cli("objectives", "import", str(bad), "--indicator", built.indicator_code)
    assert code == 1 and "Row 8, column numerator" in output
    assert _periods(world, built.indicator_id) == []
    code, output = cli("objectives", "import", str(path), "--indicator", built.indicator_code)
    assert code == 0, output
    assert f"12 periods imported into {built.indicator_code}" in output
    code, output = cli("objectives", "import", str(path), "--indicator", "MT-1999-01.1")
    assert code == 1 and "MT-1999-01.1" in output
    code, output = cli(
        "objectives",
        "import",
        str(path),
        "--indicator",
        built.indicator_code,
        "--as",
        world.manager.email,
    )
    assert code == 1  # not the data owner
