"""The role matrix: for every route, which roles may use it.

Each domain keeps its own module here exporting CASES; test_role_matrix walks every API
and page route of the app with every role and fails on a route that has no case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("admin", "quality_officer", "auditor", "manager", "staff")
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # the route's path template, e.g. /api/v1/users/{user_id}
    allowed: frozenset[str]  # roles that are not refused with 403
    # Builds what the call needs in a fresh world: {"params": {...}, "json": {...}, "data": {...}}.
    setup: Callable[[Any, str], dict] = field(default=lambda world, role: {})
    # For pages: an anonymous visitor is sent to sign in (303) unless public.
    public: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)
