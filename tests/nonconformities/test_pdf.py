"""The corrective-action request form as PDF: its text, in Vietnamese with diacritics."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader

from tests.nonconformities.builders import WHYS, build


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_the_closed_form_is_kept_in_the_organisations_language_vietnamese(world):
    # Kept once at closing, in the organisation's language: every reader gets that file.
    world.app.state.settings.lang = "vi"
    built = build(world, "closed")
    response = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = text_of(response.content)
    for expected in (
        "PHIẾU YÊU CẦU HÀNH ĐỘNG KHẮC PHỤC",
        built.code,
        "Mô tả sự không phù hợp",
        "Đánh giá nội bộ",
        "Hồ sơ trễ hạn không có thư xin lỗi gửi công dân.",
        "Khắc phục tức thời / Biện pháp ngăn chặn",
        "Gửi ngay thư xin lỗi cho các công dân bị trễ hạn.",
        "Nguyên nhân gốc rễ",
        WHYS[2],
        WHYS[4],
        "Hành động khắc phục",
        "Biên bản thực hiện đính kèm.",
        "Kiểm tra hiệu lực",
        "Có hiệu lực",
        "Không còn hồ sơ trễ hạn thiếu thư xin lỗi.",
        "Đã ký điện tử",
        "Manager",
        "Chuyên viên",
        "Trang 1/",
    ):
        assert unicodedata.normalize("NFC", expected) in text, expected


def test_an_open_form_says_it_is_not_closed_yet_in_english(world):
    built = build(world, "open")
    response = world.api(world.staff).get(f"/api/v1/nonconformities/{built.id}.pdf")
    text = text_of(response.content)
    assert "CORRECTIVE ACTION REQUEST" in text
    assert "Not closed yet" in text and "Page 1/1" in text


def test_a_missing_nonconformity_has_no_form(world):
    response = world.api(world.staff).get("/api/v1/nonconformities/999999.pdf")
    assert response.status_code == 404
