"""Who may do what to a quality objective, its indicators and their measurements."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from qms.auth.models import Role, User
from qms.auth.permissions import has_any, manages, rule

signed_in = lambda user, _record=None: True  # noqa: E731

rule("objective.list", "Sign in to see the quality objectives.")(signed_in)
rule("objective.read", "Sign in to see the quality objective.")(signed_in)
rule("objective.create", "Only a quality officer can set a quality objective.")(
    has_any(Role.quality_officer)
)
rule("objective.activate", "Only a quality officer can put a quality objective in force.")(
    has_any(Role.quality_officer)
)
rule("objective.evaluate", "Only a quality officer can record whether an objective was achieved.")(
    has_any(Role.quality_officer)
)
rule("objective.cancel", "Only a quality officer can cancel a quality objective.")(
    has_any(Role.quality_officer)
)


def _owner_department(objective) -> int | None:
    session = object_session(objective)
    owner = session.get(User, objective.owner_id) if session is not None else None
    return owner.department_id if owner is not None else None


@rule(
    "objective.edit",
    "Only a quality officer or a manager of the owner's department can edit the objective "
    "and its indicators.",
)
def _may_edit(user: User, objective) -> bool:
    if user.has_role(Role.quality_officer):
        return True
    if objective is None:
        return user.has_role(Role.manager)
    return manages(user, _owner_department(objective))


@rule(
    "measurement.enter",
    "Only the indicator's data owner or a quality officer can enter or correct its figures.",
)
def _may_enter(user: User, indicator) -> bool:
    if user.has_role(Role.quality_officer):
        return True
    return indicator is not None and user.id == indicator.data_owner_id


@rule(
    "measurement.raise_nonconformity",
    "Only a quality officer, the indicator's data owner or the objective's owner can raise a "
    "nonconformity from a missed period.",
)
def _may_raise(user: User, pair) -> bool:
    if user.has_role(Role.quality_officer):
        return True
    if pair is None:
        return False
    indicator, objective = pair
    return user.id in (indicator.data_owner_id, objective.owner_id)
