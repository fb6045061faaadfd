"""Every upload route, API and page: a body over the limit is refused with 413 while it
streams (chunked too) and leaves no file; bytes of no accepted type are refused naming the
field; a hostile file name never reaches the file system; a request that fails after the
file was written leaves no orphan file behind."""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from qms.audits.models import ChecklistAttachment
from qms.documents.models import Revision
from qms.nonconformities.models import EvidenceFile
from qms.trail import service as trail
from tests import figures
from tests.audits import support as audits
from tests.documents import factories as documents
from tests.nonconformities.builders import build as build_nonconformity

LIMIT = 4096  # upload_max_bytes here; the middleware allows it plus 1 MiB of form around it
STREAM_LIMIT = LIMIT + 1024 * 1024
BOUNDARY = "qms-upload-boundary"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
NOT_ACCEPTED = {
    "an executable named .pdf": b"MZ\x90\x00\x03\x00\x00\x00 this program",
    "a web page": b"<html><script>alert(1)</script></html>",
    "a plain ZIP": b"PK\x03\x04" + b"\x00" * 60,
}
HOSTILE_NAMES = [
    "../../x.pdf",
    "..\\..\\x.pdf",
    "/tmp/qms-upload-absolute.pdf",  # an absolute name
    "nul\x00byte.pdf",
    "d" * 4000 + ".pdf",
]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"upload_max_bytes": LIMIT})


