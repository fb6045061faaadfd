"""Who may do what to the risks-and-opportunities register."""

from __future__ import annotations

from qms.auth.models import Role, User
from qms.auth.permissions import has_any, manages, rule

signed_in = lambda user, _record=None: True  # noqa: E731

rule("risk.list", "Sign in to see the register of risks and opportunities.")(signed_in)
rule("risk.read", "Sign in to see the register entry.")(signed_in)
rule(
    "risk.raise",
    "Only a manager or a quality officer can enter a risk or an opportunity in the register.",
)(has_any(Role.manager, Role.quality_officer))


@rule(
    "risk.manage",
    "Only the owner of the entry, a manager of its department or a quality officer can "
    "treat, re-assess or close it.",
)
def _may_manage(user: User, risk) -> bool:
    if user.has_role(Role.quality_officer):
        return True
    if risk is None:
        return user.has_role(Role.manager)
    return user.id == risk.owner_id or manages(user, risk.department_id)


@rule(
    "risk.accept_high",
    "Only a manager of the department concerned can accept a high or critical risk.",
)
def _may_accept_high(user: User, risk) -> bool:
    if risk is None:
        return user.has_role(Role.manager)
    return manages(user, risk.department_id)


@rule(
    "risk_action.complete",
    "Only the owner of the treatment action can mark it done with its evidence.",
)
def _may_complete(user: User, action) -> bool:
    return action is not None and user.id == action.owner_id


rule(
    "risk.context",
    "Only a quality officer can keep the lists of context issues and interested parties.",
)(has_any(Role.quality_officer))
