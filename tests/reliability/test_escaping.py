"""Script payloads typed into every text field, checked wherever the text is shown: pages
(parsed: nothing from a person runs, the text reads as typed), the JSON API (data, given
back unchanged), the reminder e-mails (HTML and text parts) and the PDFs (the HTML given to
WeasyPrint parsed the same way, the text extracted with pypdf)."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from qms.reminders import service as reminders
from tests.documents.factories import PDF_BYTES
from tests.factories import PASSWORD
from tests.reliability.xss import (
    FILE_NAME,
    MARKDOWN,
    PdfHtml,
    assert_harmless,
    assert_in_pdf,
    assert_shown,
    crawl,
    pdf_text,
    typed,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json()


def rename_people(world, *people) -> dict[int, str]:
    """Give people payloads as full names and position titles (printed where they sign)."""
    admin = world.api(world.admin)
    names = {}
    for number, person in enumerate(people):
        names[person.id] = f"NAME{number}"
        ok(
            admin.patch(
                f"/api/v1/users/{person.id}",
                json={
                    "version": 1,
                    "full_name": typed(f"NAME{number}"),
                    "position_title": typed(f"TITLE{number}"),
                },
            )
        )
    return names


@pytest.fixture
def smtp_server():
    """An SMTP server on a free local port keeping what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

        def prepare_message(self, session, envelope):
            return message_from_bytes(envelope.content, policy=policy.default)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    controller.received = received
    yield controller
    controller.stop()


def sent_mail(smtp_server) -> tuple[str, str]:
    """(HTML parts, text parts) of every message received, each HTML part checked harmless."""
    htmls, texts = [], []
    for message in smtp_server.received:
        html = message.get_body(("html",)).get_content()
        assert_harmless(html, f"e-mail to {message['To']}")
        htmls.append(html)
        texts.append(message.get_body(("plain",)).get_content())
    return "\n".join(htmls), "\n".join(texts)


# --- documents --------------------------------------------------------------------------


def test_document_text_is_escaped_in_pages_api_mail_and_controlled_copy(
    world, settings, monkeypatch, smtp_server
):
    pdf_html = PdfHtml(monkeypatch)
    rename_people(world, world.quality_officer, world.auditor, world.manager)
    qo, auditor, manager = (
        world.api(p) for p in (world.quality_officer, world.auditor, world.manager)
    )
    document = ok(
        qo.post(
            "/api/v1/documents",
            json={
                "code": "QT-X1",
                "title": typed("DOC-TITLE"),
                "kind": "procedure",
                "department_id": world.dept_a.id,
                "clauses": ["8.5.1"],
            },
        ),
        201,
    )
    ok(
        qo.put(
            f"/api/v1/documents/{document['id']}/distribution",
            json={"department_ids": [world.dept_a.id]},
        )
    )
    first = ok(
        qo.post(
            f"/api/v1/documents/{document['id']}/revisions",
            json={"content_md": MARKDOWN, "change_summary": typed("REV0-SUMMARY")},
        ),
        201,
    )
    assert first["content_md"] == MARKDOWN  # the API gives the text back as data
    ok(
        qo.post(
            f"/api/v1/revisions/{first['id']}/file",
            files={"file": (FILE_NAME, PDF_BYTES, "application/pdf")},
        )
    )
    roles = {"reviewer_id": world.auditor.id, "approver_id": world.manager.id}
    ok(qo.post(f"/api/v1/revisions/{first['id']}/submit", json=roles))
    ok(auditor.post(f"/api/v1/revisions/{first['id']}/return", json={"comment": typed("RETURNED")}))
    ok(qo.post(f"/api/v1/revisions/{first['id']}/submit", json=roles))
    ok(
        auditor.post(
            f"/api/v1/revisions/{first['id']}/review",
            json={"password": PASSWORD, "comment": typed("REVIEW-COMMENT")},
        )
    )
    ok(
        manager.post(
            f"/api/v1/revisions/{first['id']}/approve",
            json={"password": PASSWORD, "comment": typed("APPROVE-COMMENT")},
        )
    )
    ok(qo.post(f"/api/v1/revisions/{first['id']}/publish", json={}))
    second = ok(
        qo.post(
            f"/api/v1/documents/{document['id']}/revisions",
            json={"content_md": MARKDOWN + "\n\nsecond", "change_summary": typed("REV1-SUMMARY")},
        ),
        201,
    )
    ok(qo.post(f"/api/v1/revisions/{second['id']}/submit", json=roles))

    browser = world.browser(world.quality_officer)
    pages = crawl(
        browser,
        [
            "/",
            "/documents",
            f"/documents/{document['id']}",
            f"/revisions/{first['id']}",
            f"/revisions/{second['id']}",
            f"/documents/{document['id']}/diff?from={first['id']}&to={second['id']}",
            f"/trail/revision/{first['id']}",
            f"/trail/document/{document['id']}",
            "/admin/users",
        ],
    )
    assert_shown(
        pages,
        [
            "DOC-TITLE",
            "REV0-SUMMARY",
            "REV1-SUMMARY",
            "RETURNED",
            "REVIEW-COMMENT",
            "APPROVE-COMMENT",
            "NAME0",
            "NAME1",
            "NAME2",
            "TITLE1",
            "TITLE2",
        ],
    )
    assert_shown(pages, [""], payload=FILE_NAME)
    assert "MD-heading" in pages[f"/revisions/{first['id']}"].text
    # the staff member's reading list and the reviewer's signing list
    assert_shown(crawl(world.browser(world.staff), ["/documents/to-read", "/"]), ["DOC-TITLE"])
    assert_shown(crawl(world.browser(world.auditor), ["/documents/to-sign", "/"]), ["DOC-TITLE"])

    copy = browser.get(f"/revisions/{first['id']}.pdf")
    assert copy.status_code == 200, copy.text
    pdf_html.assert_harmless("controlled copy")
    assert_in_pdf(copy.content, ["DOC-TITLE", "NAME1", "NAME2", "TITLE1"])
    assert "MD-heading" in pdf_text(copy.content) and "MD-END" in pdf_text(copy.content)

    # reminders: the reviewer is asked to review, staff to read; both carry the title
    mail_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp_server.port}
    )
    reminders.sweep(engine=world.engine, settings=mail_settings, as_of=_today(world))
    html, text = sent_mail(smtp_server)
    assert "DOC-TITLE" in html and "&lt;script&gt;" in html
    assert typed("DOC-TITLE")[:60] in text