@pytest.fixture(autouse=True)
def own_temp_dir(tmp_path, monkeypatch):
    """Starlette spools large form parts to tempfile's folder: make it one we can watch."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@dataclass
class Target:
    client: object
    url: str
    fields: dict  # form fields besides the file (the CSRF token included for pages)
    names: Callable[[], list[str]]  # the file names recorded for the target


@dataclass(frozen=True)
class Route:
    name: str
    field: str  # the form field of the file
    ok: int  # the answer to an accepted upload
    target: Callable  # (world) -> Target, a fresh record to attach to


def _names(world, query) -> Callable[[], list[str]]:
    def names():
        with Session(world.engine) as session:
            return list(session.exec(query).all())

    return names


def _revision(world) -> int:
    return documents.new_revision(world, documents.new_document(world))


def _revision_names(world, revision_id):
    return _names(world, select(Revision.file_name).where(Revision.id == revision_id))


def _document_api(world) -> Target:
    revision_id = _revision(world)
    return Target(
        world.api(world.quality_officer),
        f"/api/v1/revisions/{revision_id}/file",
        {},
        _revision_names(world, revision_id),
    )


def _document_page(world) -> Target:
    revision_id = _revision(world)
    browser = world.browser(world.quality_officer)
    return Target(
        browser,
        f"/revisions/{revision_id}/file",
        {"csrf_token": browser.csrf(f"/revisions/{revision_id}")},
        _revision_names(world, revision_id),
    )


def _evidence_names(world, action_id):
    return _names(world, select(EvidenceFile.filename).where(EvidenceFile.action_id == action_id))


def _evidence_api(world) -> Target:
    action_id = build_nonconformity(world, "action_planned").action_ids[0]
    return Target(
        world.api(world.staff),
        f"/api/v1/corrective-actions/{action_id}/files",
        {},
        _evidence_names(world, action_id),
    )


def _evidence_page(world) -> Target:
    action_id = build_nonconformity(world, "action_planned").action_ids[0]
    browser = world.browser(world.staff)
    return Target(
        browser,
        f"/corrective-actions/{action_id}/complete",
        {"csrf_token": browser.csrf("/"), "evidence": "Đã sửa quy trình, có biên bản kèm theo."},
        _evidence_names(world, action_id),
    )


def _finding_names(world, nonconformity_id=None):
    query = select(EvidenceFile.filename).where(col(EvidenceFile.nonconformity_id).is_not(None))
    if nonconformity_id is not None:
        query = query.where(EvidenceFile.nonconformity_id == nonconformity_id)
    return _names(world, query)


def _finding_api(world) -> Target:
    nonconformity_id = build_nonconformity(world, "open").id
    return Target(
        world.api(world.quality_officer),
        f"/api/v1/nonconformities/{nonconformity_id}/files",
        {},
        _finding_names(world, nonconformity_id),
    )


def _finding_page(world) -> Target:
    """Raising a nonconformity with the files of the finding: a refusal raises none."""
    browser = world.browser(world.staff)
    return Target(
        browser,
        "/nonconformities",
        {
            "csrf_token": browser.csrf("/"),
            "department_id": str(world.dept_a.id),
            "source": "customer_complaint",
            "severity": "minor",
            "clause": "8.2.1",
            "description": "Công dân gửi ảnh chụp hồ sơ bị trả chậm.",
        },
        _finding_names(world),
    )


def _item(world):
    """A checklist item not used yet, from one audit in progress per world."""
    if not hasattr(world, "_upload_items"):
        world._upload_items = iter(audits.items(world, audits.build(world, "in_progress")))
    item = next(world._upload_items)
    return item


def _attachment_names(world, item_id):
    return _names(
        world, select(ChecklistAttachment.filename).where(ChecklistAttachment.item_id == item_id)
    )


def _checklist_api(world) -> Target:
    item = _item(world)
    return Target(
        world.api(world.auditor),
        f"/api/v1/checklist-items/{item.id}/attachments",
        {},
        _attachment_names(world, item.id),
    )


def _checklist_page(world) -> Target:
    item = _item(world)
    browser = world.browser(world.auditor)
    return Target(
        browser,
        f"/audits/{item.audit_id}/items/{item.id}",
        # As the checklist's form sends them: the item's version beside the files.
        {"csrf_token": browser.csrf("/"), "version": str(item.version)},
        _attachment_names(world, item.id),
    )


ROUTES = [
    Route("document file (API)", "file", 200, _document_api),
    Route("document file (page)", "file", 303, _document_page),
    Route("corrective action evidence (API)", "file", 201, _evidence_api),
    Route("corrective action evidence (page)", "files", 303, _evidence_page),
    Route("files of a finding (API)", "file", 201, _finding_api),
    Route("files of a new nonconformity (page)", "files", 303, _finding_page),
    Route("checklist attachment (API)", "file", 201, _checklist_api),
    Route("checklist attachment (page)", "files", 303, _checklist_page),
]
PAGES_WITH_SEVERAL_FILES = [r for r in ROUTES if r.field == "files"]
UPLOADS = (
    "{routes} upload routes (API and pages): {over} bodies over the limit refused 413 "
    "(chunked and declared) and {early} before a byte was read, {wrong} files of no accepted "
    "type or over the file limit refused 422, {names} hostile names kept as labels only, "
    "{faults} database faults injected after the write: no file left in any case"
)


def _count(route: Route, **counts) -> None:
    figures.add("uploads", UPLOADS, routes={route.name}, **counts)


def test_every_upload_route_is_here(app):
    """A new route taking a file must join these tests."""
    from fastapi.routing import APIRoute

    from qms.app import walk_routes

    known = {
        "/api/v1/revisions/{revision_id}/file",
        "/revisions/{revision_id}/file",
        "/api/v1/corrective-actions/{action_id}/files",
        "/corrective-actions/{action_id}/complete",
        "/api/v1/nonconformities/{nonconformity_id}/files",
        "/nonconformities",
        "/api/v1/checklist-items/{item_id}/attachments",
        "/audits/{audit_id}/items/{item_id}",
        # Checked and answered, never kept: tests/reports/test_verify.py.
        "/api/v1/verify",
        "/verify",
        # Read as CSV/XLSX and answered, never kept: tests/objectives/test_import.py.
        "/api/v1/indicators/{indicator_id}/measurements/import",
        "/indicators/{indicator_id}/import",
    }
    taking_files = set()
    for path, route in walk_routes(app.routes):
        if not isinstance(route, APIRoute) or "POST" not in route.methods:
            continue
        body = route.body_field
        if body is not None and "multipart" in str(getattr(body.field_info, "media_type", "")):
            taking_files.add(path)
    assert taking_files <= known, sorted(taking_files - known)
    # The pages read their form by hand: the forms sending files say which pages take them.
    from qms.config import PROJECT_ROOT

    actions = set()
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        for form in re.findall(r"<form[^>]*>", template.read_text()):
            if "multipart/form-data" in form:
                # The address without its fragment (a form returns to its item's anchor).
                action = re.search(r'action="([^"#]*)', form).group(1)
                actions.add(re.sub(r"\{\{[^}]*\}\}", "{}", action))
    pages = {re.sub(r"\{[a-z_]+\}", "{}", p) for p in known if not p.startswith("/api/")}
    assert actions == pages


def _multipart(fields: dict, field: str, filename: str, content: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return b"".join(parts)


def _post(target: Target, route: Route, filename: str, content: bytes, *, chunked=False):
    body = _multipart(target.fields, route.field, filename, content)
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    if chunked:

        def chunks():
            for start in range(0, len(body), 65536):
                yield body[start : start + 65536]

        return target.client.post(target.url, content=chunks(), headers=headers)
    return target.client.post(target.url, content=body, headers=headers)


def _tree(tmp_path) -> set[str]:
    """Every file under the test's folder (data directory, spool folder) but the database."""
    return {
        str(p.relative_to(tmp_path))
        for p in tmp_path.rglob("*")
        if p.is_file() and not p.name.startswith("qms.sqlite3")
    }


