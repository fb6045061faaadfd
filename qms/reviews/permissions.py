"""Who may do what to a management review and its outputs."""

from __future__ import annotations

from qms.auth.models import Role, User
from qms.auth.permissions import has_any, rule

signed_in = lambda user, _record=None: True  # noqa: E731


def is_top_management(user: User) -> bool:
    """Top management as 9.3 means it: a manager or an administrator marked as such."""
    return bool(user.top_management) and user.has_role(Role.manager, Role.admin)


rule("review.list", "Sign in to see the management reviews.")(signed_in)
rule("review.read", "Sign in to see the management review.")(signed_in)
rule(
    "review.plan",
    "Only a quality officer can plan, prepare or cancel a management review.",
)(has_any(Role.quality_officer))


def _chairs(user: User, review) -> bool:
    if review is None:
        return is_top_management(user)
    return user.id == review.chair_id and is_top_management(user)


rule("review.hold", "Only the chair of the management review can hold it.")(_chairs)
rule("review.close", "Only the chair of the management review can sign its minutes.")(_chairs)


@rule(
    "review.decide",
    "Only the chair or a quality officer can record the outputs of the management review.",
)
def _may_decide(user: User, review) -> bool:
    return user.has_role(Role.quality_officer) or _chairs(user, review)


@rule(
    "review_output.complete",
    "Only the owner of the output can mark it done and give its evidence.",
)
def _may_complete(user: User, output) -> bool:
    return output is not None and user.id == output.owner_id