def _today(world):
    from datetime import datetime

    return datetime.now(world.app.state.settings.tz).date()


# --- nonconformities --------------------------------------------------------------------


def test_nonconformity_text_is_escaped_in_pages_api_mail_and_its_pdf(
    world, settings, monkeypatch, smtp_server
):
    pdf_html = PdfHtml(monkeypatch)
    rename_people(world, world.quality_officer, world.manager, world.staff)
    auditor, manager, staff = (world.api(p) for p in (world.auditor, world.manager, world.staff))
    qo = world.api(world.quality_officer)
    today = _today(world)
    nc = ok(
        auditor.post(
            "/api/v1/nonconformities",
            json={
                "source": "customer_complaint",
                "department_id": world.dept_a.id,
                "clause": "8.5.1",
                "severity": "minor",
                "description": typed("NC-DESCRIPTION"),
            },
        ),
        201,
    )
    assert nc["description"] == typed("NC-DESCRIPTION")  # the API gives data back unchanged
    ok(
        manager.post(
            f"/api/v1/nonconformities/{nc['id']}/investigate",
            json={
                "containment": typed("CONTAINMENT"),
                "root_cause_method": "five_whys",
                "whys": [typed(f"WHY{n}") for n in range(1, 6)],
                "root_cause": typed("ROOT-CAUSE"),
            },
        )
    )
    action = ok(
        manager.post(
            f"/api/v1/nonconformities/{nc['id']}/actions",
            json={
                "description": typed("ACTION"),
                "owner_id": world.staff.id,
                "due_on": (today + timedelta(days=7)).isoformat(),
            },
        ),
        201,
    )
    action_id = action["actions"][0]["id"] if "actions" in action else action["id"]
    ok(
        staff.post(
            f"/api/v1/corrective-actions/{action_id}/files",
            files={"file": (FILE_NAME, PNG, "image/png")},
        ),
        201,
    )

    # the action's owner is reminded of it by e-mail
    mail_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp_server.port}
    )
    reminders.sweep(engine=world.engine, settings=mail_settings, as_of=today + timedelta(days=7))
    html, text = sent_mail(smtp_server)
    assert "ACTION" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert typed("ACTION")[:40] in text

    ok(
        staff.post(
            f"/api/v1/corrective-actions/{action_id}/complete",
            json={"evidence": typed("EVIDENCE")},
        )
    )
    ok(
        qo.post(
            f"/api/v1/nonconformities/{nc['id']}/verify",
            json={"result": "effective", "comment": typed("CHECK-COMMENT")},
        )
    )
    ok(
        manager.post(
            f"/api/v1/nonconformities/{nc['id']}/close",
            json={"password": PASSWORD, "comment": typed("CLOSE-COMMENT")},
        )
    )
    other = ok(
        auditor.post(
            "/api/v1/nonconformities",
            json={
                "source": "other",
                "department_id": world.dept_a.id,
                "clause": "7.5",
                "severity": "minor",
                "description": "Bản sao không kiểm soát.",
            },
        ),
        201,
    )
    ok(qo.post(f"/api/v1/nonconformities/{other['id']}/cancel", json={"reason": typed("CANCEL")}))

    seeds = [
        "/",
        "/nonconformities",
        f"/nonconformities/{nc['id']}",
        f"/nonconformities/{other['id']}",
        f"/trail/nonconformity/{nc['id']}",
        f"/trail/nonconformity/{other['id']}",
        f"/trail/corrective_action/{action_id}",
        "/notifications",
    ]
    pages = crawl(world.browser(world.quality_officer), seeds)
    pages |= crawl(world.browser(world.staff), ["/", "/notifications"])
    assert_shown(
        pages,
        [
            *("NC-DESCRIPTION", "CONTAINMENT", "ROOT-CAUSE", "ACTION", "EVIDENCE"),
            *(f"WHY{n}" for n in range(1, 6)),
            *("CHECK-COMMENT", "CLOSE-COMMENT", "CANCEL", "NAME0", "NAME1", "NAME2", "TITLE1"),
        ],
    )
    assert_shown(pages, [""], payload=FILE_NAME)

    record = qo.get(f"/api/v1/nonconformities/{nc['id']}.pdf")
    assert record.status_code == 200, record.text
    pdf_html.assert_harmless("nonconformity record")
    assert_in_pdf(
        record.content,
        [
            "NC-DESCRIPTION",
            "CONTAINMENT",
            "WHY1",
            "WHY5",
            "ROOT-CAUSE",
            "ACTION",
            "EVIDENCE",
            "CHECK-COMMENT",
            "NAME1",
            "TITLE1",
        ],
    )


