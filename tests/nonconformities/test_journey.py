"""The whole journey through the pages, as new users would take it: an auditor raises a
nonconformity, its manager investigates and plans two actions, two people complete them,
the quality officer finds them ineffective once, then effective, the manager closes it,
and the form is opened as PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader

from tests.factories import PASSWORD
from tests.nonconformities.builders import build, load, today

PDF_EVIDENCE = b"%PDF-1.4\n% so theo doi\n%%EOF\n"


def _forms(html: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="([^"]+)"', html))


def test_from_the_finding_to_the_signed_closure(world):
    auditor = world.browser(world.auditor)
    manager = world.browser(world.manager)
    staff = world.browser(world.staff)
    second = world.browser(world.auditor_a)
    quality = world.browser(world.quality_officer)

    # The auditor raises it.
    form = auditor.get("/nonconformities/new")
    assert form.status_code == 200 and 'name="clause"' in form.text
    raised = auditor.submit(
        "/nonconformities",
        {
            "department_id": str(world.dept_a.id),
            "source": "internal_audit",
            "severity": "major",
            "clause": "8.5.1",
            "description": "12 hồ sơ trễ hạn tháng 7 không có thư xin lỗi gửi công dân.",
            "owner_id": "",
        },
        page="/nonconformities/new",
    )
    assert raised.status_code == 303, raised.text
    url = raised.headers["location"]
    nc_id = int(url.rsplit("/", 1)[1])
    page = auditor.get(url)
    assert "The nonconformity was raised." in page.text and "NC-" in page.text
    assert _forms(page.text) == {"/logout", "/lang"}  # an auditor may only read it

    # Its manager investigates, with five linked answers.
    page = manager.get(url).text
    assert f"/nonconformities/{nc_id}/investigate" in _forms(page)
    answers = {
        "whys.0": "Công dân không nhận được thư xin lỗi.",
        "whys.1": "Chuyên viên không lập thư khi hồ sơ trễ.",
        "whys.2": "Không ai biết hồ sơ đã trễ hạn.",
        "whys.3": "Phần mềm một cửa không cảnh báo hạn xử lý.",
        "whys.4": "Quy trình không giao người theo dõi cảnh báo hạn.",
    }
    investigated = manager.submit(
        f"/nonconformities/{nc_id}/investigate",
        {
            "version": "1",
            "containment": "Gửi thư xin lỗi cho 12 công dân trong ngày.",
            "root_cause_method": "five_whys",
            "root_cause": "",
            **answers,
        },
        page=url,
    )
    assert investigated.status_code == 303, investigated.text
    assert load(world, nc_id).status == "investigating"

    # … and plans two actions, for two people.
    due = (today(world) + timedelta(days=10)).isoformat()
    for person, what in (
        (world.staff, "Cấu hình cảnh báo hạn"),
        (world.auditor_a, "Sửa quy trình"),
    ):
        version = str(load(world, nc_id).version)
        planned = manager.submit(
            f"/nonconformities/{nc_id}/actions",
            {"version": version, "description": what, "owner_id": str(person.id), "due_on": due},
            page=url,
        )
        assert planned.status_code == 303, planned.text
    assert load(world, nc_id).status == "action_planned"

    # Each completes their own, with evidence (text and a file).
    staff_page = staff.get(url).text
    action_forms = [f for f in _forms(staff_page) if f.startswith("/corrective-actions/")]
    assert len(action_forms) == 1
    done = staff.submit(
        action_forms[0],
        {"version": "1", "evidence": "Đã bật cảnh báo trước 2 ngày."},
        page=url,
        files={"files": ("cấu hình.pdf", PDF_EVIDENCE, "application/pdf")},
    )
    assert done.status_code == 303, done.text
    second_forms = [f for f in _forms(second.get(url).text) if f.startswith("/corrective-")]
    assert (
        second.submit(
            second_forms[0], {"version": "1", "evidence": "Quy trình QT-05 sửa đổi."}, page=url
        ).status_code
        == 303
    )
    nc = load(world, nc_id)
    assert nc.status == "verifying"
    assert "cấu hình.pdf" in staff.get(url).text

    # The quality officer finds them ineffective once …
    page = quality.get(url).text
    assert f"/nonconformities/{nc_id}/verify" in _forms(page)
    assert f"/nonconformities/{nc_id}/close" not in _forms(page)
    ineffective = quality.submit(
        f"/nonconformities/{nc_id}/verify",
        {
            "version": str(nc.version),
            "result": "ineffective",
            "comment": "Tháng 8 vẫn còn 2 hồ sơ.",
        },
        page=url,
    )
    assert ineffective.status_code == 303
    assert load(world, nc_id).status == "action_planned"
    assert "Tháng 8 vẫn còn 2 hồ sơ." in quality.get(url).text

    # … a new action is planned and done …
    version = str(load(world, nc_id).version)
    assert (
        manager.submit(
            f"/nonconformities/{nc_id}/actions",
            {
                "version": version,
                "description": "Đào tạo lại",
                "owner_id": str(world.staff.id),
                "due_on": due,
            },
            page=url,
        ).status_code
        == 303
    )
    new_form = next(f for f in _forms(staff.get(url).text) if f.startswith("/corrective-"))
    assert (
        staff.submit(new_form, {"version": "1", "evidence": "Đã đào tạo."}, page=url).status_code
        == 303
    )

    # … then effective.
    nc = load(world, nc_id)
    assert nc.status == "verifying"
    assert (
        quality.submit(
            f"/nonconformities/{nc_id}/verify",
            {"version": str(nc.version), "result": "effective", "comment": "Không còn hồ sơ trễ."},
            page=url,
        ).status_code
        == 303
    )

    # The manager closes it, signing with the password.
    page = manager.get(url).text
    assert f"/nonconformities/{nc_id}/close" in _forms(page)
    closed = manager.submit(
        f"/nonconformities/{nc_id}/close",
        {"version": str(load(world, nc_id).version), "password": PASSWORD},
        page=url,
    )
    assert closed.status_code == 303
    page = manager.get(url).text
    assert "Closed and signed electronically by Manager" in page
    assert load(world, nc_id).status == "closed"
    assert _forms(page) == {"/logout", "/lang"}

    # The form is opened.
    pdf = auditor.get(f"/api/v1/nonconformities/{nc_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert load(world, nc_id).code in text and "Tháng 8 vẫn còn 2 hồ sơ." in " ".join(text.split())


def test_a_refused_form_keeps_what_was_typed_with_the_message_beside_the_field(world):
    built = build(world, "investigating")
    manager = world.browser(world.manager)
    url = f"/nonconformities/{built.id}"
    response = manager.submit(
        f"{url}/actions",
        {
            "version": str(load(world, built.id).version),
            "description": "Lập sổ theo dõi",
            "owner_id": str(world.staff.id),
            "due_on": "2001-01-01",
        },
        page=url,
    )
    assert response.status_code == 422
    assert 'id="due_on-error"' in response.text and "cannot be in the past" in response.text
    assert "Lập sổ theo dõi</textarea>" in response.text


def test_the_raise_form_names_the_missing_field_and_keeps_the_rest(world):
    browser = world.browser(world.staff)
    response = browser.submit(
        "/nonconformities",
        {
            "department_id": str(world.dept_a.id),
            "source": "supplier",
            "severity": "minor",
            "clause": "",
            "description": "Nhà cung cấp giao phong bì thiếu.",
        },
        page="/nonconformities/new",
    )
    assert response.status_code == 422
    assert 'id="clause-error"' in response.text
    assert "Nhà cung cấp giao phong bì thiếu.</textarea>" in response.text


def test_a_wrong_password_does_not_close(world):
    built = build(world, "ready")
    manager = world.browser(world.manager)
    url = f"/nonconformities/{built.id}"
    response = manager.submit(
        f"{url}/close",
        {"version": str(load(world, built.id).version), "password": "nope"},
        page=url,
    )
    assert response.status_code == 422 and 'id="password-error"' in response.text
    assert load(world, built.id).status == "verifying"


def test_a_stale_form_is_refused_with_a_message(world):
    built = build(world, "open")
    url = f"/nonconformities/{built.id}"
    response = world.browser(world.quality_officer).submit(
        f"{url}/cancel", {"version": "0", "reason": "Trùng"}, page=url
    )
    assert response.status_code == 409 and "changed by someone else" in response.text


def test_an_evidence_file_of_the_wrong_kind_is_refused_beside_the_field(world):
    built = build(world, "action_planned")
    url = f"/nonconformities/{built.id}"
    response = world.browser(world.staff).submit(
        f"/corrective-actions/{built.action_ids[0]}/complete",
        {"version": "1", "evidence": "Đã làm"},
        page=url,
        files={"files": ("virus.exe", b"MZ\x90\x00", "application/pdf")},
    )
    assert response.status_code == 422 and 'id="file-error"' in response.text
    assert "Đã làm</textarea>" in response.text
    assert load(world, built.id).status == "action_planned"


def test_someone_not_entitled_is_refused_with_403(world):
    built = build(world, "open")
    url = f"/nonconformities/{built.id}"
    response = world.browser(world.staff).submit(
        f"{url}/investigate",
        {"containment": "c", "root_cause_method": "other", "root_cause": "r"},
        page=url,
    )
    assert response.status_code == 403 and "Only the owner of the nonconformity" in response.text


def test_the_pages_speak_vietnamese(world):
    built = build(world, "verifying")
    browser = world.browser(world.quality_officer)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get(f"/nonconformities/{built.id}").text
    for words in (
        "Sự không phù hợp",
        "Hành động khắc phục",
        "Nguyên nhân gốc rễ",
        "Kiểm tra hiệu lực",
        "Phiếu yêu cầu hành động khắc phục",
    ):
        assert words in page
