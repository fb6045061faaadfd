"""Each reminder rule with --as-of dates: who is reminded, at which stage, and the
escalation of overdue work to the department's managers."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from qms.reminders import service
from qms.reminders.models import Notification
from tests.nonconformities import builders


def _made(engine, rule: str) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification).where(Notification.rule == rule)).all())


def test_corrective_actions_are_reminded_at_each_stage_and_escalated_when_late(
    world, engine, settings
):
    built = builders.build(world, "action_planned")  # two actions due in 14 days
    due = builders.today(world) + timedelta(days=14)
    for days_before, stage in ((31, None), (20, "30d"), (5, "7d"), (0, "due"), (-3, "overdue-1")):
        service.sweep(engine=engine, settings=settings, as_of=due - timedelta(days=days_before))
        rows = [n for n in _made(engine, "corrective_action_due") if n.stage == stage]
        if stage is None:
            assert not _made(engine, "corrective_action_due")
            continue
        recipients = {n.recipient_id for n in rows}
        expected = {world.staff.id, world.auditor_a.id}
        if stage.startswith("overdue"):
            expected.add(world.manager.id)  # the manager of department A
            assert {n.recipient_id for n in rows if n.escalation} == {world.manager.id}
        assert recipients == expected, (stage, recipients)
        assert all(n.url.startswith(f"/nonconformities/{built.id}") for n in rows)


def test_a_done_action_is_no_longer_reminded(world, engine, settings):
    builders.build(world, "verifying")
    service.sweep(
        engine=engine, settings=settings, as_of=builders.today(world) + timedelta(days=14)
    )
    assert not _made(engine, "corrective_action_due")


def test_effectiveness_checks_go_to_quality_officers_who_own_no_action(world, engine, settings):
    built = builders.build(world, "verifying", owners=(world.staff, world.quality_officer))
    nc = builders.load(world, built.id)
    service.sweep(engine=engine, settings=settings, as_of=nc.check_due_on)
    rows = _made(engine, "effectiveness_check_due")
    # the only quality officer owns an action: nobody may record it, so no one is reminded
    assert rows == []
    other = world.person("qo2@example.org", ["quality_officer"], world.dept_b)
    service.sweep(engine=engine, settings=settings, as_of=nc.check_due_on)
    rows = _made(engine, "effectiveness_check_due")
    assert {n.recipient_id for n in rows} == {other.id} and rows[0].stage == "due"


def test_a_check_found_effective_is_no_longer_reminded(world, engine, settings):
    built = builders.build(world, "ready")
    nc = builders.load(world, built.id)
    service.sweep(engine=engine, settings=settings, as_of=nc.check_due_on or builders.today(world))
    assert not _made(engine, "effectiveness_check_due")


# --- documents ---------------------------------------------------------------------------

from tests.documents import factories as docs  # noqa: E402


def test_a_revision_waiting_for_review_reminds_its_reviewer_then_its_approver(
    world, engine, settings
):
    revision_id = docs.revision_in(world, "in_review")
    day = docs.today(world)
    service.sweep(engine=engine, settings=settings, as_of=day)
    rows = _made(engine, "revision_signature_waiting")
    assert [(n.recipient_id, n.stage) for n in rows] == [(world.auditor.id, "7d")]
    assert rows[0].due_on == day + timedelta(days=7)
    docs.advance(world, revision_id, "reviewed")
    service.sweep(engine=engine, settings=settings, as_of=day + timedelta(days=8))
    approver = [
        n for n in _made(engine, "revision_signature_waiting") if n.recipient_id == world.manager.id
    ]
    assert approver and approver[0].stage == "overdue-1"


def test_readers_are_reminded_to_acknowledge_and_late_ones_escalated(world, engine, settings):
    _document_id, revision_id = docs.effective_document(world)  # distributed to department A
    day = docs.today(world)
    service.sweep(engine=engine, settings=settings, as_of=day)
    rows = _made(engine, "revision_acknowledgement_due")
    readers = {world.manager.id, world.staff.id, world.auditor_a.id}
    assert {n.recipient_id for n in rows} == readers and {n.stage for n in rows} == {"30d"}
    world.browser(world.staff).submit(
        f"/revisions/{revision_id}/acknowledge", {"confirm": "yes"}, page=f"/revisions/{revision_id}"
    )
    service.sweep(engine=engine, settings=settings, as_of=day + timedelta(days=15))
    late = [n for n in _made(engine, "revision_acknowledgement_due") if n.stage == "overdue-1"]
    assert {n.recipient_id for n in late} == {world.manager.id, world.auditor_a.id}
    assert not any(n.escalation for n in late)  # the manager is a reader of A already
    # Long after, reminders stop: the reader list on the document page remains.
    service.sweep(engine=engine, settings=settings, as_of=day + timedelta(days=200))
    assert not [
        n for n in _made(engine, "revision_acknowledgement_due") if n.due_on != rows[0].due_on
    ]


def test_periodic_review_reminds_the_owner_30_days_ahead(world, engine, settings):
    document_id, _revision_id = docs.effective_document(world)
    document = docs.get_document(world, document_id)
    service.sweep(
        engine=engine, settings=settings, as_of=document.next_review_on - timedelta(days=31)
    )
    assert not _made(engine, "document_review_due")
    service.sweep(
        engine=engine, settings=settings, as_of=document.next_review_on - timedelta(days=30)
    )
    rows = _made(engine, "document_review_due")
    assert [(n.recipient_id, n.stage) for n in rows] == [(document.owner_id, "30d")]


# --- audits ------------------------------------------------------------------------------

from tests.audits import support as audits  # noqa: E402


def test_an_audit_about_to_start_reminds_its_team_and_the_auditee_manager(world, engine, settings):
    built = audits.plan(world, team=(audits.second_auditor(world),))
    start = audits.load(world, built).planned_start_on
    service.sweep(engine=engine, settings=settings, as_of=start - timedelta(days=7))
    rows = _made(engine, "audit_starting")
    expected = {world.auditor.id, audits.second_auditor(world).id, world.manager.id}
    assert {n.recipient_id for n in rows} == expected and {n.stage for n in rows} == {"7d"}
    audits.start(world, built)
    service.sweep(engine=engine, settings=settings, as_of=start)
    assert {n.stage for n in _made(engine, "audit_starting")} == {"7d"}  # started: no more


def test_a_reported_audit_left_open_is_reminded_to_the_lead_and_the_quality_officers(
    world, engine, settings
):
    built = audits.build(world, "reported")
    audit = audits.load(world, built)
    due = audit.reported_at.date() + timedelta(days=30)
    service.sweep(engine=engine, settings=settings, as_of=due + timedelta(days=1))
    rows = _made(engine, "audit_closure_due")
    assert {n.recipient_id for n in rows if not n.escalation} == {
        world.auditor.id,
        world.quality_officer.id,
    }
    assert {n.recipient_id for n in rows if n.escalation} == {world.manager.id}
    audits.close(world, built)
    service.sweep(engine=engine, settings=settings, as_of=due + timedelta(days=8))
    assert {n.stage for n in _made(engine, "audit_closure_due")} == {"overdue-1"}
