"""Reminders of a planned review (30 and 7 days before, on the day) and of outputs due."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from qms.reminders import service
from qms.reminders.models import Notification
from tests.reviews.builders import build, plan, today


def _made(engine, rule: str) -> list[Notification]:
    with Session(engine) as session:
        return list(session.exec(select(Notification).where(Notification.rule == rule)).all())


def test_a_planned_review_is_reminded_to_the_chair_attendees_and_quality_officers(
    world, engine, settings
):
    meeting = today(world) + timedelta(days=40)
    built = plan(world, planned_on=meeting)
    for days_before, stage in ((31, None), (30, "30d"), (7, "7d"), (0, "due")):
        service.sweep(engine=engine, settings=settings, as_of=meeting - timedelta(days=days_before))
        rows = [n for n in _made(engine, "management_review_planned") if n.stage == stage]
        if stage is None:
            assert not _made(engine, "management_review_planned")
            continue
        expected = {world.manager.id, world.quality_officer.id, world.manager_b.id}
        assert {n.recipient_id for n in rows} == expected, stage
        assert all(n.url == f"/management-reviews/{built.id}#inputs" for n in rows)


def test_a_held_review_is_no_longer_reminded_but_its_outputs_are(world, engine, settings):
    built = build(world, "held")  # one output of staff, due in 30 days
    service.sweep(engine=engine, settings=settings, as_of=today(world) + timedelta(days=30))
    assert not _made(engine, "management_review_planned")
    rows = _made(engine, "management_review_output_due")
    assert [(n.recipient_id, n.stage) for n in rows] == [(world.staff.id, "due")]
    assert rows[0].url.endswith(f"#output-{built.output_ids[0]}")
