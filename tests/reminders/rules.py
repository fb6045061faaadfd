"""A reminder rule for the tests: what is due is whatever rows of `department` say."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from qms.auth.models import Department, User
from qms.reminders import rules as rules_module
from qms.reminders.rules import Due

ANCHOR = date(2026, 12, 31)


def fixed_rule(session, as_of):
    """Each department is 'due' on ANCHOR plus its id days, for each of its users."""
    for department in session.exec(select(Department).order_by(Department.id)).all():
        members = session.exec(select(User.id).where(User.department_id == department.id)).all()
        yield Due(
            rule="test_department_due",
            record_type="department",
            record_id=department.id,
            due_on=ANCHOR + timedelta(days=department.id - 1),
            recipients=tuple(members),
            message="Review department %(code)s – %(name)s",
            params={"code": department.code, "name": department.name},
            url=f"/admin/departments#d{department.id}",
            department_id=department.id,
        )


def install_fixed_rule(_engine=None) -> None:
    if not any(name == "test_department_due" for name, _ in rules_module.RULES):
        rules_module.RULES.append(("test_department_due", fixed_rule))


def remove_fixed_rule() -> None:
    rules_module.RULES[:] = [(n, f) for n, f in rules_module.RULES if n != "test_department_due"]
