"""Text search on the nonconformity register (issue 19.10): the page, the API and its
exports find the words in the code or the text, all of them (ASCII letters in either case;
SQLite compares other letters as typed, PostgreSQL in either case)."""

from __future__ import annotations

from qms.db import unit_of_work
from qms.nonconformities import service
from tests.nonconformities.builders import build


def _raise(world, description: str) -> str:
    with unit_of_work(world.engine) as session:
        return service.raise_nonconformity(
            session=session,
            by=None,
            source="supplier",
            department_id=world.dept_a.id,
            clause="8.4",
            severity="minor",
            description=description,
        ).code


def test_the_register_page_finds_words_in_the_text(world):
    late = build(world, "open")  # "Hồ sơ trễ hạn không có thư xin lỗi gửi công dân."
    envelope = _raise(world, "Nhà cung cấp giao PHONG BÌ thiếu 100% số lượng.")
    browser = world.browser(world.quality_officer)
    found = browser.get("/nonconformities", params={"q": "phong BÌ"}).text
    assert envelope in found and late.code not in found
    assert 'value="phong BÌ"' in found
    both_words = browser.get("/nonconformities", params={"q": "xin lỗi trễ"}).text
    assert late.code in both_words and envelope not in both_words
    by_code = browser.get("/nonconformities", params={"q": late.code}).text
    assert late.code in by_code and envelope not in by_code
    # A % is a character to find, not a wildcard.
    percent = browser.get("/nonconformities", params={"q": "100%"}).text
    assert envelope in percent and late.code not in percent
    assert "q=100%25" in percent  # the export links keep the search


def test_the_api_and_its_export_search_too(world):
    late = build(world, "open")
    envelope = _raise(world, "Nhà cung cấp giao phong bì thiếu.")
    api = world.api(world.quality_officer)
    rows = api.get("/api/v1/nonconformities", params={"q": "phong"}).json()
    assert [r["code"] for r in rows] == [envelope]
    csv = api.get("/api/v1/nonconformities.csv", params={"q": "phong"}).text
    assert envelope in csv and late.code not in csv
    assert api.get("/api/v1/nonconformities", params={"q": "x" * 101}).status_code == 422
