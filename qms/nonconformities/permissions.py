"""Who may do what to a nonconformity and its corrective actions."""

from __future__ import annotations

from qms.auth.models import Role, User
from qms.auth.permissions import has_any, manages, rule

signed_in = lambda user, _record=None: True  # noqa: E731

rule("nonconformity.list", "Sign in to see the nonconformities.")(signed_in)
rule("nonconformity.read", "Sign in to see the nonconformity.")(signed_in)
rule("nonconformity.raise", "Sign in to raise a nonconformity.")(signed_in)


@rule(
    "nonconformity.manage",
    "Only the owner of the nonconformity or a manager of its department can investigate it "
    "and plan its corrective actions.",
)
def _may_manage(user: User, nc) -> bool:
    if nc is None:
        return user.has_role(Role.manager)
    return user.id == nc.owner_id or manages(user, nc.department_id)


@rule(
    "corrective_action.complete",
    "Only the owner of the corrective action can mark it done and attach its evidence.",
)
def _may_complete(user: User, action) -> bool:
    return action is not None and user.id == action.owner_id


rule(
    "nonconformity.verify",
    "Only a quality officer can record the effectiveness check.",
)(has_any(Role.quality_officer))


@rule(
    "nonconformity.close",
    "Only a manager of the department concerned can close the nonconformity.",
)
def _may_close(user: User, nc) -> bool:
    if nc is None:
        return user.has_role(Role.manager)
    return manages(user, nc.department_id)


rule(
    "nonconformity.cancel",
    "Only a quality officer can cancel a nonconformity.",
)(has_any(Role.quality_officer))


@rule(
    "nonconformity.attach",
    "Only the person who raised the nonconformity, its owner, a manager of the department or "
    "a quality officer can attach files to it.",
)
def _may_attach(user: User, nc) -> bool:
    if nc is None:
        return True
    return user.id == nc.reporter_id or user.has_role(Role.quality_officer) or _may_manage(user, nc)


@rule(
    "nonconformity.link_documents",
    "Only the owner, a manager of the department or a quality officer can change the "
    "documents a nonconformity concerns.",
)
def _may_link(user: User, nc) -> bool:
    return user.has_role(Role.quality_officer) or _may_manage(user, nc)
