"""Role matrix of the reminders' routes."""

from __future__ import annotations

from datetime import date

from tests.matrix import EVERYONE, Case

OFFICE = frozenset({"admin", "quality_officer"})


def _own_notification(world, role):
    """A reminder addressed to the caller (another person's is 404, tested apart)."""
    from qms.db import unit_of_work
    from qms.reminders.models import Notification

    person = world.by_role[role]
    with unit_of_work(world.engine) as session:
        row = Notification(
            key=f"test:{role}:{date.today()}:{id(world)}",
            rule="test",
            record_type="user",
            record_id=person.id,
            due_on=date.today(),
            stage="due",
            recipient_id=person.id,
            message="Reminders",
            url="/account",
        )
        session.add(row)
        session.flush()
        return {"params": {"notification_id": row.id}}


CASES = [
    Case("GET", "/api/v1/notifications", EVERYONE),
    Case("POST", "/api/v1/notifications/{notification_id}/read", EVERYONE, _own_notification),
    Case("POST", "/api/v1/notifications/read-all", EVERYONE),
    Case("GET", "/api/v1/reminders/sweeps", OFFICE),
    Case("POST", "/api/v1/reminders/sweeps", OFFICE),
    Case("GET", "/notifications", EVERYONE),
    Case("POST", "/notifications/{notification_id}/read", EVERYONE, _own_notification),
    Case("POST", "/notifications/read-all", EVERYONE),
    Case("GET", "/admin/reminders", OFFICE),
    Case("POST", "/admin/reminders", OFFICE),
]
