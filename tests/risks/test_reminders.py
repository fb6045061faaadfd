"""Reminders of the register: treatment actions before their due date, and each entry's
review date, escalated to the department's managers when late."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from qms.reminders import service
from qms.reminders.models import Notification
from tests.risks.builders import build, today


def _made(engine, rule: str) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification).where(Notification.rule == rule)).all())


def test_treatment_actions_are_reminded_at_each_stage_then_escalated(world, engine, settings):
    built = build(world, "treating")  # one action of the staff member, due in 14 days
    due = today(world) + timedelta(days=14)
    for days_before, stage in ((31, None), (20, "30d"), (5, "7d"), (0, "due"), (-3, "overdue-1")):
        service.sweep(engine=engine, settings=settings, as_of=due - timedelta(days=days_before))
        rows = [n for n in _made(engine, "risk_action_due") if n.stage == stage]
        if stage is None:
            assert not _made(engine, "risk_action_due")
            continue
        expected = {world.staff.id}
        if stage.startswith("overdue"):
            expected.add(world.manager.id)
        assert {n.recipient_id for n in rows} == expected, stage
        assert all(n.url == f"/risks/{built.id}#action-{built.action_ids[0]}" for n in rows)


def test_a_done_action_is_no_longer_reminded(world, engine, settings):
    build(world, "monitored")
    service.sweep(engine=engine, settings=settings, as_of=today(world) + timedelta(days=14))
    assert not _made(engine, "risk_action_due")


def test_the_review_date_reminds_the_owner_and_a_closed_entry_is_not(world, engine, settings):
    built = build(world, "open")
    build(world, "closed")
    review_on = today(world) + timedelta(days=365)
    service.sweep(engine=engine, settings=settings, as_of=review_on - timedelta(days=40))
    assert not _made(engine, "risk_review_due")
    service.sweep(engine=engine, settings=settings, as_of=review_on - timedelta(days=6))
    rows = _made(engine, "risk_review_due")
    assert [(n.recipient_id, n.stage, n.url) for n in rows] == [
        (world.manager.id, "7d", f"/risks/{built.id}#assess")
    ]