def _refused_on_file(response, route: Route) -> None:
    assert response.status_code == 422, response.text[-500:]
    if route.field == "file" and response.headers["content-type"].startswith("application/json"):
        assert response.json()["field"] == "file"
    else:
        assert (
            'class="field-error"' in response.text
            or "role='alert'" in response.text
            or ('role="alert"' in response.text)
        )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_an_accepted_upload_is_kept_under_its_hash(world, tmp_path, route):
    """The control case: the same request with a small PDF goes through."""
    target = route.target(world)
    response = _post(target, route, "bien-ban.pdf", PDF)
    assert response.status_code == route.ok, response.text[-500:]
    assert target.names() == ["bien-ban.pdf"]
    digest = hashlib.sha256(PDF).hexdigest()
    assert (world.app.state.settings.files_dir / digest).read_bytes() == PDF


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_chunked_upload_over_the_limit_is_413_and_leaves_no_file(world, tmp_path, route):
    target = route.target(world)
    before = _tree(tmp_path)
    response = _post(target, route, "lon.pdf", PDF + b"0" * STREAM_LIMIT, chunked=True)
    assert response.status_code == 413
    assert _tree(tmp_path) == before
    assert not any(target.names())
    declared = _post(target, route, "lon.pdf", PDF + b"0" * STREAM_LIMIT)
    assert declared.status_code == 413
    assert _tree(tmp_path) == before
    _count(route, over=2)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(world, app, route):
    """A client announcing more than the limit is answered 413 without a byte read."""
    target = route.target(world)
    reads = 0
    sent: list[dict] = []

    async def receive():
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": target.url,
        "raw_path": target.url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(50 * 1024 * 1024 * 1024).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert reads == 0
    _count(route, early=1)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_bytes_of_no_accepted_type_are_refused_naming_the_field(world, tmp_path, route):
    target = route.target(world)
    before = _tree(tmp_path)
    for kind, content in NOT_ACCEPTED.items():
        response = _post(target, route, "bien-ban.pdf", content)
        assert response.status_code == 422, f"{kind}: {response.status_code}"
        _refused_on_file(response, route)
        _count(route, wrong=1)
    assert _tree(tmp_path) == before
    assert not any(target.names())


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_refused_upload_leaves_no_file(world, tmp_path, route):
    """Over the file limit but within the stream's: refused by the check, nothing kept."""
    target = route.target(world)
    before = _tree(tmp_path)
    response = _post(target, route, "lon.pdf", PDF + b"0" * (LIMIT * 4))
    _refused_on_file(response, route)
    assert _tree(tmp_path) == before
    assert not any(target.names())
    _count(route, wrong=1)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_hostile_file_names_never_reach_the_file_system(world, tmp_path, route):
    files_dir = world.app.state.settings.files_dir
    outside_before = _tree(tmp_path) - {
        str(p.relative_to(tmp_path)) for p in files_dir.rglob("*") if p.is_file()
    }
    absolute = Path(HOSTILE_NAMES[2])
    existed = absolute.exists()
    for n, name in enumerate(HOSTILE_NAMES):
        target = route.target(world)
        content = PDF + f"% {route.name} {n}\n".encode()
        response = _post(target, route, name, content)
        assert response.status_code < 500, response.text[-300:]
        if response.status_code != route.ok:
            # Refusing a name is allowed; storing it as a path is not.
            assert response.status_code in (400, 422), response.status_code
            continue
        for recorded in target.names():
            assert recorded and len(recorded) <= 255, recorded
            assert "/" not in recorded and "\\" not in recorded and "\x00" not in recorded
            assert recorded not in (".", ".."), recorded
        assert (files_dir / hashlib.sha256(content).hexdigest()).read_bytes() == content
        _count(route, names=1)
    stored = [p for p in files_dir.rglob("*") if p.is_file()]
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.name) for p in stored), stored
    assert all(p.parent == files_dir for p in stored), stored
    outside_after = _tree(tmp_path) - {str(p.relative_to(tmp_path)) for p in stored}
    assert outside_after == outside_before
    assert absolute.exists() == existed
    assert not (tmp_path.parent / "x.pdf").exists()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_request_that_fails_after_storing_leaves_no_orphan_file(
    world, tmp_path, route, monkeypatch
):
    """The database goes away after the file was written (injected at the trail event of
    the attachment): the request is refused with 503 and the new file is removed."""
    target = route.target(world)
    before = _tree(tmp_path)
    real_record = trail.record

    def failing_record(**kwargs):
        if kwargs["action"] in ("file_attached", "evidence_attached", "attachment_added"):
            raise OperationalError("INSERT INTO trail_event", {}, Exception("injected fault"))
        return real_record(**kwargs)

    monkeypatch.setattr(trail, "record", failing_record)
    content = PDF + f"% orphan {route.name}\n".encode()
    response = _post(target, route, "bien-ban.pdf", content)
    assert response.status_code == 503, response.text[-300:]
    assert _tree(tmp_path) == before
    _count(route, faults=1)
    assert not any(target.names())
    monkeypatch.setattr(trail, "record", real_record)
    again = _post(route.target(world), route, "bien-ban.pdf", content)
    assert again.status_code == route.ok  # the same bytes are kept once it goes through
    assert (world.app.state.settings.files_dir / hashlib.sha256(content).hexdigest()).exists()


@pytest.mark.parametrize("route", PAGES_WITH_SEVERAL_FILES, ids=lambda r: r.name)
def test_a_bad_second_file_leaves_nothing_of_the_first(world, tmp_path, route):
    target = route.target(world)
    before = _tree(tmp_path)
    response = target.client.post(
        target.url,
        data=target.fields,
        files=[
            (route.field, ("tot.pdf", PDF + b"% first and good\n", "application/pdf")),
            (route.field, ("xau.pdf", NOT_ACCEPTED["a web page"], "application/pdf")),
        ],
    )
    _refused_on_file(response, route)
    assert _tree(tmp_path) == before
    assert not any(target.names())
