"""The report: signed by the lead auditor once every item is answered, the PDF audit record
rendered and kept with its SHA-256, served and written byte for byte."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader

from qms.audits.models import Result
from tests.audits import support
from tests.factories import PASSWORD

FINDING = "Hồ sơ HS-0815 trễ hạn 3 ngày nhưng không có phiếu xin lỗi gửi công dân."
OFI = "Nên gửi tin nhắn SMS khi có kết quả để giảm lượt người dân đến hỏi."
OBSERVATION = "Thiết bị đánh giá sự hài lòng ở quầy số 4 hỏng từ ngày 02/6."


@pytest.fixture
def settings(settings):
    # The record is written in the office's language.
    settings.lang = "vi"
    return settings


@pytest.fixture
def reported(world):
    built = support.build(world, "in_progress", team=[support.second_auditor(world)])
    refs = [i.ref for i in support.items(world, built)]
    support.answer(
        world,
        built,
        answers={
            refs[2]: (Result.minor_nc, FINDING),
            refs[5]: (Result.improvement, OFI),
            refs[7]: (Result.observation, OBSERVATION),
            refs[9]: (Result.not_applicable, "Không áp dụng: quầy không thu phí."),
        },
    )
    response = world.api(world.auditor).post(
        f"/api/v1/audits/{built.id}/report",
        json={
            "password": PASSWORD,
            "summary": "Quá trình tiếp nhận hồ sơ được thực hiện cơ bản phù hợp.",
            "strengths": "Công chức tại quầy nắm vững thành phần hồ sơ.",
        },
    )
    assert response.status_code == 200, response.text
    return built, response.json()


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_reporting_keeps_the_pdf_under_its_sha256(world, reported):
    built, body = reported
    assert body["status"] == "reported" and body["reported_at"]
    kept = world.app.state.settings.files_dir / body["report_sha256"]
    data = kept.read_bytes()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == body["report_sha256"]
    served = world.api(world.manager).get(f"/api/v1/audits/{built.id}.pdf")
    assert served.status_code == 200
    assert served.content == data  # byte for byte
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["x-content-sha256"] == body["report_sha256"]
    again = world.api(world.quality_officer).get(f"/api/v1/audits/{built.id}.pdf")
    assert again.content == data  # kept, not rendered again


def test_the_pdf_holds_the_whole_record_in_vietnamese(world, reported):
    built, body = reported
    data = (world.app.state.settings.files_dir / body["report_sha256"]).read_bytes()
    pages = pdf_text(data)
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    audit = support.load(world, built)
    for expected in (
        "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH",
        "BÁO CÁO ĐÁNH GIÁ NỘI BỘ",
        audit.code,
        "Phòng A",
        "Vũ Thị Mai",  # the team
        "Auditor",  # the lead auditor's name
        "Quầy tiếp nhận và trả kết quả",  # scope
        "TCVN ISO 9001:2015; QT-06, QT-07, QT-08.",  # criteria
        "Kết quả theo điều khoản",
        "Quá trình tiếp nhận hồ sơ được thực hiện cơ bản phù hợp.",
        "Công chức tại quầy nắm vững thành phần hồ sơ.",
        FINDING,
        OFI,
        OBSERVATION,
        support.EVIDENCE,
        "Không phù hợp nhẹ",
        "Chữ ký",
    ):
        assert expected in flat, expected
    # The finding carries its nonconformity's code.
    codes = re.findall(r"NC-\d{4}-\d{4}", flat)
    assert codes, "no nonconformity code in the report"
    # Every item with its question, as the auditors answered it.
    for item in support.items(world, built):
        assert item.ref in flat
    # Page X of Y on every page.
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in page, page[-200:]
    assert len(pages) >= 2


def test_the_report_is_signed_by_the_lead_auditor_bound_to_its_content(world, reported):
    built, _body = reported
    from qms.audits import service
    from qms.audits.models import Audit
    from qms.db import unit_of_work
    from qms.trail.models import Signature

    with unit_of_work(world.engine, write=False) as session:
        audit = session.get(Audit, built.id)
        signature = session.get(Signature, audit.report_signature_id)
        assert signature.signer_id == world.auditor.id and signature.meaning == "reported"
        assert signature.content_hash == service.content_hash(session=session, audit=audit)


def test_a_report_with_open_items_is_refused_naming_how_many(world):
    built = support.build(world, "in_progress")
    items = support.items(world, built)
    world.api(world.auditor).patch(
        f"/api/v1/checklist-items/{items[0].id}",
        json={"result": "conform", "evidence": "", "version": 1},
    )
    response = world.api(world.auditor).post(
        f"/api/v1/audits/{built.id}/report", json={"password": PASSWORD, "summary": "Xong."}
    )
    assert response.status_code == 409
    assert response.json()["open"] == len(items) - 1
    assert f"{len(items) - 1} của {len(items)}" in response.json()["detail"]
    assert support.load(world, built).status == "in_progress"


def test_a_wrong_password_signs_nothing(world):
    built = support.build(world, "in_progress")
    support.answer(world, built)
    response = world.api(world.auditor).post(
        f"/api/v1/audits/{built.id}/report", json={"password": "sai mật khẩu", "summary": "Xong."}
    )
    assert response.status_code == 422 and response.json()["field"] == "password"
    audit = support.load(world, built)
    assert audit.status == "in_progress" and audit.report_sha256 is None


def test_a_tampered_record_is_withheld(world, reported):
    built, body = reported
    kept = world.app.state.settings.files_dir / body["report_sha256"]
    kept.write_bytes(kept.read_bytes() + b"\n% edited")
    response = world.api(world.quality_officer).get(f"/api/v1/audits/{built.id}.pdf")
    assert response.status_code == 503 and body["report_sha256"] in response.json()["detail"]


def test_an_audit_without_report_has_no_pdf(world):
    built = support.plan(world)
    assert world.api(world.quality_officer).get(f"/api/v1/audits/{built.id}.pdf").status_code == 404


def test_the_command_line_writes_the_kept_pdf(world, reported, cli, tmp_path):
    built, body = reported
    target = tmp_path / "report.pdf"
    code, output = cli("report", "audit", support.load(world, built).code, "-o", str(target))
    assert code == 0, output
    assert hashlib.sha256(target.read_bytes()).hexdigest() == body["report_sha256"]
    code, output = cli("report", "audit", "IA-1999-99", "-o", str(target))
    assert code == 1 and "IA-1999-99" in output


def test_the_record_page_links_the_pdf_and_its_hash(world, reported):
    built, body = reported
    page = world.browser(world.manager).get(f"/audits/{built.id}").text
    assert f'href="/api/v1/audits/{built.id}.pdf"' in page and body["report_sha256"] in page
