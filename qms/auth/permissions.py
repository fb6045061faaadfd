"""The one permission function: may this user do this action to this record?

Each domain declares its rules here through `rule()`; the API, the pages (to show or hide
a button) and the tests' role matrix all ask `can()` or `require()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qms.auth.models import Role, User
from qms.errors import Forbidden


@dataclass(frozen=True)
class Rule:
    action: str
    check: Callable[[User, Any], bool]
    # Shown to the refused person: says what is needed, in the reader's language.
    message: str


RULES: dict[str, Rule] = {}


def rule(action: str, message: str):
    def register(check: Callable[[User, Any], bool]):
        if action in RULES:
            raise RuntimeError(f"permission rule {action!r} declared twice")
        RULES[action] = Rule(action, check, message)
        return check

    return register


def can(user: User | None, action: str, record: Any = None) -> bool:
    if user is None or not user.is_active:
        return False
    try:
        declared = RULES[action]
    except KeyError:
        raise RuntimeError(f"no permission rule for {action!r}") from None
    return bool(declared.check(user, record))


def require(user: User, action: str, record: Any = None) -> None:
    if not can(user, action, record):
        raise Forbidden(RULES[action].message)


def has_any(*roles: Role) -> Callable[[User, Any], bool]:
    return lambda user, _record=None: user.has_role(*roles)


def manages(user: User, department_id: int | None) -> bool:
    """A manager heads the department (the scope of what they approve and close)."""
    return (
        department_id is not None
        and user.has_role(Role.manager)
        and user.department_id == department_id
    )


# --- foundation rules -------------------------------------------------------------------

rule("department.create", "Only an administrator can create departments.")(has_any(Role.admin))
rule("user.create", "Only an administrator can create users.")(has_any(Role.admin))
rule("user.update", "Only an administrator can change other users.")(has_any(Role.admin))
rule("user.list", "Only an administrator or a quality officer can list users.")(
    has_any(Role.admin, Role.quality_officer)
)
rule("department.list", "Signed-in users can list departments.")(lambda user, _r=None: True)
rule("signed_in", "Sign in to continue.")(lambda user, _r=None: True)
rule(
    "trail.read",
    "Only an administrator, a quality officer or an auditor can read the audit trail.",
)(has_any(Role.admin, Role.quality_officer, Role.auditor))


@rule("token.revoke", "You can revoke only your own tokens.")
def _may_revoke_token(user: User, token) -> bool:
    return user.has_role(Role.admin) or (token is not None and token.user_id == user.id)
