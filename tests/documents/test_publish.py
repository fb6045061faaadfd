"""Publishing: the effective date, the supersede rule, the next review date, and effective
content that never changes (its hash is checked whenever it is served)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from qms.db import unit_of_work
from qms.documents.service import add_months
from tests.documents import factories as f


def _publish(world, revision_id, **body):
    return world.api(world.quality_officer).post(
        f"/api/v1/revisions/{revision_id}/publish", json=body
    )


def test_publishing_sets_today_and_the_next_review_date(world):
    revision_id = f.revision_in(world, "approved")
    response = _publish(world, revision_id)
    assert response.status_code == 200
    today = f.today(world)
    assert response.json()["effective_on"] == today.isoformat()
    document = world.api(world.staff).get(f"/api/v1/documents/{response.json()['document_id']}")
    assert document.json()["status"] == "effective"
    assert document.json()["next_review_on"] == add_months(today, 12).isoformat()
    assert document.json()["effective_revision"]["id"] == revision_id


def test_a_past_effective_date_is_allowed_for_documents_issued_on_paper(world):
    revision_id = f.revision_in(world, "approved", review_interval_months=24)
    response = _publish(world, revision_id, effective_on="2019-03-15")
    assert response.status_code == 200
    document_id = response.json()["document_id"]
    document = world.api(world.staff).get(f"/api/v1/documents/{document_id}").json()
    assert document["next_review_on"] == "2021-03-15"


def test_a_future_effective_date_is_refused(world):
    revision_id = f.revision_in(world, "approved")
    response = _publish(
        world, revision_id, effective_on=(f.today(world) + timedelta(days=1)).isoformat()
    )
    assert response.status_code == 422
    assert response.json()["field"] == "effective_on"


def test_a_new_issue_supersedes_the_effective_one(world):
    document_id, first = f.effective_document(world)
    second = f.new_revision(world, document_id, content=f.TEXT + "\nBổ sung bước 4.\n")
    f.advance(world, second, "approved")
    assert _publish(world, second).status_code == 200
    revisions = world.api(world.staff).get(f"/api/v1/documents/{document_id}/revisions").json()
    states = {r["id"]: (r["status"], r["superseded_on"]) for r in revisions}
    assert states[second] == ("effective", None)
    assert states[first] == ("superseded", f.today(world).isoformat())
    assert [r["label"] for r in revisions] == ["01", "00"]


def test_a_new_issue_cannot_take_effect_before_the_one_it_replaces(world):
    document_id = f.new_document(world)
    first = f.new_revision(world, document_id)
    f.advance(world, first, "effective", effective_on=date(2024, 6, 1))
    second = f.new_revision(world, document_id, content="Khác")
    f.advance(world, second, "approved")
    response = _publish(world, second, effective_on="2024-05-31")
    assert response.status_code == 422
    assert response.json()["field"] == "effective_on"


def test_the_database_holds_one_effective_revision_per_document(world):
    document_id, _first = f.effective_document(world)
    second = f.new_revision(world, document_id, content="Khác")
    with pytest.raises(IntegrityError), unit_of_work(world.engine) as session:
        session.execute(
            text("UPDATE revision SET status = 'effective' WHERE id = :id"), {"id": second}
        )


def test_a_new_draft_starts_from_the_effective_text(world):
    document_id, _first = f.effective_document(world)
    response = world.api(world.quality_officer).post(
        f"/api/v1/documents/{document_id}/revisions", json={"change_summary": "Rà soát"}
    )
    assert response.status_code == 201
    assert response.json()["content_md"] == f.TEXT
    assert response.json()["number"] == 1 and response.json()["status"] == "draft"


def _tamper(
    world,
    revision_id,
    sql="UPDATE revision SET content_md = content_md || ' (sửa lén)' WHERE id = :id",
):
    with unit_of_work(world.engine) as session:
        session.execute(text(sql), {"id": revision_id})


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/revisions/{rid}",
        "/api/v1/documents/{did}",
        "/api/v1/revisions/{rid}.pdf",
        "/revisions/{rid}",
        "/documents/{did}",
        "/revisions/{rid}.pdf",
    ],
)
def test_tampered_effective_content_is_never_served(world, url):
    document_id, revision_id = f.effective_document(world)
    _tamper(world, revision_id)
    path = url.format(rid=revision_id, did=document_id)
    client = world.api(world.staff) if path.startswith("/api/") else world.browser(world.staff)
    response = client.get(path)
    assert response.status_code == 409
    assert "sửa lén" not in response.text


def test_a_tampered_hash_no_longer_matches_the_signatures(world):
    _document_id, revision_id = f.effective_document(world)
    _tamper(
        world,
        revision_id,
        "UPDATE revision SET content_md = 'Khác hẳn', content_hash = "
        "'e6b7b3e4a1b1c1d1e1f1a2b2c2d2e2f2a3b3c3d3e3f3a4b4c4d4e4f4a5b5c5d5' WHERE id = :id",
    )
    response = world.api(world.staff).get(f"/api/v1/revisions/{revision_id}")
    assert response.status_code == 409


def test_tampering_refuses_acknowledgement_too(world):
    _document_id, revision_id = f.effective_document(world)
    _tamper(world, revision_id)
    response = world.api(world.staff).post(f"/api/v1/revisions/{revision_id}/acknowledge")
    assert response.status_code == 409


def test_a_tampered_stored_file_is_not_served(world):
    document_id = f.new_document(world)
    revision_id = f.new_revision(world, document_id)
    f.attach(world, revision_id, f.PDF_BYTES)
    f.advance(world, revision_id, "effective")
    client = world.api(world.staff)
    assert client.get(f"/api/v1/revisions/{revision_id}/file").content == f.PDF_BYTES
    sha = f.get_revision(world, revision_id).file_sha256
    (world.app.state.settings.files_dir / sha).write_bytes(f.PDF_BYTES + b"% changed\n")
    assert client.get(f"/api/v1/revisions/{revision_id}/file").status_code == 409


def test_effective_content_cannot_be_edited(world):
    revision_id = f.revision_in(world, "effective")
    version = f.get_revision(world, revision_id).version
    response = world.api(world.quality_officer).patch(
        f"/api/v1/revisions/{revision_id}", json={"content_md": "x", "version": version}
    )
    assert response.status_code == 409
    assert "Only a draft" in response.json()["detail"]
    assert f.get_revision(world, revision_id).content_md == f.TEXT
