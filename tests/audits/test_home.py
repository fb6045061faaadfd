"""The home page: audits coming, checklists to fill, reports to issue, audits to close, and
the quality officer's figures of the year's programme."""

from __future__ import annotations

from datetime import timedelta

from tests.audits import support


def work(world, person) -> list[dict]:
    return world.api(person).get("/api/v1/my-work").json()


def kinds(world, person) -> set[str]:
    return {item["kind"] for item in work(world, person)}


def test_a_coming_audit_shows_for_its_team_and_the_auditee_manager(world):
    other = support.second_auditor(world)
    built = support.plan(world, team=[other])
    assert "Start the audit" in kinds(world, world.auditor)
    assert "Prepare the audit" in kinds(world, other)
    assert "Your department will be audited" in kinds(world, world.manager)
    assert not kinds(world, world.manager_b) & {"Your department will be audited"}
    (item,) = [w for w in work(world, world.manager) if w["code"] == built.code]
    assert item["url"] == f"/audits/{built.id}"


def test_an_audit_far_ahead_waits(world):
    support.plan(world, start=support.today(world) + timedelta(days=90))
    assert "Start the audit" not in kinds(world, world.auditor)


def test_the_team_is_asked_to_fill_the_checklist_then_the_lead_to_report(world):
    other = support.second_auditor(world)
    built = support.build(world, "in_progress", team=[other])
    (item,) = [w for w in work(world, other) if w["kind"] == "Fill the checklist"]
    assert item["code"] == built.code and "(0/49)" in item["title"]
    support.answer(world, built)
    assert "Issue the audit report" in kinds(world, world.auditor)
    assert "Fill the checklist" not in kinds(world, other)
    assert "Issue the audit report" not in kinds(world, other)


def test_the_quality_officer_closes_a_reported_audit_without_open_findings(world):
    built = support.shared_reported(world)
    items = [w for w in work(world, world.quality_officer) if w["kind"] == "Close the audit"]
    assert [w["code"] for w in items] == [built.code]


def test_the_quality_officer_sees_the_programme_by_state(world):
    support.plan(world, start=support.today(world).replace(month=1, day=5))
    support.build(world, "cancelled", start=support.today(world).replace(month=1, day=6))
    page = world.browser(world.quality_officer).get("/")
    assert page.status_code == 200
    assert "Audit programme of this year" in page.text
    assert f'href="/audit-programmes/{support.today(world).year}"' in page.text
    assert "Audit programme of this year" not in world.browser(world.auditor).get("/").text