# --- audits -----------------------------------------------------------------------------


def test_audit_text_is_escaped_in_pages_api_mail_and_its_report(
    world, settings, monkeypatch, smtp_server
):
    from tests.audits.support import SMALL

    pdf_html = PdfHtml(monkeypatch)
    rename_people(world, world.quality_officer, world.auditor, world.manager)
    qo, lead = world.api(world.quality_officer), world.api(world.auditor)
    today = _today(world)
    programme = qo.post(
        "/api/v1/audit-programmes", json={"year": today.year, "objectives": typed("OBJECTIVES")}
    )
    assert programme.status_code in (201, 409), programme.text
    if programme.status_code == 409:
        current = ok(qo.get(f"/api/v1/audit-programmes/{today.year}"))
        ok(
            qo.patch(
                f"/api/v1/audit-programmes/{today.year}",
                json={"objectives": typed("OBJECTIVES"), "version": current["version"]},
            )
        )
    audit = ok(
        qo.post(
            "/api/v1/audits",
            json={
                "title": typed("AUDIT-TITLE"),
                "scope": typed("SCOPE"),
                "criteria": typed("CRITERIA"),
                "department_id": world.dept_a.id,
                "lead_auditor_id": world.auditor.id,
                "auditor_ids": [],
                "planned_start_on": today.isoformat(),
                "planned_end_on": today.isoformat(),
                "template_keys": [SMALL],
            },
        ),
        201,
    )
    assert audit["title"] == typed("AUDIT-TITLE")
    # the lead auditor is reminded that the audit starts
    mail_settings = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp_server.port}
    )
    reminders.sweep(engine=world.engine, settings=mail_settings, as_of=today)
    html, text = sent_mail(smtp_server)
    assert "AUDIT-TITLE" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert typed("AUDIT-TITLE")[:40] in text

    ok(lead.post(f"/api/v1/audits/{audit['id']}/start"))
    items = [
        i for c in ok(lead.get(f"/api/v1/audits/{audit['id']}/checklists")) for i in c["items"]
    ]
    for number, item in enumerate(items):
        result, evidence = ("conform", "Đạt yêu cầu.")
        if number == 0:
            result, evidence = "minor_nc", typed("FINDING")
        elif number == 1:
            result, evidence = "observation", typed("NOTE")
        ok(
            lead.patch(
                f"/api/v1/checklist-items/{item['id']}",
                json={"result": result, "evidence": evidence, "version": item["version"]},
            )
        )
    ok(
        lead.post(
            f"/api/v1/checklist-items/{items[1]['id']}/attachments",
            files={"file": (FILE_NAME, PNG, "image/png")},
        ),
        201,
    )
    # while the audit is open its checklist holds the answers in forms
    open_checklist = crawl(world.browser(world.auditor), [f"/audits/{audit['id']}/checklist"])
    ok(
        lead.post(
            f"/api/v1/audits/{audit['id']}/report",
            json={
                "password": PASSWORD,
                "summary": typed("SUMMARY"),
                "strengths": typed("STRENGTHS"),
            },
        )
    )
    pdf_html.assert_harmless("audit report")
    report = lead.get(f"/api/v1/audits/{audit['id']}.pdf")
    assert report.status_code == 200, report.text
    assert_in_pdf(
        report.content,
        [
            "AUDIT-TITLE",
            "SCOPE",
            "CRITERIA",
            "FINDING",
            "NOTE",
            "SUMMARY",
            "STRENGTHS",
            "NAME1",
            "TITLE1",
        ],
    )
    raised = ok(qo.get("/api/v1/nonconformities", params={"audit_id": audit["id"]}))
    raised = raised["items"] if isinstance(raised, dict) else raised
    assert len(raised) == 1
    ok(
        qo.post(
            f"/api/v1/audits/{audit['id']}/close",
            json={"note": typed("CLOSE-NOTE"), "carried_over_ids": [raised[0]["id"]]},
        )
    )

    seeds = [
        "/",
        "/audits",
        f"/audit-programmes/{today.year}",
        f"/audits/{audit['id']}",
        f"/audits/{audit['id']}/checklist",
        f"/nonconformities/{raised[0]['id']}",
        f"/trail/audit/{audit['id']}",
        f"/trail/checklist_item/{items[0]['id']}",
        f"/trail/checklist_item/{items[1]['id']}",
    ]
    pages = crawl(world.browser(world.quality_officer), seeds)
    assert_shown(
        pages,
        [
            "OBJECTIVES",
            "AUDIT-TITLE",
            "SCOPE",
            "CRITERIA",
            "FINDING",
            "NOTE",
            "SUMMARY",
            "STRENGTHS",
            "CLOSE-NOTE",
            "NAME0",
            "NAME1",
            "NAME2",
            "TITLE1",
        ],
    )
    assert_shown(pages, [""], payload=FILE_NAME)
    assert_shown(open_checklist, ["FINDING", "NOTE"])


