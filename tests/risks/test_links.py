"""Links: a nonconformity or an audit finding that revealed or realised an entry, shown on
both pages; the context issues (4.1) and interested parties (4.2) an entry names."""

from __future__ import annotations

import json

from qms.audits.models import Result
from qms.db import unit_of_work
from qms.trail import service as trail
from tests.audits import support as audits
from tests.nonconformities.builders import build as build_nc
from tests.risks.builders import build


def _link(world, built, target, target_id, relation="realised", person=None):
    return world.api(person or world.manager).post(
        f"/api/v1/risks/{built.id}/links",
        json={"target": target, "target_id": target_id, "relation": relation},
    )


def test_a_nonconformity_linked_to_the_risk_it_realised_shows_on_both_pages(world):
    risk = build(world)
    nc = build_nc(world, "open")
    response = _link(world, risk, "nonconformity", nc.id)
    assert response.status_code == 201, response.text
    assert response.json()["links"] == [
        {
            "id": 1,
            "target": "nonconformity",
            "target_id": nc.id,
            "relation": "realised",
            "label": nc.code,
            "href": f"/nonconformities/{nc.id}",
        }
    ]
    browser = world.browser(world.staff)
    page = browser.get(f"/risks/{risk.id}").text
    assert f'href="/nonconformities/{nc.id}"' in page
    page = browser.get(f"/nonconformities/{nc.id}").text
    assert 'id="linked-risks-title"' in page and f'href="/risks/{risk.id}"' in page
    assert "risk-level-high" in page
    # Once is enough.
    assert _link(world, risk, "nonconformity", nc.id).status_code == 409
    # Not the nonconformity's manager nor the entry's: refused.
    assert _link(world, risk, "nonconformity", nc.id, person=world.staff).status_code == 403


def test_an_audit_finding_is_linked_and_shown_on_the_audit(world):
    risk = build(world, kind="opportunity")
    audit = audits.build(world, "in_progress")
    items = audits.items(world, audit)
    finding, conforming = items[0], items[1]
    audits.answer(
        world, audit, answers={finding.ref: (Result.improvement, "Nên cho nộp trực tuyến.")}
    )
    response = _link(world, risk, "audit_finding", conforming.id, "revealed")
    assert response.status_code == 422 and response.json()["field"] == "target_id"
    response = _link(world, risk, "audit_finding", finding.id, "revealed")
    assert response.status_code == 201, response.text
    link = response.json()["links"][0]
    assert link["href"] == f"/audits/{audit.id}/checklist#item-{finding.id}"
    assert link["label"].startswith(audit.code)
    page = world.browser(world.quality_officer).get(f"/audits/{audit.id}").text
    assert 'id="linked-risks-title"' in page and f'href="/risks/{risk.id}"' in page


def test_a_link_to_nothing_is_refused_naming_the_field(world):
    risk = build(world)
    for target in ("nonconformity", "audit_finding"):
        response = _link(world, risk, target, 4242)
        assert response.status_code == 422 and response.json()["field"] == "target_id"
    assert world.api(world.staff).get(f"/api/v1/risks/{risk.id}").json()["links"] == []


def test_entries_name_context_issues_and_interested_parties(world):
    qo = world.api(world.quality_officer)
    issue = qo.post(
        "/api/v1/context-issues",
        json={"kind": "internal", "title": "Biến động nhân sự bộ phận một cửa"},
    ).json()
    party = qo.post("/api/v1/interested-parties", json={"name": "Sở Nội vụ"}).json()
    assert (
        world.api(world.manager)
        .post("/api/v1/context-issues", json={"kind": "internal", "title": "x"})
        .status_code
        == 403
    )
    response = qo.post("/api/v1/context-issues", json={"kind": "elsewhere", "title": "x"})
    assert response.status_code == 422 and response.json()["field"] == "kind"
    lists = world.api(world.staff).get("/api/v1/risk-context").json()
    assert [i["title"] for i in lists["issues"]] == [issue["title"]]
    assert [p["name"] for p in lists["parties"]] == ["Sở Nội vụ"]

    risk = build(world)
    api = world.api(world.manager)
    version = api.get(f"/api/v1/risks/{risk.id}").json()["version"]
    response = api.put(
        f"/api/v1/risks/{risk.id}/context",
        json={"issue_ids": [issue["id"], 99], "party_ids": [], "version": version},
    )
    assert response.status_code == 422 and response.json()["field"] == "issue_ids"
    response = api.put(
        f"/api/v1/risks/{risk.id}/context",
        json={"issue_ids": [issue["id"]], "party_ids": [party["id"]], "version": version},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["issue_ids"], response.json()["party_ids"]) == (
        [issue["id"]],
        [party["id"]],
    )
    page = world.browser(world.staff).get(f"/risks/{risk.id}").text
    assert "Biến động nhân sự bộ phận một cửa" in page and "Sở Nội vụ" in page
    page = world.browser(world.staff).get("/risks/context").text
    assert "Biến động nhân sự bộ phận một cửa" in page


