"""Links: a nonconformity or an audit finding that revealed or realised an entry, shown on
both pages; the context issues (4.1) and interested parties (4.2) an entry names."""

from __future__ import annotations

from qms.audits.models import Result
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
