"""Ranked search of the register: best matches first (FTS5 bm25 / PostgreSQL ts_rank), on
the API and on the page, where each result carries a snippet of its text with the matched
words marked and everything else escaped; in English and in Vietnamese."""

from __future__ import annotations

import re

import pytest

from qms.documents import search
from tests.documents import factories as f

FILLER = "Phòng ban lập kế hoạch hằng năm và báo cáo kết quả cho lãnh đạo. " * 8


@pytest.fixture
def ranked(world):
    """Three effective documents matching "lưu trữ" more and more often (the most often
    the oldest, so that ranking, not age, decides the order), and one not matching."""
    ids = {}
    for code, content in [
        ("QT-11", "Lưu trữ hồ sơ: lưu trữ bản giấy, lưu trữ bản số, lưu trữ <b>dài hạn</b>."),
        ("QT-12", "Hồ sơ được lưu trữ tại phòng; bản số được lưu trữ trên máy chủ. " + FILLER),
        ("QT-13", FILLER + "Cuối năm, hồ sơ được lưu trữ <script>alert(1)</script> tại kho."),
        ("QT-14", "Đánh giá nội bộ theo kế hoạch. " + FILLER),
    ]:
        document = f.new_document(world, code=code, title=f"Quy định {code}", clauses=["7.5.3"])
        f.advance(world, f.new_revision(world, document, content=content), "effective")
        ids[code] = document
    return ids


def _codes(response):
    assert response.status_code == 200, response.text
    return [d["code"] for d in response.json()]


def test_the_api_ranks_the_best_match_first(world, ranked):
    client = world.api(world.staff)
    response = client.get("/api/v1/documents", params={"q": "lưu trữ"})
    assert _codes(response) == ["QT-11", "QT-12", "QT-13"]
    assert response.headers["x-total-count"] == "3"
    # Without diacritics, the same order; without a search, the register's code order.
    assert _codes(client.get("/api/v1/documents", params={"q": "luu tru"})) == [
        "QT-11",
        "QT-12",
        "QT-13",
    ]
    assert _codes(client.get("/api/v1/documents")) == ["QT-11", "QT-12", "QT-13", "QT-14"]
    # Pages of a ranked list follow the ranking.
    assert _codes(
        client.get("/api/v1/documents", params={"q": "luu tru", "limit": 1, "offset": 1})
    ) == ["QT-12"]


def _results(page_text: str) -> list[str]:
    return re.findall(r'<td class="nowrap"><a href="/documents/\d+">([A-Z]{2}-\d+)</a>', page_text)


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "Best matches first."), ("vi", "Tài liệu khớp nhất xếp trước.")]
)
def test_the_page_shows_ranked_results_with_a_marked_escaped_snippet(world, ranked, lang, heading):
    browser = world.browser(world.staff)
    browser.cookies.set("qms_lang", lang)
    page = browser.get("/documents", params={"q": "lưu trữ"})
    assert page.status_code == 200
    assert heading in page.text
    assert _results(page.text) == ["QT-11", "QT-12", "QT-13"]
    # The snippet of QT-13: its text around the match, far into the document, the matched
    # words marked and the text's markup shown as text, never as markup.
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', page.text, re.S)
    assert len(snippets) == 3
    last = snippets[2]
    assert last.startswith("… ")
    assert "<mark>lưu</mark> <mark>trữ</mark>" in last
    assert "&lt;script&gt;alert" in last and "<script>" not in page.text.split("<main")[1]
    assert "<mark>Lưu</mark> <mark>trữ</mark> hồ sơ" in snippets[0]
    assert "&lt;b&gt;dài hạn&lt;/b" in snippets[0]


def test_no_ranking_note_without_a_search(world, ranked):
    page = world.browser(world.staff).get("/documents")
    assert "Best matches first." not in page.text and 'class="snippet"' not in page.text


def test_a_search_broader_than_the_ranked_limit_says_so(world, ranked, monkeypatch):
    monkeypatch.setattr(search, "RANKED_AT_MOST", 2)
    client = world.api(world.staff)
    response = client.get("/api/v1/documents", params={"q": "lưu trữ"})
    # The two newest matching documents are ranked (QT-11, the best match, is older).
    assert _codes(response) == ["QT-12", "QT-13"]
    assert response.headers["x-total-count"] == "2"
    page = world.browser(world.staff).get("/documents", params={"q": "lưu trữ"})
    assert "More than 2 documents match: the 2 newest are ranked." in page.text


def test_snippet_marks_prefixes_and_escapes():
    marked = search.snippet("Tài liệu <i>kiểm soát</i> & hồ sơ kiểm tra", "kiem")
    assert str(marked) == (
        "Tài liệu &lt;i&gt;<mark>kiểm</mark> soát&lt;/i&gt; &amp; hồ sơ <mark>kiểm</mark> tra"
    )
    assert str(search.snippet("Không liên quan", "kiem")) == ""
    assert str(search.highlight("Quy trình <x>", "quy")) == "<mark>Quy</mark> trình &lt;x&gt;"