def test_department_and_person_text_is_escaped_on_admin_pages(world):
    admin = world.api(world.admin)
    department = ok(
        admin.post("/api/v1/departments", json={"code": "X", "name": typed("DEPT")}), 201
    )
    ok(
        admin.post(
            "/api/v1/users",
            json={
                "email": "x@example.org",
                "full_name": typed("PERSON"),
                "password": PASSWORD,
                "roles": ["staff"],
                "department_id": department["id"],
                "position_title": typed("POSITION"),
            },
        ),
        201,
    )
    pages = crawl(world.browser(world.admin), ["/admin/departments", "/admin/users", "/"])
    pages |= crawl(world.browser(world.quality_officer), ["/documents/new", "/audits/new"])
    assert_shown(pages, ["DEPT", "PERSON", "POSITION"])


# --- spreadsheets -----------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/","open me")'


def _cells(response) -> list[str]:
    import csv
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response.text
    if response.content[:2] == b"PK":
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return [cell for row in rows for cell in row]


def test_exported_registers_never_start_a_formula_with_typed_text(world):
    qo = world.api(world.quality_officer)
    ok(
        qo.post(
            "/api/v1/documents",
            json={
                "code": "QT-F1",
                "title": FORMULA,
                "kind": "form",
                "department_id": world.dept_a.id,
            },
        ),
        201,
    )
    ok(
        world.api(world.auditor).post(
            "/api/v1/nonconformities",
            json={
                "source": "other",
                "department_id": world.dept_a.id,
                "clause": "7.5",
                "severity": "minor",
                "description": FORMULA,
            },
        ),
        201,
    )
    browser = world.browser(world.quality_officer)
    for url in (
        "/documents.csv",
        "/documents.xlsx",
        "/api/v1/nonconformities.csv",
        "/api/v1/nonconformities.xlsx",
    ):
        cells = [c for c in _cells(browser.get(url)) if "evil.example" in c]
        assert cells, url
        assert all(not c.startswith(("=", "+", "-", "@")) for c in cells), (url, cells)
