"""The three sign-offs: drafter, reviewer and approver are three people; review and
approval are electronic signatures bound to the content; returning voids them."""

from __future__ import annotations

from sqlmodel import select

from qms.auth.models import Role
from qms.db import unit_of_work
from qms.documents.content import content_hash
from qms.trail.models import Signature
from tests.documents import factories as f
from tests.factories import PASSWORD


def _submit(world, revision_id, reviewer, approver, by=None):
    return world.api(by or world.quality_officer).post(
        f"/api/v1/revisions/{revision_id}/submit",
        json={"reviewer_id": reviewer.id, "approver_id": approver.id},
    )


def test_reviewer_cannot_be_the_author(world):
    revision_id = f.revision_in(world, "draft")
    response = _submit(world, revision_id, world.quality_officer, world.manager)
    assert response.status_code == 409
    assert response.json()["field"] == "reviewer_id"


def test_approver_cannot_be_the_author(world):
    revision_id = f.revision_in(world, "draft")
    response = _submit(world, revision_id, world.auditor, world.quality_officer)
    assert response.status_code == 409
    assert response.json()["field"] == "approver_id"


def test_reviewer_and_approver_are_two_people(world):
    revision_id = f.revision_in(world, "draft")
    response = _submit(world, revision_id, world.manager, world.manager)
    assert response.status_code == 409
    assert response.json()["field"] == "approver_id"


def test_approver_must_have_authority_to_approve(world):
    revision_id = f.revision_in(world, "draft")
    response = _submit(world, revision_id, world.auditor, world.staff)
    assert response.status_code == 409
    assert response.json()["field"] == "approver_id"
    assert _submit(world, revision_id, world.auditor, world.manager_b).status_code == 200


def test_unknown_or_inactive_signers_are_refused_with_the_field(world):
    revision_id = f.revision_in(world, "draft")
    response = world.api(world.quality_officer).post(
        f"/api/v1/revisions/{revision_id}/submit",
        json={"reviewer_id": 999_999, "approver_id": world.manager.id},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reviewer_id"


def test_a_draft_without_content_cannot_be_submitted(world):
    document_id = f.new_document(world)
    revision_id = f.new_revision(world, document_id, content="  \n")
    response = _submit(world, revision_id, world.auditor, world.manager)
    assert response.status_code == 422
    assert response.json()["field"] == "content_md"


def test_the_author_who_is_a_manager_cannot_approve_own_revision(world):
    # The owner (a manager) drafts a revision of their own document.
    document_id = f.new_document(world)
    client = world.api(world.quality_officer)
    client.patch(
        f"/api/v1/documents/{document_id}", json={"version": 2, "owner_id": world.manager.id}
    )
    created = world.api(world.manager).post(
        f"/api/v1/documents/{document_id}/revisions", json={"content_md": "Nội dung"}
    )
    assert created.status_code == 201, created.text
    revision_id = created.json()["id"]
    assert created.json()["author_id"] == world.manager.id
    response = _submit(world, revision_id, world.auditor, world.manager, by=world.manager)
    assert response.status_code == 409
    assert response.json()["field"] == "approver_id"


def test_only_the_named_reviewer_signs_the_review(world):
    revision_id = f.revision_in(world, "in_review")
    for person in (world.auditor_a, world.manager, world.quality_officer, world.admin):
        response = world.api(person).post(
            f"/api/v1/revisions/{revision_id}/review", json={"password": PASSWORD}
        )
        assert response.status_code == 403, person.email


def test_a_signature_asks_for_the_password_again(world):
    revision_id = f.revision_in(world, "in_review")
    client = world.api(world.auditor)
    missing = client.post(f"/api/v1/revisions/{revision_id}/review", json={"password": ""})
    assert missing.status_code == 422 and missing.json()["field"] == "password"
    wrong = client.post(f"/api/v1/revisions/{revision_id}/review", json={"password": "nope"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "password"
    assert f.get_revision(world, revision_id).status == "in_review"


def test_signatures_record_the_meaning_and_the_content_hash(world):
    revision_id = f.revision_in(world, "approved")
    body = world.api(world.quality_officer).get(f"/api/v1/revisions/{revision_id}").json()
    expected = content_hash(body["content_md"], None)
    assert body["content_hash"] == expected
    meanings = [(s["meaning"], s["signer_id"], s["content_hash"]) for s in body["signoffs"]]
    assert meanings == [
        ("reviewed", world.auditor.id, expected),
        ("approved", world.manager.id, expected),
    ]


def test_the_hash_covers_the_attached_file(world):
    assert content_hash("a", None) != content_hash("a", "0" * 64)
    assert content_hash("a", "0" * 64) != content_hash("a", "1" * 64)


def test_returning_voids_the_review_signature_and_resubmission_signs_again(world):
    revision_id = f.revision_in(world, "reviewed")
    returned = world.api(world.manager).post(
        f"/api/v1/revisions/{revision_id}/return", json={"comment": "Sửa bước 3"}
    )
    assert returned.status_code == 200
    assert returned.json()["signoffs"] == []
    assert returned.json()["content_hash"] is None
    with unit_of_work(world.engine) as session:
        signatures = session.exec(select(Signature).where(Signature.record_id == revision_id)).all()
        assert [s.voided_at is not None for s in signatures] == [True]
    client = world.api(world.quality_officer)
    version = f.get_revision(world, revision_id).version
    client.patch(
        f"/api/v1/revisions/{revision_id}",
        json={"content_md": "Bước 3 đã sửa", "version": version},
    )
    assert _submit(world, revision_id, world.auditor, world.manager).status_code == 200
    signed = world.api(world.auditor).post(
        f"/api/v1/revisions/{revision_id}/review", json={"password": PASSWORD}
    )
    assert signed.status_code == 200
    assert signed.json()["signoffs"][0]["content_hash"] == content_hash("Bước 3 đã sửa", None)


def test_an_imported_draft_takes_its_submitter_as_author(world):
    with unit_of_work(world.engine) as session:
        from qms.documents import service

        document = service.create_document(
            session=session,
            by=None,
            code="BM-01",
            title="Biểu mẫu",
            kind="form",
            department_id=world.dept_a.id,
        )
        revision = service.create_revision(
            session=session, by=None, document=document, content_md="Mẫu phiếu"
        )
        revision_id = revision.id
    assert f.get_revision(world, revision_id).author_id is None
    response = _submit(world, revision_id, world.auditor, world.manager)
    assert response.status_code == 200
    assert response.json()["author_id"] == world.quality_officer.id


def test_reviewer_may_be_anyone_signed_in_who_is_not_the_author(world):
    revision_id = f.revision_in(world, "draft")
    assert Role.staff in world.staff.user.roles
    assert _submit(world, revision_id, world.staff, world.manager).status_code == 200
