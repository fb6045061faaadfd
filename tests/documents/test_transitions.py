"""Every revision transition, allowed and refused, through the API: 2xx where the table
allows it, 409 where it does not, 403 for someone who is not the one to act."""

from __future__ import annotations

import pytest

from qms.documents.states import ALLOWED, RevisionStatus
from tests.documents import factories as f
from tests.factories import PASSWORD

# A returned draft is a draft whose reviewer and approver were already named.
STATES = [
    "draft",
    "returned",
    "in_review",
    "reviewed",
    "approved",
    "effective",
    "superseded",
    "obsolete",
]
# action: (who acts, how it is called, status it leads to, states it is allowed from)
ACTIONS = {
    "edit": ("quality_officer", "patch", "draft", {"draft", "returned"}),
    "submit": ("quality_officer", "submit", "in_review", {"draft", "returned"}),
    "review": ("auditor", "review", "reviewed", {"in_review"}),
    "return": ("quality_officer", "return", "draft", {"in_review", "reviewed"}),
    "approve": ("manager", "approve", "approved", {"reviewed"}),
    "publish": ("quality_officer", "publish", "effective", {"approved"}),
    "acknowledge": ("staff", "acknowledge", "effective", {"effective"}),
}


def _revision(world, state: str) -> int:
    if state != "returned":
        return f.revision_in(world, state)
    revision_id = f.revision_in(world, "in_review")
    response = world.api(world.quality_officer).post(
        f"/api/v1/revisions/{revision_id}/return", json={"comment": "Bổ sung lưu đồ"}
    )
    assert response.status_code == 200, response.text
    return revision_id


def _call(world, action: str, revision_id: int):
    who, verb, _target, _allowed = ACTIONS[action]
    client = world.api(world.by_role[who])
    base = f"/api/v1/revisions/{revision_id}"
    if verb == "patch":
        version = f.get_revision(world, revision_id).version
        return client.patch(base, json={"content_md": "Nội dung sửa", "version": version})
    bodies = {
        "submit": {"reviewer_id": world.auditor.id, "approver_id": world.manager.id},
        "review": {"password": PASSWORD, "comment": "Phù hợp"},
        "approve": {"password": PASSWORD, "comment": "Đồng ý ban hành"},
        "return": {"comment": "Bổ sung lưu đồ"},
        "publish": {},
    }
    return client.post(f"{base}/{verb}", json=bodies.get(verb))


def test_the_table_is_the_documented_life():
    assert ALLOWED[RevisionStatus.draft] == {RevisionStatus.in_review, RevisionStatus.obsolete}
    assert RevisionStatus.draft in ALLOWED[RevisionStatus.in_review]
    assert RevisionStatus.draft in ALLOWED[RevisionStatus.reviewed]
    assert RevisionStatus.draft not in ALLOWED[RevisionStatus.approved]
    assert ALLOWED[RevisionStatus.superseded] == set() == ALLOWED[RevisionStatus.obsolete]


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a, spec in ACTIONS.items() for s in STATES if s in spec[3]],
)
def test_allowed_transition(world, action, state):
    revision_id = _revision(world, state)
    response = _call(world, action, revision_id)
    assert response.status_code in (200, 201), response.text
    if action == "acknowledge":
        assert response.json()["status"] == "acknowledged"
    else:
        assert response.json()["status"] == ACTIONS[action][2]


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a, spec in ACTIONS.items() for s in STATES if s not in spec[3]],
)
def test_refused_transition(world, action, state):
    revision_id = _revision(world, state)
    before = f.get_revision(world, revision_id)
    response = _call(world, action, revision_id)
    # Before submission no reviewer or approver is named: nobody may sign yet.
    expected = 403 if state == "draft" and action in ("review", "approve") else 409
    assert response.status_code == expected, response.text
    after = f.get_revision(world, revision_id)
    assert (after.status, after.version) == (before.status, before.version)


@pytest.mark.parametrize("state", [s for s in STATES if s != "obsolete"])
def test_any_document_that_is_not_obsolete_can_be_made_obsolete(world, state):
    revision_id = _revision(world, state)
    document_id = f.get_revision(world, revision_id).document_id
    response = world.api(world.quality_officer).post(
        f"/api/v1/documents/{document_id}/obsolete", json={"reason": "Không còn áp dụng"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "obsolete"
    after = f.get_revision(world, revision_id)
    expected = "superseded" if state == "superseded" else "obsolete"
    assert after.status == expected


def test_an_obsolete_document_cannot_be_made_obsolete_again(world):
    revision_id = f.revision_in(world, "obsolete")
    document_id = f.get_revision(world, revision_id).document_id
    response = world.api(world.quality_officer).post(
        f"/api/v1/documents/{document_id}/obsolete", json={"reason": "Lần nữa"}
    )
    assert response.status_code == 409


def test_an_obsolete_document_takes_no_new_revision(world):
    revision_id = f.revision_in(world, "obsolete")
    document_id = f.get_revision(world, revision_id).document_id
    response = world.api(world.quality_officer).post(
        f"/api/v1/documents/{document_id}/revisions", json={"content_md": "x"}
    )
    assert response.status_code == 409


def test_only_one_open_revision_at_a_time(world):
    revision_id = f.revision_in(world, "in_review")
    document_id = f.get_revision(world, revision_id).document_id
    response = world.api(world.quality_officer).post(
        f"/api/v1/documents/{document_id}/revisions", json={"content_md": "x"}
    )
    assert response.status_code == 409
    assert "still" in response.json()["detail"]


@pytest.mark.parametrize("verb", ["patch", "submit"])
def test_a_stale_version_is_refused(world, verb):
    revision_id = f.revision_in(world, "draft")
    client = world.api(world.quality_officer)
    if verb == "patch":
        response = client.patch(
            f"/api/v1/revisions/{revision_id}", json={"content_md": "x", "version": 99}
        )
    else:
        response = client.post(
            f"/api/v1/revisions/{revision_id}/submit",
            json={"reviewer_id": world.auditor.id, "approver_id": world.manager.id, "version": 99},
        )
    assert response.status_code == 409
    assert response.json()["field"] == "version"


def test_return_needs_a_comment(world):
    revision_id = f.revision_in(world, "in_review")
    response = world.api(world.auditor).post(
        f"/api/v1/revisions/{revision_id}/return", json={"comment": "  "}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "comment"


def test_the_approver_returns_a_reviewed_revision_but_the_reviewer_no_longer_can(world):
    revision_id = f.revision_in(world, "reviewed")
    by_reviewer = world.api(world.auditor).post(
        f"/api/v1/revisions/{revision_id}/return", json={"comment": "Muộn"}
    )
    assert by_reviewer.status_code == 403
    by_approver = world.api(world.manager).post(
        f"/api/v1/revisions/{revision_id}/return", json={"comment": "Thiếu biểu mẫu"}
    )
    assert by_approver.status_code == 200
    assert by_approver.json()["return_comment"] == "Thiếu biểu mẫu"
