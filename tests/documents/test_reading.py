"""Distribution and acknowledgement ("read and understood"), periodic review, and obsolete
documents kept readable with their history."""

from __future__ import annotations

from qms.documents.service import add_months
from tests.documents import factories as f


def test_staff_see_what_to_read_and_acknowledge_it_once(world):
    _document_id, revision_id = f.effective_document(world)
    client = world.api(world.staff)
    browser = world.browser(world.staff)
    assert f"/revisions/{revision_id}" in browser.get("/documents/to-read").text
    first = client.post(f"/api/v1/revisions/{revision_id}/acknowledge")
    assert first.status_code == 201
    assert first.json()["user_id"] == world.staff.id
    assert client.post(f"/api/v1/revisions/{revision_id}/acknowledge").status_code == 409
    assert f"/revisions/{revision_id}" not in browser.get("/documents/to-read").text


def test_only_departments_it_is_distributed_to_acknowledge(world):
    _document_id, revision_id = f.effective_document(world)
    response = world.api(world.manager_b).post(f"/api/v1/revisions/{revision_id}/acknowledge")
    assert response.status_code == 403


def test_the_document_shows_who_has_and_has_not_acknowledged(world):
    document_id, revision_id = f.effective_document(world)
    world.api(world.staff).post(f"/api/v1/revisions/{revision_id}/acknowledge")
    readers = (
        world.api(world.quality_officer)
        .get(f"/api/v1/documents/{document_id}/acknowledgements")
        .json()
    )
    assert readers["revision_id"] == revision_id
    assert [r["user_id"] for r in readers["acknowledged"]] == [world.staff.id]
    pending = {r["user_id"] for r in readers["pending"]}
    assert pending == {world.manager.id, world.auditor_a.id}
    page = world.browser(world.quality_officer).get(f"/documents/{document_id}").text
    assert "Not yet acknowledged" in page and world.manager.user.full_name in page


def test_a_new_issue_must_be_acknowledged_again(world):
    document_id, first = f.effective_document(world)
    world.api(world.staff).post(f"/api/v1/revisions/{first}/acknowledge")
    second = f.advance(world, f.new_revision(world, document_id, content="Sửa đổi"), "effective")
    readers = (
        world.api(world.quality_officer)
        .get(f"/api/v1/documents/{document_id}/acknowledgements")
        .json()
    )
    assert readers["revision_id"] == second
    assert readers["acknowledged"] == []
    stale = world.api(world.staff).post(f"/api/v1/revisions/{first}/acknowledge")
    assert stale.status_code == 409


def test_distribution_names_existing_departments(world):
    document_id = f.new_document(world)
    client = world.api(world.quality_officer)
    bad = client.put(
        f"/api/v1/documents/{document_id}/distribution", json={"department_ids": [999]}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "department_ids"
    ok = client.put(
        f"/api/v1/documents/{document_id}/distribution",
        json={"department_ids": [world.dept_b.id]},
    )
    assert ok.json()["distributed_to"] == [world.dept_b.id]


def test_reviewed_no_change_moves_the_review_date_on(world):
    document_id, _revision_id = f.effective_document(world, review_interval_months=6)
    client = world.api(world.quality_officer)
    empty = client.post(f"/api/v1/documents/{document_id}/periodic-review", json={"comment": ""})
    assert empty.status_code == 422 and empty.json()["field"] == "comment"
    response = client.post(
        f"/api/v1/documents/{document_id}/periodic-review",
        json={"comment": "Quy trình vẫn phù hợp với thực tế."},
    )
    assert response.status_code == 201
    assert response.json()["next_review_on"] == add_months(f.today(world), 6).isoformat()
    document = client.get(f"/api/v1/documents/{document_id}").json()
    assert document["next_review_on"] == response.json()["next_review_on"]


def test_a_draft_document_has_no_periodic_review(world):
    document_id = f.new_document(world)
    response = world.api(world.quality_officer).post(
        f"/api/v1/documents/{document_id}/periodic-review", json={"comment": "x"}
    )
    assert response.status_code == 409


def test_reviews_falling_due_are_on_the_owners_home(world):
    document_id = f.new_document(world)
    f.advance(
        world,
        f.new_revision(world, document_id),
        "effective",
        effective_on=f.today(world).replace(year=f.today(world).year - 1),
    )
    home = world.browser(world.quality_officer).get("/").text
    assert "Periodic review of the document" in home
    assert f"/documents/{document_id}" in home


def test_an_obsolete_document_stays_readable_with_its_history(world):
    revision_id = f.revision_in(world, "obsolete")
    document_id = f.get_revision(world, revision_id).document_id
    browser = world.browser(world.staff)
    page = browser.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert "NO LONGER IN FORCE" in page.text and "Không còn áp dụng" not in page.text
    assert "Thay thế bằng quy trình khác." in page.text
    assert browser.get(f"/documents/{document_id}/history").status_code == 200
    pdf = browser.get(f"/revisions/{revision_id}.pdf")
    assert pdf.status_code == 200
    assert f"/revisions/{revision_id}" not in browser.get("/documents/to-read").text


def test_read_and_understood_is_confirmed_on_the_revision_page_after_its_text(world):
    document_id, revision_id = f.effective_document(world)
    staff = world.browser(world.staff)
    to_read = staff.get("/documents/to-read").text
    # The list and the document page lead to the text; neither acknowledges by itself.
    assert "/acknowledge" not in to_read and f"/revisions/{revision_id}#content-title" in to_read
    document_page = staff.get(f"/documents/{document_id}").text
    assert "/acknowledge" not in document_page
    assert f"/revisions/{revision_id}#content-title" in document_page
    page = staff.get(f"/revisions/{revision_id}").text
    document = f.get_document(world, document_id)
    revision = f.get_revision(world, revision_id)
    # The form comes after the text and says exactly what is acknowledged.
    assert page.index('id="content-title"') < page.index(f"/revisions/{revision_id}/acknowledge")
    assert (
        f"I have read and understood {document.code} – {document.title}, issue {revision.label}"
        in page
    )
    unticked = staff.submit(f"/revisions/{revision_id}/acknowledge", {}, page="/documents")
    assert unticked.status_code == 422
    assert 'id="confirm-error"' in unticked.text and "Tick the box" in unticked.text
    assert f"/revisions/{revision_id}" in staff.get("/documents/to-read").text
    ticked = staff.submit(
        f"/revisions/{revision_id}/acknowledge", {"confirm": "yes"}, page="/documents"
    )
    assert ticked.status_code == 303
    assert ticked.headers["location"] == f"/revisions/{revision_id}#acknowledge"
    after = staff.get(f"/revisions/{revision_id}").text
    assert f"You have read and understood issue {revision.label}." in after
    assert f"/revisions/{revision_id}" not in staff.get("/documents/to-read").text


def test_acknowledging_another_departments_document_on_the_page_is_refused(world):
    _document_id, revision_id = f.effective_document(world)
    outsider = world.browser(world.manager_b)
    response = outsider.submit(
        f"/revisions/{revision_id}/acknowledge", {"confirm": "yes"}, page="/documents"
    )
    assert response.status_code == 403
