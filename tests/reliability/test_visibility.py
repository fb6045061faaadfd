"""Lists never show a record their reader may not open, and a guessed id of a record one
may not open (another department's audit, someone else's draft) is refused with 403 or
404, through the API and the pages, for every role."""

from __future__ import annotations

import re

import pytest

from tests import figures
from tests.audits import support as audits
from tests.documents import factories as documents
from tests.matrix import ROLES
from tests.nonconformities.builders import build as build_nonconformity


@pytest.fixture
def records(world):
    """Records of both departments in several states: what the lists are made of."""
    audits.plan(world)  # department A, led by world.auditor
    audits.plan(world, department=world.dept_b, lead=world.auditor_a)
    build_nonconformity(world, "open")
    build_nonconformity(world, "open", department=world.dept_b, owners=(world.manager_b,))
    for department in (world.dept_a, world.dept_b):
        document_id, _effective = documents.effective_document(world, department=department)
        documents.new_revision(world, document_id, content=documents.TEXT + "\nBản nháp.\n")
        in_review = documents.new_document(world, department=department)
        documents.advance(world, documents.new_revision(world, in_review), "in_review")
    return world


def _ids(response, key=None) -> list[int]:
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    items = body[key] if key else body
    return [item["id"] for item in items]


def _api_reachable(client) -> set[str]:
    """Detail URLs of every record the API lists show this client."""
    urls = {f"/api/v1/audits/{i}" for i in _ids(client.get("/api/v1/audits"), "items")}
    urls |= {f"/api/v1/nonconformities/{i}" for i in _ids(client.get("/api/v1/nonconformities"))}
    for document_id in _ids(client.get("/api/v1/documents")):
        urls.add(f"/api/v1/documents/{document_id}")
        revisions = client.get(f"/api/v1/documents/{document_id}/revisions")
        urls |= {f"/api/v1/revisions/{i}" for i in _ids(revisions)}
    return urls


LINKS = {
    "/audits": r'href="/audits/(\d+)"',
    "/nonconformities": r'href="/nonconformities/(\d+)"',
    "/documents": r'href="/documents/(\d+)"',
    "/documents/to-sign": r'href="/revisions/(\d+)"',
}


def _page_reachable(browser) -> set[str]:
    """Record pages linked from the list pages (and each document's history)."""
    urls: set[str] = set()
    for page, link in LINKS.items():
        response = browser.get(page)
        if response.status_code == 403:
            continue  # the whole list is not for this role (the matrix checks that)
        assert response.status_code == 200, f"{page}: {response.status_code}"
        base = "/revisions/" if "revisions" in link else page + "/"
        urls |= {base + n for n in re.findall(link, response.text)}
    for document in [u for u in urls if re.fullmatch(r"/documents/\d+", u)]:
        history = browser.get(document + "/history")
        assert history.status_code == 200, document
        urls |= {"/revisions/" + n for n in re.findall(r'href="/revisions/(\d+)"', history.text)}
    return urls


def _api_listed(world, role):
    client = world.api(world.by_role[role])
    if client.get("/api/v1/audits").status_code == 403:
        # Staff may not list audits at all: the rest of the lists still apply.
        urls = {f"/api/v1/nonconformities/{i}" for i in _ids(client.get("/api/v1/nonconformities"))}
        for document_id in _ids(client.get("/api/v1/documents")):
            urls.add(f"/api/v1/documents/{document_id}")
            revisions = client.get(f"/api/v1/documents/{document_id}/revisions")
            urls |= {f"/api/v1/revisions/{i}" for i in _ids(revisions)}
        return client, urls
    return client, _api_reachable(client)


def test_lists_show_only_what_the_reader_may_open(records):
    world = records
    shown = 0
    for role in ROLES:
        client, urls = _api_listed(world, role)
        for url in sorted(urls):
            response = client.get(url)
            assert response.status_code == 200, f"{role} is listed {url} but gets {response}"
            shown += 1
        browser = world.browser(world.by_role[role])
        for url in sorted(_page_reachable(browser)):
            response = browser.get(url)
            assert response.status_code == 200, f"{role} is shown {url} but gets {response}"
            shown += 1
    assert shown > 50  # the fixture's records were listed
    figures.add(
        "visibility",
        "{shown} records listed to {roles} roles (API and pages) opened; "
        "{refused} guessed ids of records one may not open refused 403/404",
        shown=shown,
        roles=set(ROLES),
    )


def test_a_guessed_id_of_what_one_may_not_open_is_refused(records):
    world = records
    _, everything = _api_listed(world, "admin")
    assert len(everything) >= 12
    refused = 0
    for role in ROLES:
        client, listed = _api_listed(world, role)
        browser = world.browser(world.by_role[role])
        for url in sorted(everything - listed):
            response = client.get(url)
            assert response.status_code in (403, 404), f"{role} opens unlisted {url}"
            page = browser.get(url.removeprefix("/api/v1"))
            assert page.status_code in (403, 404), f"{role} opens the page of unlisted {url}"
            refused += 1
    assert refused >= 6  # some roles were refused something
    figures.add(
        "visibility",
        "{shown} records listed to {roles} roles (API and pages) opened; "
        "{refused} guessed ids of records one may not open refused 403/404",
        refused=refused,
    )
