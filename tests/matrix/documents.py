"""Role matrix of document control. Records are made fresh for each call: a document of
department A owned by the quality officer and distributed to A; its revision drafted by the
quality officer, reviewed by the auditor and approved by the manager of A."""

from __future__ import annotations

from itertools import count

from tests.documents import factories as f
from tests.factories import PASSWORD
from tests.matrix import EVERYONE, Case

_n = count(1)
OFFICER = frozenset({"quality_officer"})
# Drafts are read by those working on them: quality officers, the administrator and the
# manager of the owner department (here: the author is the quality officer).
DRAFT_READERS = frozenset({"admin", "quality_officer", "manager"})
READERS_LIST = frozenset({"admin", "quality_officer", "auditor", "manager"})
DEPT_A = frozenset({"manager", "staff"})


def _new_document(world, role):
    n = next(_n)
    body = {
        "code": f"HD-{n:03d}",
        "title": "Hướng dẫn số hóa hồ sơ",
        "kind": "work_instruction",
        "department_id": world.dept_a.id,
        "clauses": ["7.5.3"],
        "review_interval_months": 12,
    }
    return {"json": body, "data": {**body, "clauses": "7.5.3"}}


def _document(world, role):
    return {"params": {"document_id": f.new_document(world)}}


def _document_edit(world, role):
    document_id = f.new_document(world)
    body = {"version": 2, "title": "Tiếp nhận và số hóa hồ sơ"}
    data = {
        "version": "2",
        "title": "Tiếp nhận và số hóa hồ sơ",
        "kind": "procedure",
        "department_id": str(world.dept_a.id),
        "review_interval_months": "12",
    }
    return {"params": {"document_id": document_id}, "json": body, "data": data}


def _effective(world, role):
    document_id, revision_id = f.effective_document(world)
    return {
        "params": {"document_id": document_id, "revision_id": revision_id},
        "json": {"comment": "Vẫn phù hợp.", "reason": "Không còn áp dụng."},
        "data": {"comment": "Vẫn phù hợp.", "reason": "Không còn áp dụng."},
    }


def _distribution(world, role):
    ids = [world.dept_a.id, world.dept_b.id]
    return {
        "params": {"document_id": f.new_document(world)},
        "json": {"department_ids": ids},
        "data": {"department_ids": [str(i) for i in ids]},
    }


def _new_revision(world, role):
    return {
        "params": {"document_id": f.new_document(world)},
        "json": {"content_md": f.TEXT, "change_summary": "Ban hành lần đầu"},
        "data": {"change_summary": "Ban hành lần đầu"},
    }


def _diff(world, role):
    document_id = f.new_document(world)
    first = f.advance(world, f.new_revision(world, document_id), "effective")
    second = f.advance(world, f.new_revision(world, document_id, content="Khác"), "effective")
    return {"params": {"document_id": document_id}, "query": {"a": first, "b": second}}


def _revision_at(status, body=None):
    def setup(world, role):
        spec = {"params": {"revision_id": f.revision_in(world, status)}}
        if body is not None:
            spec["json"] = body(world)
            spec["data"] = {k: str(v) for k, v in body(world).items()}
        return spec

    return setup


def _edit_body(world):
    return {"version": 1, "content_md": "Nội dung mới", "change_summary": "Sửa"}


def _submit_body(world):
    return {"reviewer_id": world.auditor.id, "approver_id": world.manager.id}


def _sign_body(world):
    return {"password": PASSWORD, "comment": "Đồng ý"}


def _return_body(world):
    return {"comment": "Bổ sung mục 5", "return_comment": "Bổ sung mục 5"}


def _with_file(world, role):
    document_id = f.new_document(world)
    revision_id = f.new_revision(world, document_id)
    f.attach(world, revision_id, f.PDF_BYTES)
    f.advance(world, revision_id, "effective")
    return {"params": {"revision_id": revision_id}}


