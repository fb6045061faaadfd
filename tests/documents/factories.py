"""Controlled documents and revisions in a given state, made through the services."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from itertools import count

from qms.auth.models import User
from qms.db import unit_of_work
from qms.documents import service
from qms.documents.models import ControlledDocument, Revision
from qms.documents.states import RevisionStatus
from tests.factories import PASSWORD

_codes = count(1)
TEXT = "# Quy trình tiếp nhận hồ sơ\n\nCông chức **kiểm tra** tính đầy đủ của hồ sơ.\n"
# The way to each status, in order.
PATH = ["draft", "in_review", "reviewed", "approved", "effective"]


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def _user(session, person) -> User:
    return session.get(User, person.id)


def new_document(world, *, department=None, distribute=True, code=None, **fields) -> int:
    """A document of department A owned by the quality officer, distributed to A."""
    department = department or world.dept_a
    with unit_of_work(world.engine) as session:
        officer = _user(session, world.quality_officer)
        document = service.create_document(
            session=session,
            by=officer,
            code=code or f"QT-{next(_codes):03d}",
            title=fields.pop("title", "Tiếp nhận hồ sơ thủ tục hành chính"),
            kind=fields.pop("kind", "procedure"),
            department_id=department.id,
            clauses=fields.pop("clauses", ["8.2", "8.5.1"]),
            review_interval_months=fields.pop("review_interval_months", 12),
        )
        if distribute:
            service.distribute(
                session=session, by=officer, document=document, department_ids=[department.id]
            )
        return document.id


def advance(world, revision_id: int, to: str, *, effective_on: date | None = None) -> int:
    """Take a revision along the sign-off chain up to `to`."""
    with unit_of_work(world.engine) as session:
        revision = session.get(Revision, revision_id)
        officer = _user(session, world.quality_officer)
        for step in PATH[PATH.index(revision.status) + 1 : PATH.index(to) + 1]:
            if step == "in_review":
                service.submit(
                    session=session,
                    by=officer,
                    revision=revision,
                    reviewer_id=world.auditor.id,
                    approver_id=world.manager.id,
                )
            elif step == "reviewed":
                service.review(
                    session=session,
                    by=_user(session, world.auditor),
                    revision=revision,
                    password=PASSWORD,
                )
            elif step == "approved":
                service.approve(
                    session=session,
                    by=_user(session, world.manager),
                    revision=revision,
                    password=PASSWORD,
                )
            elif step == "effective":
                service.publish(
                    session=session,
                    by=officer,
                    revision=revision,
                    today=today(world),
                    settings=world.app.state.settings,
                    effective_on=effective_on,
                )
    return revision_id


def new_revision(world, document_id: int, *, content: str | None = TEXT, summary="") -> int:
    with unit_of_work(world.engine) as session:
        document = session.get(ControlledDocument, document_id)
        revision = service.create_revision(
            session=session,
            by=_user(session, world.quality_officer),
            document=document,
            content_md=content,
            change_summary=summary,
        )
        return revision.id


def revision_in(world, status: str, **document_fields) -> int:
    """A revision of a fresh document at `status` (superseded: a newer one is effective;
    obsolete: its document was withdrawn)."""
    document_id = new_document(world, **document_fields)
    revision_id = new_revision(world, document_id)
    if status == RevisionStatus.superseded.value:
        advance(world, revision_id, "effective")
        advance(world, new_revision(world, document_id, content=TEXT + "\nSửa đổi.\n"), "effective")
        return revision_id
    if status == RevisionStatus.obsolete.value:
        advance(world, revision_id, "effective")
        with unit_of_work(world.engine) as session:
            service.make_obsolete(
                session=session,
                by=_user(session, world.quality_officer),
                document=session.get(ControlledDocument, document_id),
                reason="Thay thế bằng quy trình khác.",
                today=today(world),
                settings=world.app.state.settings,
            )
        return revision_id
    return advance(world, revision_id, status)


def effective_document(world, **fields) -> tuple[int, int]:
    document_id = new_document(world, **fields)
    revision_id = advance(world, new_revision(world, document_id), "effective")
    return document_id, revision_id


def attach(world, revision_id: int, data: bytes, name: str = "quy-trinh.pdf") -> None:
    settings = world.app.state.settings
    with unit_of_work(world.engine) as session:
        service.attach_file(
            session=session,
            by=_user(session, world.quality_officer),
            revision=session.get(Revision, revision_id),
            data=data,
            filename=name,
            files_dir=settings.files_dir,
            max_bytes=settings.upload_max_bytes,
        )


def get_revision(world, revision_id: int) -> Revision:
    with unit_of_work(world.engine) as session:
        return session.get(Revision, revision_id)


def get_document(world, document_id: int) -> ControlledDocument:
    with unit_of_work(world.engine) as session:
        document = session.get(ControlledDocument, document_id)
        _ = document.clauses, document.distributed_to
        return document


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """The same bytes in every process (a fixed member date, not the clock's): they name
    parametrized tests, which pytest-xdist's workers must collect identically."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


DOCX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT_BYTES = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
)
