"""The register: creating entries, filters, full-text search with and without Vietnamese
diacritics, obsolete documents out of the default view, pagination, CSV and XLSX export."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from qms.documents.search import fold
from tests.documents import factories as f


def _create(world, **overrides):
    body = {
        "code": "qt-03",
        "title": "Kiểm soát sự không phù hợp",
        "kind": "procedure",
        "department_id": world.dept_a.id,
        "clauses": ["8.7", "10.2", "10.2.1"],
        "review_interval_months": 12,
        **overrides,
    }
    return world.api(world.quality_officer).post("/api/v1/documents", json=body)


def test_a_quality_officer_registers_a_document_and_owns_it(world):
    response = _create(world)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "QT-03"  # codes are kept upper case
    assert (body["status"], body["version"], body["owner_id"]) == (
        "draft",
        1,
        world.quality_officer.id,
    )
    assert body["clauses"] == ["8.7", "10.2", "10.2.1"]
    assert body["effective_revision"] is None


def test_a_duplicate_code_is_a_conflict_on_the_code(world):
    _create(world)
    response = _create(world, code="QT-03")
    assert response.status_code == 409
    assert response.json()["field"] == "code"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "QT 03!"}, "code"),
        ({"title": "   "}, "title"),
        ({"kind": "recipe"}, "kind"),
        ({"department_id": 99999}, "department_id"),
        ({"owner_id": 99999}, "owner_id"),
        ({"clauses": ["bảy"]}, "clauses"),
        ({"review_interval_months": 0}, "review_interval_months"),
    ],
)
def test_bad_input_names_the_field(world, overrides, field):
    response = _create(world, **overrides)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_fold_removes_vietnamese_diacritics():
    assert fold("Kiểm soát ĐẦU RA không phù hợp; QT-10") == "kiem soat dau ra khong phu hop qt 10"


def _codes(response):
    assert response.status_code == 200, response.text
    return [d["code"] for d in response.json()]


@pytest.fixture
def register(world):
    a = f.new_document(
        world, code="QT-06", title="Tiếp nhận hồ sơ thủ tục hành chính", clauses=["8.2", "8.2.1"]
    )
    f.advance(
        world,
        f.new_revision(world, a, content="Công chức tiếp nhận hồ sơ qua dịch vụ bưu chính."),
        "effective",
    )
    b = f.new_document(
        world, code="QT-02", title="Đánh giá nội bộ", clauses=["9.2"], department=world.dept_b
    )
    f.new_revision(world, b, content="Đoàn đánh giá lập kế hoạch; bưu chính không liên quan.")
    c = f.new_document(
        world, code="HD-01", title="Hướng dẫn số hóa", kind="work_instruction", clauses=["7.5.3"]
    )
    f.advance(world, f.new_revision(world, c, content="Quét hồ sơ giấy."), "effective")
    old = f.revision_in(world, "obsolete", code="QT-99", title="Quy trình cũ về bưu chính")
    return {"QT-06": a, "QT-02": b, "HD-01": c, "QT-99": f.get_revision(world, old).document_id}


def test_obsolete_documents_leave_the_default_view(world, register):
    client = world.api(world.staff)
    assert _codes(client.get("/api/v1/documents")) == ["HD-01", "QT-02", "QT-06"]
    assert _codes(client.get("/api/v1/documents?status=obsolete")) == ["QT-99"]
    assert _codes(client.get("/api/v1/documents?status=all")) == [
        "HD-01",
        "QT-02",
        "QT-06",
        "QT-99",
    ]
    assert _codes(client.get("/api/v1/documents?status=draft")) == ["QT-02"]


def test_filters_by_department_kind_and_clause(world, register):
    client = world.api(world.staff)
    assert _codes(client.get(f"/api/v1/documents?department_id={world.dept_b.id}")) == ["QT-02"]
    assert _codes(client.get("/api/v1/documents?kind=work_instruction")) == ["HD-01"]
    # A clause matches its sub-clauses, never a different clause that starts alike.
    assert _codes(client.get("/api/v1/documents?clause=8.2")) == ["QT-06"]
    assert _codes(client.get("/api/v1/documents?clause=7.5")) == ["HD-01"]
    assert _codes(client.get("/api/v1/documents?clause=9")) == ["QT-02"]
    assert _codes(client.get("/api/v1/documents?clause=8.2.1")) == ["QT-06"]


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("tiếp nhận", ["QT-06"]),
        ("tiep nhan", ["QT-06"]),
        ("TIẾP NHẬN", ["QT-06"]),
        ("bưu chính", ["QT-06"]),  # in QT-06's effective text; QT-02's is only a draft
        ("buu chinh", ["QT-06"]),
        ("qt-06", ["QT-06"]),
        ("so hoa", ["HD-01"]),
        ("quét", ["HD-01"]),
        ("đánh giá", ["QT-02"]),
        ("danh gi", ["QT-02"]),  # words match as prefixes
        ("không có gì như thế", []),
        ('" OR 1=1 --', []),
    ],
)
def test_search_matches_with_and_without_diacritics(world, register, q, codes):
    response = world.api(world.staff).get("/api/v1/documents", params={"q": q})
    assert _codes(response) == codes


def test_the_search_index_follows_the_effective_text(world, register):
    client = world.api(world.staff)
    assert _codes(client.get("/api/v1/documents", params={"q": "dịch vụ công trực tuyến"})) == []
    revision = f.new_revision(world, register["HD-01"], content="Nộp qua dịch vụ công trực tuyến.")
    f.advance(world, revision, "effective")
    assert _codes(client.get("/api/v1/documents", params={"q": "dich vu cong truc tuyen"})) == [
        "HD-01"
    ]
    assert _codes(client.get("/api/v1/documents", params={"q": "quét"})) == []


def test_pagination_and_total(world, register):
    response = world.api(world.staff).get("/api/v1/documents?limit=2&offset=2&status=all")
    assert response.headers["x-total-count"] == "4"
    assert _codes(response) == ["QT-06", "QT-99"][:2]
    assert world.api(world.staff).get("/api/v1/documents?limit=0").status_code == 422


def test_the_register_page_keeps_filters_in_links(world, register):
    browser = world.browser(world.staff)
    page = browser.get("/documents?q=tiep+nhan&kind=procedure")
    assert page.status_code == 200
    assert "QT-06" in page.text and "QT-02" not in page.text
    assert "/documents.csv?q=tiep%20nhan&amp;kind=procedure" in page.text


def test_csv_export_has_the_register_with_vietnamese_text(world, register):
    response = world.browser(world.staff).get("/documents.csv?status=all")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Title", "Kind"]
    assert [r[0] for r in rows[1:]] == ["HD-01", "QT-02", "QT-06", "QT-99"]
    qt06 = rows[3]
    assert qt06[1] == "Tiếp nhận hồ sơ thủ tục hành chính"
    assert qt06[5] == "8.2, 8.2.1" and qt06[7] == "00"


def test_xlsx_export_opens_as_a_workbook(world, register):
    response = world.browser(world.staff).get("/documents.xlsx?kind=procedure")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values[1:]] == ["QT-02", "QT-06"]


def test_exports_defuse_spreadsheet_formulas(world):
    f.new_document(world, code="QT-50", title='=HYPERLINK("http://evil")')
    text = world.browser(world.staff).get("/documents.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_a_stale_register_entry_is_refused(world):
    document_id = f.new_document(world)
    response = world.api(world.quality_officer).patch(
        f"/api/v1/documents/{document_id}", json={"version": 1, "title": "Tên mới"}
    )
    assert response.status_code == 409
    assert response.json()["field"] == "version"