CASES = [
    # API
    Case("GET", "/api/v1/documents", EVERYONE),
    Case("POST", "/api/v1/documents", OFFICER, _new_document),
    Case("GET", "/api/v1/documents/{document_id}", EVERYONE, _document),
    Case("PATCH", "/api/v1/documents/{document_id}", OFFICER, _document_edit),
    Case("GET", "/api/v1/documents/{document_id}/revisions", EVERYONE, _document),
    Case("POST", "/api/v1/documents/{document_id}/revisions", OFFICER, _new_revision),
    Case("PUT", "/api/v1/documents/{document_id}/distribution", OFFICER, _distribution),
    Case("GET", "/api/v1/documents/{document_id}/acknowledgements", READERS_LIST, _effective),
    Case("POST", "/api/v1/documents/{document_id}/periodic-review", OFFICER, _effective),
    Case("POST", "/api/v1/documents/{document_id}/obsolete", OFFICER, _effective),
    Case("GET", "/api/v1/revisions/{revision_id}.pdf", EVERYONE, _revision_at("effective")),
    Case("GET", "/api/v1/revisions/{revision_id}", DRAFT_READERS, _revision_at("draft")),
    Case("PATCH", "/api/v1/revisions/{revision_id}", OFFICER, _revision_at("draft", _edit_body)),
    Case("POST", "/api/v1/revisions/{revision_id}/file", OFFICER, _revision_at("draft")),
    Case("GET", "/api/v1/revisions/{revision_id}/file", EVERYONE, _with_file),
    Case(
        "POST",
        "/api/v1/revisions/{revision_id}/submit",
        OFFICER,
        _revision_at("draft", _submit_body),
    ),
    Case(
        "POST",
        "/api/v1/revisions/{revision_id}/review",
        frozenset({"auditor"}),
        _revision_at("in_review", _sign_body),
    ),
    Case(
        "POST",
        "/api/v1/revisions/{revision_id}/return",
        frozenset({"quality_officer", "auditor"}),
        _revision_at("in_review", _return_body),
    ),
    Case(
        "POST",
        "/api/v1/revisions/{revision_id}/approve",
        frozenset({"manager"}),
        _revision_at("reviewed", _sign_body),
    ),
    Case("POST", "/api/v1/revisions/{revision_id}/publish", OFFICER, _revision_at("approved")),
    Case("POST", "/api/v1/revisions/{revision_id}/acknowledge", DEPT_A, _revision_at("effective")),
    # Pages
    Case("GET", "/documents", EVERYONE),
    Case("GET", "/documents.csv", EVERYONE),
    Case("GET", "/documents.xlsx", EVERYONE),
    Case("GET", "/documents/new", OFFICER),
    Case("POST", "/documents", OFFICER, _new_document),
    Case("GET", "/documents/to-read", EVERYONE),
    Case("GET", "/documents/to-sign", EVERYONE),
    Case("GET", "/documents/{document_id}", EVERYONE, _effective),
    Case("GET", "/documents/{document_id}/edit", OFFICER, _document),
    Case("POST", "/documents/{document_id}/edit", OFFICER, _document_edit),
    Case("POST", "/documents/{document_id}/revisions", OFFICER, _new_revision),
    Case("POST", "/documents/{document_id}/distribution", OFFICER, _distribution),
    Case("POST", "/documents/{document_id}/periodic-review", OFFICER, _effective),
    Case("POST", "/documents/{document_id}/obsolete", OFFICER, _effective),
    Case("GET", "/documents/{document_id}/history", EVERYONE, _effective),
    Case("GET", "/documents/{document_id}/diff", EVERYONE, _diff),
    Case("GET", "/revisions/{revision_id}.pdf", EVERYONE, _revision_at("effective")),
    Case("GET", "/revisions/{revision_id}", DRAFT_READERS, _revision_at("draft")),
    Case("POST", "/revisions/{revision_id}", OFFICER, _revision_at("draft", _edit_body)),
    Case("POST", "/revisions/{revision_id}/file", OFFICER, _revision_at("draft")),
    Case("GET", "/revisions/{revision_id}/file", EVERYONE, _with_file),
    Case("POST", "/revisions/{revision_id}/submit", OFFICER, _revision_at("draft", _submit_body)),
    Case(
        "POST",
        "/revisions/{revision_id}/review",
        frozenset({"auditor"}),
        _revision_at("in_review", _sign_body),
    ),
    Case(
        "POST",
        "/revisions/{revision_id}/return",
        frozenset({"quality_officer", "auditor"}),
        _revision_at("in_review", _return_body),
    ),
    Case(
        "POST",
        "/revisions/{revision_id}/approve",
        frozenset({"manager"}),
        _revision_at("reviewed", _sign_body),
    ),
    Case("POST", "/revisions/{revision_id}/publish", OFFICER, _revision_at("approved")),
    Case("POST", "/revisions/{revision_id}/acknowledge", DEPT_A, _revision_at("effective")),
]
