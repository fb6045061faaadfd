"""The audits list as CSV and Excel (issue 19.10): the list's filters, the reader's language,
the same link wording as the other registers, and only the audits the reader may see."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from openpyxl import load_workbook

from qms.db import unit_of_work
from tests.audits import support


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_follows_the_lists_filters(world):
    a = support.plan(world, title='=HYPERLINK("http://x") quầy một cửa')
    b = support.build(world, "planned", lead=world.auditor_a, department=world.dept_b)
    api = world.api(world.quality_officer)
    rows = _csv(api.get("/api/v1/audits.csv", params={"department_id": world.dept_a.id}))
    assert rows[0][:3] == ["Code", "Title", "Auditee"]
    assert [r[0] for r in rows[1:]] == [a.code]
    assert rows[1][1].startswith("'=")  # a formula stays text
    assert rows[1][2] == "Phòng A" and rows[1][9] == "planned"
    rows = _csv(api.get("/api/v1/audits.csv", params={"q": b.code}))
    assert [r[0] for r in rows[1:]] == [b.code]
    everything = _csv(api.get("/api/v1/audits.csv"))
    assert {r[0] for r in everything[1:]} == {a.code, b.code}


def test_the_workbook_reads_in_vietnamese_with_the_findings_by_grade(world):
    built = support.build(world, "in_progress")
    ref = support.items(world, built)[0].ref
    support.answer(world, built, answers={ref: ("observation", "Sổ theo dõi ghi chưa đủ.")})
    client = world.api(world.quality_officer)
    client.cookies.set("qms_lang", "vi")
    response = client.get("/api/v1/audits.xlsx", params={"status": "in_progress"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Mã", "Tên cuộc đánh giá"] and "Khuyến nghị" in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Mã"] == built.code and row["Khuyến nghị"] == 1
    with unit_of_work(world.engine, write=False) as session:
        lead = support.user(session, world.auditor).full_name
    assert row["Chuyên gia đánh giá trưởng"] == lead
    assert sheet.max_row == 2


def test_a_manager_exports_only_the_audits_they_may_see(world):
    own = support.plan(world)
    other = support.build(world, "planned", lead=world.auditor_a, department=world.dept_b)
    rows = _csv(world.api(world.manager).get("/api/v1/audits.csv"))
    codes = [r[0] for r in rows[1:]]
    assert own.code in codes and other.code not in codes
    assert world.api(world.staff).get("/api/v1/audits.csv").status_code == 403


def test_bad_filters_name_the_parameter(world):
    api = world.api(world.quality_officer)
    response = api.get("/api/v1/audits.xlsx", params={"status": "bogus"})
    assert response.status_code == 422 and "status" in response.text
    day = support.today(world).isoformat()
    response = api.get(
        "/api/v1/audits.csv", params={"reported_from": day, "reported_to": "2000-01-01"}
    )
    assert response.status_code == 422 and "reported_from" in response.text


def test_the_list_links_to_the_exports_with_its_filters_and_the_year_shown(world):
    support.plan(world)
    browser = world.browser(world.quality_officer)
    page = browser.get(f"/audits?status=planned&department_id={world.dept_a.id}").text
    links = [unescape(h) for h in re.findall(r'href="(/api/v1/audits\.(?:csv|xlsx)[^"]*)"', page)]
    assert len(links) == 2 and "Export CSV" in page and "Export Excel" in page
    year = support.today(world).year
    for link in links:
        assert f"year={year}" in link and "status=planned" in link
        assert f"department_id={world.dept_a.id}" in link
        assert browser.get(link).status_code == 200
    browser.cookies.set("qms_lang", "vi")
    text = browser.get("/audits").text
    assert "Xuất CSV" in text and "Xuất ra" not in text
