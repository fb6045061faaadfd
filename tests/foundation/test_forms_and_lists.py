"""Across the domains: a refused form comes back with what was typed and the message beside
the field; the people register paginates and keeps its filters in the URL; each record's
page is at a stable address that the lists link to."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from qms.auth.models import Role
from tests.documents import factories as docs
from tests.nonconformities.builders import build

TYPED = "Nội dung đã gõ 7319"  # text a person typed, looked for in the refused form


def _document_without_title(world):
    return (
        "/documents",
        "/documents/new",
        {
            "code": "QT-77",
            "title": "",
            "kind": "procedure",
            "department_id": world.dept_a.id,
            "clauses": TYPED,
        },
    )


def _nonconformity_without_severity(world):
    return (
        "/nonconformities",
        "/nonconformities/new",
        {
            "source": "internal_audit",
            "department_id": world.dept_a.id,
            "clause": "8.5.1",
            "severity": "",
            "description": TYPED,
            "owner_id": world.manager.id,
        },
    )


def _audit_ending_before_it_starts(world):
    start = date.today() + timedelta(days=30)
    return (
        "/audits",
        "/audits/new",
        {
            "title": TYPED,
            "scope": "Phạm vi",
            "criteria": "TCVN ISO 9001:2015",
            "department_id": world.dept_b.id,
            "lead_auditor_id": world.auditor.id,
            "planned_start_on": start.isoformat(),
            "planned_end_on": (start - timedelta(days=3)).isoformat(),
            "template_keys": "iso9001-2015",
        },
    )


def _user_with_a_short_password(world):
    return (
        "/admin/users",
        "/admin/users",
        {
            "email": "moi@example.org",
            "full_name": TYPED,
            "password": "ngan",
            "roles": "staff",
            "department_id": world.dept_a.id,
        },
    )


def _action_without_due_date(world):
    nc = build(world, "investigating")
    page = f"/nonconformities/{nc.id}"
    version = re.search(
        r'name="version" value="(\d+)"', world.browser(world.manager).get(page).text
    )
    return (
        f"{page}/actions",
        page,
        {
            "description": TYPED,
            "owner_id": world.staff.id,
            "due_on": "",
            "version": version.group(1) if version else "",
        },
    )


REFUSED = [
    ("quality_officer", _document_without_title, "title"),
    ("auditor", _nonconformity_without_severity, "severity"),
    ("quality_officer", _audit_ending_before_it_starts, "planned_end_on"),
    ("admin", _user_with_a_short_password, "password"),
    ("manager", _action_without_due_date, "due_on"),
]


@pytest.mark.parametrize(
    ("role", "form", "field"), REFUSED, ids=[f.__name__.strip("_") for _r, f, _x in REFUSED]
)
def test_a_refused_form_keeps_what_was_typed_and_explains_beside_the_field(
    world, role, form, field
):
    url, page, data = form(world)
    browser = world.browser(getattr(world, role))
    response = browser.submit(url, data, page=page)
    assert response.status_code in (409, 422), response.status_code
    html = unescape(response.text)
    assert TYPED in html, "what was typed is lost"
    found = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]+)</p>', html)
    assert found, f"no message beside {field}"
    assert f'aria-describedby="{field}-error"' in html


def test_the_people_register_paginates_and_keeps_its_filters(world):
    for n in range(55):
        world.person(f"nv{n:02d}@example.org", [Role.staff], world.dept_b)
    browser = world.browser(world.admin)
    first = browser.get(f"/admin/users?department_id={world.dept_b.id}&role=staff")
    assert first.status_code == 200
    assert first.text.count("@example.org</td>") == 50
    following = re.search(r'<a class="pager-step" rel="next" href="([^"]+)">', first.text)
    assert following, "no link to the next page"
    link = unescape(following.group(1))
    assert f"department_id={world.dept_b.id}" in link and "role=staff" in link and "page=2" in link
    second = browser.get(link)
    assert second.text.count("@example.org</td>") == 5
    searched = browser.get("/admin/users?q=NV07")
    assert "nv07@example.org" in searched.text and "nv08@example.org" not in searched.text
    assert 'value="NV07"' in searched.text  # the filter is shown as typed
    assert browser.get("/admin/users?q=zzz-nobody").text.count("@example.org</td>") == 0


@pytest.mark.parametrize("bad", ["page=-1", "page=x", "department_id=abc", "role=boss"])
def test_the_people_register_ignores_a_mangled_filter(world, bad):
    assert world.browser(world.admin).get(f"/admin/users?{bad}").status_code == 200


def test_lists_link_each_record_at_its_own_stable_address(world):
    document_id, revision_id = docs.effective_document(world)
    nc = build(world, "open")
    browser = world.browser(world.quality_officer)
    for listing, address in [
        ("/documents", f"/documents/{document_id}"),
        (f"/documents/{document_id}", f"/revisions/{revision_id}"),
        ("/nonconformities", f"/nonconformities/{nc.id}"),
        (f"/nonconformities/{nc.id}", f"/trail/nonconformity/{nc.id}"),
        (f"/trail/nonconformity/{nc.id}", f"/nonconformities/{nc.id}"),
    ]:
        assert f'href="{address}"' in browser.get(listing).text, (listing, address)
        assert browser.get(address).status_code == 200
