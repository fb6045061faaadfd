"""4.3: the requirements the scope document in force declares not applicable, read from the
table under its heading of exclusions, show as excluded with the justification, not as gaps;
a sub-clause excluded (7.1.5.2) leaves the rest of its requirement to be shown."""

from __future__ import annotations

import io

from pypdf import PdfReader

from qms.db import unit_of_work
from qms.evidence import service
from qms.evidence.models import EvidenceExport
from tests.documents import factories as documents
from tests.evidence.builders import clauses, exported, members

DESIGN = (
    "Trình tự, hồ sơ, thời hạn và kết quả TTHC do văn bản quy phạm pháp luật quy định; "
    "Văn phòng không thiết kế dịch vụ mới."
)
CALIBRATION = "Văn phòng không dùng thiết bị đo lường cần hiệu chuẩn."

SCOPE = f"""# PV-01. Phạm vi của Hệ thống quản lý chất lượng

## 3. Phạm vi áp dụng

| Đơn vị | Ghi chú |
|---|---|
| 8.2 | Một bảng khác: không phải loại trừ |

## 4. Các yêu cầu của tiêu chuẩn không áp dụng

| Điều khoản | Nội dung | Lý giải |
|---|---|---|
| **8.3** | Thiết kế và phát triển sản phẩm và dịch vụ | {DESIGN} |
| 7.1.5.2 | Liên kết chuẩn đo lường | {CALIBRATION} |

## 5. Duy trì và xem xét

| 9.2 | Đánh giá nội bộ | Không thuộc mục loại trừ |
"""


def _scope(world, text=SCOPE, code="PV-01"):
    document_id = documents.new_document(world, code=code, kind="scope", clauses=["4.3"])
    revision_id = documents.new_revision(world, document_id, content=text)
    documents.advance(world, revision_id, "effective")
    return document_id


def test_without_a_scope_declaring_it_design_8_3_is_a_gap(world):
    found = clauses(world)
    assert found["8.3"]["gaps_total"] == 1 and found["8.3"]["excluded"] is None


def test_the_scope_in_force_excludes_8_3_with_its_justification_and_no_gap(world):
    before = world.api(world.quality_officer).get("/api/v1/evidence").json()["gaps"]
    document_id = _scope(world)
    pack = world.api(world.quality_officer).get("/api/v1/evidence").json()
    found = {c["clause"]: c for c in pack["clauses"]}
    excluded = found["8.3"]["excluded"]
    assert excluded == {
        "clause": "8.3",
        "title": "Thiết kế và phát triển sản phẩm và dịch vụ",
        "justification": DESIGN,
        "code": "PV-01",
        "url": f"/documents/{document_id}",
    }
    assert found["8.3"]["gaps"] == [] and found["8.3"]["gaps_total"] == 0
    # Only the rows under the exclusions' heading count (not 8.2 above, not 9.2 below).
    assert [e["clause"] for e in pack["exclusions"]] == ["8.3", "7.1.5.2"]
    assert found["9.2"]["excluded"] is None and found["9.2"]["gaps_total"] >= 1
    # 7.1.5.2 is a part of 7.1.5: the rest still applies, and holding nothing is still a gap.
    assert found["7.1.5"]["excluded"] is None
    assert [e["justification"] for e in found["7.1.5"]["partly_excluded"]] == [CALIBRATION]
    assert found["7.1.5"]["gaps_total"] == 1
    # The scope itself fills 4.3; 8.3's gap is gone from the total.
    assert pack["gaps"] == before - 2  # 4.3 (no scope) and 8.3


def test_the_page_shows_the_excluded_requirement_in_both_languages(world):
    _scope(world)
    for lang, words in (("en", "excluded (not applicable)"), ("vi", "không áp dụng")):
        browser = world.browser(world.quality_officer)
        browser.cookies.set("qms_lang", lang)
        page = browser.get("/evidence")
        assert page.status_code == 200
        section = page.text.split('id="evidence-8.3"')[1].split("</section>")[0]
        assert words.lower() in section.lower() and DESIGN in section
        assert 'class="gap"' not in section


def test_an_exclusion_the_standard_does_not_allow_is_a_gap_of_the_scope(world):
    _scope(
        world,
        "# Phạm vi\n\n## Các yêu cầu không áp dụng\n\n"
        "| Điều khoản | Nội dung | Lý giải |\n|---|---|---|\n"
        "| 9.3 | Xem xét của lãnh đạo | Lãnh đạo bận. |\n",
    )
    found = clauses(world)
    assert found["9.3"]["excluded"] is None and found["9.3"]["gaps_total"] == 1
    assert any("declares 9.3 not applicable" in g["message"] for g in found["4.3"]["gaps"])


def test_a_scope_not_in_force_excludes_nothing(world):
    document_id = documents.new_document(world, code="PV-02", kind="scope", clauses=["4.3"])
    documents.new_revision(world, document_id, content=SCOPE)
    found = clauses(world)
    assert found["8.3"]["excluded"] is None and found["8.3"]["gaps_total"] == 1


def test_the_index_pdf_says_8_3_is_excluded_and_why(world):
    _scope(world)
    export_id = exported(world)
    with unit_of_work(world.engine, write=False) as session:
        export = session.get(EvidenceExport, export_id)
        files = members(service.export_path(world.app.state.settings, export).read_bytes())
    reader = PdfReader(io.BytesIO(files["index.pdf"]))
    flat = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Excluded (not applicable)" in flat
    assert "Văn phòng không thiết kế dịch vụ mới" in flat
    assert "Excluded in part (not applicable) (7.1.5.2" in flat


def test_the_offices_own_scope_document_excludes_8_3_and_7_1_5_2(world):
    """procedures_docs/pv-01 (the demo's scope) words its exclusions as the table reads them."""
    from qms.config import PROJECT_ROOT

    text = PROJECT_ROOT / "procedures_docs" / "pv-01-pham-vi-he-thong-quan-ly-chat-luong.md"
    _scope(world, text.read_text(encoding="utf-8").split("---", 2)[2])
    found = clauses(world)
    assert found["8.3"]["excluded"]["justification"].startswith("Trình tự, hồ sơ, thời hạn")
    assert [e["clause"] for e in found["7.1.5"]["partly_excluded"]] == ["7.1.5.2"]