def _unlink(world, built, link_id, person=None):
    return world.api(person or world.manager).delete(f"/api/v1/risks/{built.id}/links/{link_id}")


def test_a_link_made_by_mistake_is_removed_and_the_trail_keeps_it(world):
    risk = build(world)
    nc = build_nc(world, "open")
    link_id = _link(world, risk, "nonconformity", nc.id).json()["links"][0]["id"]
    # Not the entry's owner, its department's manager nor a quality officer: refused.
    for person in (world.staff, world.manager_b, world.auditor):
        assert _unlink(world, risk, link_id, person=person).status_code == 403
    # A link of another entry is not this entry's to remove.
    other = build(world)
    assert _unlink(world, other, link_id).status_code == 404
    assert world.api(world.staff).get(f"/api/v1/risks/{risk.id}").json()["links"] != []

    response = _unlink(world, risk, link_id)
    assert response.status_code == 200, response.text
    assert response.json()["links"] == []
    nc_page = world.browser(world.staff).get(f"/nonconformities/{nc.id}").text
    assert f'href="/risks/{risk.id}"' not in nc_page
    # Removed once: a second removal finds nothing.
    assert _unlink(world, risk, link_id).status_code == 404
    with unit_of_work(world.engine, write=False) as session:
        events = trail.events_for(session=session, record_type="risk", record_id=risk.id)
        assert trail.verify(session=session).ok
    removed = events[-1]
    assert removed.action == "unlinked" and removed.actor_id == world.manager.id
    before, after = json.loads(removed.changes)["link"]
    assert (before["target"], before["id"], before["relation"]) == (
        "nonconformity",
        nc.id,
        "realised",
    )
    assert after is None
    # It can be linked again afterwards.
    assert _link(world, risk, "nonconformity", nc.id).status_code == 201


def test_a_closed_entry_keeps_its_links(world):
    risk = build(world, "monitored")
    nc = build_nc(world, "open")
    link_id = _link(world, risk, "nonconformity", nc.id).json()["links"][0]["id"]
    api = world.api(world.manager)
    version = api.get(f"/api/v1/risks/{risk.id}").json()["version"]
    closed = api.post(
        f"/api/v1/risks/{risk.id}/close", json={"reason": "Đã xử lý xong.", "version": version}
    )
    assert closed.status_code == 200, closed.text
    response = _unlink(world, risk, link_id)
    assert response.status_code == 409 and response.json()["field"] == "status"
    assert len(api.get(f"/api/v1/risks/{risk.id}").json()["links"]) == 1


def test_the_page_removes_a_link_with_a_form(world):
    risk = build(world)
    nc = build_nc(world, "open")
    link_id = _link(world, risk, "nonconformity", nc.id).json()["links"][0]["id"]
    action = f"/risks/{risk.id}/links/{link_id}/delete"
    # Only those who may remove it see the form.
    assert action not in world.browser(world.staff).get(f"/risks/{risk.id}").text
    browser = world.browser(world.manager)
    page = browser.get(f"/risks/{risk.id}").text
    assert f'action="{action}"' in page
    response = browser.submit(action, {}, page=f"/risks/{risk.id}")
    assert response.status_code == 303, response.text
    page = browser.get(response.headers["location"]).text
    assert "The link was removed." in page
    assert f'href="/nonconformities/{nc.id}"' not in page
    # The same form again (an old tab): said on the page, not an error page.
    response = browser.submit(action, {}, page=f"/risks/{risk.id}")
    assert response.status_code == 404
    assert f"Link {link_id} of {risk.code} does not exist." in response.text
