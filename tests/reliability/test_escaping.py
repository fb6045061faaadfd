"""Script payloads typed into every text field, checked wherever the text is shown: pages
(parsed: nothing from a person runs, the text reads as typed), the JSON API (data, given
back unchanged), the reminder e-mails (HTML and text parts) and the PDFs (the HTML given to
WeasyPrint parsed the same way, the text extracted with pypdf)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import socket

import pytest

from qms.auth.models import Role
from qms.reminders import service as reminders
from tests.documents.factories import PDF_BYTES
from tests.factories import PASSWORD
from tests.reliability.xss import (
    FILE_NAME,
    MARKDOWN,
    SCRIPT,
    PdfHtml,
    assert_harmless,
    assert_in_pdf,
    pdf_text,
    assert_shown,
    crawl,
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
        ]
        + ["NAME0", "NAME1", "NAME2", "TITLE1", "TITLE2"],
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
