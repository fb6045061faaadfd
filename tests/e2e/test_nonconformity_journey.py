"""Journey (c), in English and (d) in Vietnamese: an auditor raises a nonconformity, its
manager investigates and plans an action, the action's owner completes it, the quality
officer verifies it, the manager closes it with a signature; the form's PDF is fetched."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

DEMO = "demo-2026"


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_from_finding_to_signed_closure(journey, lang):
    words = {
        "en": {
            "raised": "The nonconformity was raised.",
            "closed": "closed",
            "signed": "signed electronically",
        },
        "vi": {
            "raised": "Đã ghi nhận sự không phù hợp.",
            "closed": "Đã đóng",
            "signed": "ký điện tử",
        },
    }[lang]
    auditor = journey(lang=lang)
    page = auditor.sign_in("danhgia@ubnd.demo.vn")
    auditor.goto("/nonconformities/new")
    page.select_option("#f-department_id", label="Trung tâm Phục vụ hành chính công")
    page.select_option("#f-source", "internal_audit")
    page.select_option("#f-severity", "minor")
    page.fill("#f-clause", "8.5.1")
    page.fill(
        "#f-description",
        f"[{lang}] Hồ sơ trả kết quả qua bưu điện không có phiếu bàn giao có chữ ký.",
    )
    auditor.shot("raise")
    auditor.submit("form[action='/nonconformities']")
    url = page.url
    assert "/nonconformities/" in url
    assert words["raised"] in page.inner_text("main")
    code = page.inner_text("h1")
    auditor.shot("raised")
    path = url.split(auditor.base, 1)[1]

    manager = journey(lang=lang)
    page = manager.sign_in("giamdoc@ubnd.demo.vn")
    manager.goto(path)
    page.fill(
        "#f-containment", "Liên hệ bưu điện lấy lại phiếu bàn giao có chữ ký cho các hồ sơ đã trả."
    )
    page.select_option("#f-root_cause_method", "five_whys")
    for i, why in enumerate(
        [
            "Phiếu bàn giao không được lưu.",
            "Nhân viên bưu điện không trả lại liên 2.",
            "Không có bước đối chiếu phiếu khi giao.",
            "Quy trình QT-08 chưa quy định bước đối chiếu.",
            "Khi soạn QT-08 chưa tính đến trả kết quả qua bưu điện.",
        ]
    ):
        page.fill(f"#f-whys\\.{i}", why)
    manager.submit("form[action$='/investigate']")
    page.fill("#f-description", "Bổ sung bước đối chiếu phiếu bàn giao vào QT-08 và tập huấn.")
    page.select_option("#f-owner_id", label="Phạm Thu Hà · Chuyên viên tiếp nhận hồ sơ")
    page.fill("#f-due_on", (date.today() + timedelta(days=14)).isoformat())
    manager.shot("plan")
    manager.submit("form[action$='/actions']")
    assert "Phạm Thu Hà" in page.inner_text("#actions-title + div")
    manager.shot("planned")

    owner = journey(lang=lang)
    page = owner.sign_in("nhanvien@ubnd.demo.vn")
    owner.goto(path)
    page.fill("textarea[name=evidence]", "QT-08 đã sửa đổi, biên bản tập huấn ngày 20/11.")
    owner.shot("complete")
    owner.submit("form[action^='/corrective-actions/']")
    owner.shot("completed")

    officer = journey(lang=lang)
    page = officer.sign_in("chatluong@ubnd.demo.vn")
    officer.goto(path)
    page.select_option("#f-result", "effective")
    page.fill("#f-comment", "Kiểm tra 20 hồ sơ gửi bưu điện: đều có phiếu bàn giao.")
    officer.submit("form[action$='/verify']")
    officer.shot("verified")

    page = manager.page
    manager.goto(path)
    page.fill("#f-password", DEMO)
    manager.submit("form[action$='/close']")
    text = page.inner_text("main")
    assert words["signed"] in text
    manager.shot("closed")

    nc_id = path.rstrip("/").rsplit("/", 1)[1]
    response = page.request.get(f"{manager.base}/api/v1/nonconformities/{nc_id}.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert code.split()[0] in code
