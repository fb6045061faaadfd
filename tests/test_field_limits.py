"""Each text field has a sensible length limit: refused with 422 naming the field, from the
API and beside the field on the pages (issue 19.3)."""

from __future__ import annotations

import pytest

from qms.audits.models import LONG_TEXT, TITLE_LIMIT
from qms.documents.models import LIMITS as DOCUMENT_LIMITS
from qms.nonconformities.models import LIMITS as NC_LIMITS


def _nc_form(world, description: str) -> dict:
    return {
        "department_id": str(world.dept_a.id),
        "source": "supplier",
        "severity": "minor",
        "clause": "8.4",
        "description": description,
    }


def test_a_description_over_the_limit_is_refused_beside_the_field(world):
    browser = world.browser(world.staff)
    too_long = "x" * (NC_LIMITS["description"] + 1)
    response = browser.submit(
        "/nonconformities", _nc_form(world, too_long), page="/nonconformities/new"
    )
    assert response.status_code == 422
    assert 'id="description-error"' in response.text
    assert f"At most {NC_LIMITS['description']} characters here" in response.text
    at_limit = "x" * NC_LIMITS["description"]
    accepted = browser.submit(
        "/nonconformities", _nc_form(world, at_limit), page="/nonconformities/new"
    )
    assert accepted.status_code == 303


def test_the_api_refuses_a_long_description_naming_the_field(world):
    body = {
        "source": "supplier",
        "department_id": world.dept_a.id,
        "clause": "8.4",
        "severity": "minor",
        "description": "x" * (NC_LIMITS["description"] + 1),
    }
    response = world.api(world.staff).post("/api/v1/nonconformities", json=body)
    assert response.status_code == 422 and response.json()["field"] == "description"


def test_a_document_title_over_the_limit_is_refused_on_the_page_and_the_api(world):
    title = "T" * (DOCUMENT_LIMITS["title"] + 1)
    browser = world.browser(world.quality_officer)
    response = browser.submit(
        "/documents",
        {"code": "QT-90", "title": title, "kind": "procedure", "department_id": world.dept_a.id},
        page="/documents/new",
    )
    assert response.status_code == 422 and 'id="title-error"' in response.text
    api = world.api(world.quality_officer).post(
        "/api/v1/documents",
        json={"code": "QT-90", "title": title, "kind": "procedure", "department_id": world.dept_a.id},
    )
    assert api.status_code == 422 and api.json()["field"] == "title"


def test_a_change_summary_over_the_limit_is_refused_beside_the_field(world):
    from tests.documents import factories as f

    revision_id = f.revision_in(world, "draft")
    browser = world.browser(world.quality_officer)
    page = f"/revisions/{revision_id}"
    response = browser.submit(
        page,
        {
            "version": str(f.get_revision(world, revision_id).version),
            "change_summary": "s" * (DOCUMENT_LIMITS["change_summary"] + 1),
            "content_md": "# Mục đích",
        },
        page=page,
    )
    assert response.status_code == 422 and 'id="change_summary-error"' in response.text


def test_an_audit_title_and_scope_over_their_limits_are_both_named(world):
    browser = world.browser(world.quality_officer)
    response = browser.submit(
        "/audits",
        {
            "title": "A" * (TITLE_LIMIT + 1),
            "scope": "S" * (LONG_TEXT + 1),
            "criteria": "TCVN ISO 9001:2015",
            "department_id": str(world.dept_a.id),
            "lead_auditor_id": str(world.auditor.id),
            "planned_start_on": "2030-03-02",
            "planned_end_on": "2030-03-03",
            "template_keys": "iso9001-2015",
        },
        page="/audits/new",
    )
    assert response.status_code == 422
    assert 'id="title-error"' in response.text and 'id="scope-error"' in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reminders/sweeps?as_of={day}",
        "/api/v1/objectives?as_of={day}",
    ],
)
def test_a_day_in_a_query_is_only_yyyy_mm_dd(world, path):
    """A number is not a day (pydantic alone reads 0.0 as 1970-01-01, a Unix timestamp):
    the API names the parameter; a real day is served."""
    api = world.api(world.admin)
    method = api.post if "sweeps" in path else api.get
    for wrong in ("0.0", "0", "03/12/2026"):
        response = method(path.format(day=wrong))
        assert response.status_code == 422, (wrong, response.text)
        assert "as_of" in response.text
    assert method(path.format(day="2026-12-03")).status_code in (200, 201)


def test_the_audits_register_page_reads_report_days_only_as_yyyy_mm_dd(world):
    browser = world.browser(world.quality_officer)
    assert browser.get("/audits?reported_from=0").status_code == 422
    assert browser.get("/audits?reported_from=2026-01-01&reported_to=2026-12-31").status_code == 200
