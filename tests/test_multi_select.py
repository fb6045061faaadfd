"""A choice of several works by touch and without JavaScript (issue 19.10): every form that
picks several people, departments, documents, roles or checklists shows one list of boxes to
tick (the `choices` macro), never a <select multiple>; what is ticked is sent and kept."""

from __future__ import annotations

import re

from tests.documents import factories as documents

CHOICES = re.compile(r'<fieldset class="field choices[^"]*" id="choices-([a-z_]+)"')


def _choices(html: str) -> set[str]:
    assert not re.search(r"<select[^>]*\bmultiple\b", html), "a <select multiple> is left"
    return set(CHOICES.findall(html))


def test_every_multiple_choice_is_a_list_of_boxes(world):
    from tests.reviews.builders import make_chair

    make_chair(world)
    document_id = documents.new_document(world)
    officer = world.browser(world.quality_officer)
    admin = world.browser(world.admin)
    assert _choices(officer.get("/audits/new").text) >= {"auditor_ids", "template_keys"}
    assert "attendee_ids" in _choices(officer.get("/management-reviews/new").text)
    assert "department_ids" in _choices(officer.get(f"/documents/{document_id}").text)
    assert "document_ids" in _choices(world.browser(world.staff).get("/nonconformities/new").text)
    assert "roles" in _choices(admin.get("/admin/users").text)
    assert "roles" in _choices(admin.get(f"/admin/users/{world.staff.id}").text)


def test_ticked_documents_are_sent_and_kept_when_the_form_is_refused(world):
    first = documents.new_document(world, code="QT-91")
    second = documents.new_document(world, code="QT-92")
    documents.new_document(world, code="QT-93")
    browser = world.browser(world.staff)
    data = {
        "department_id": str(world.dept_a.id),
        "source": "customer_complaint",
        "severity": "minor",
        "clause": "8.2.1",
        "description": "",  # refused: the ticks must survive
        "document_ids": [str(first), str(second)],
    }
    refused = browser.submit("/nonconformities", data, page="/nonconformities/new")
    assert refused.status_code == 422
    ticked = re.findall(r'name="document_ids" value="(\d+)" checked', refused.text)
    assert sorted(map(int, ticked)) == sorted([first, second])
    data["description"] = "Công dân phản ánh hồ sơ bị trả lại không nêu lý do."
    done = browser.submit("/nonconformities", data, page="/nonconformities/new")
    assert done.status_code == 303, done.text[:300]
    nc_id = int(re.search(r"/nonconformities/(\d+)", done.headers["location"]).group(1))
    record = world.api(world.staff).get(f"/api/v1/nonconformities/{nc_id}").json()
    assert sorted(record["document_ids"]) == sorted([first, second])


def test_the_distribution_shows_the_departments_ticked(world):
    document_id = documents.new_document(world)  # distributed to department A
    page = world.browser(world.quality_officer).get(f"/documents/{document_id}").text
    ticked = re.findall(r'name="department_ids" value="(\d+)" checked', page)
    assert ticked == [str(world.dept_a.id)]
