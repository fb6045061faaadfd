"""Role matrix of the foundation's routes: people, departments, tokens, trail, home."""

from __future__ import annotations

from itertools import count

from tests.matrix import EVERYONE, Case

_n = count(1)


def _new_department(world, role):
    n = next(_n)
    return {
        "json": {"code": f"D{n}", "name": f"Phòng {n}"},
        "data": {"code": f"D{n}", "name": f"Phòng {n}"},
    }


def _new_user(world, role):
    n = next(_n)
    body = {
        "email": f"new{n}@example.org",
        "full_name": f"Người mới {n}",
        "password": "long enough password",
        "roles": ["staff"],
        "department_id": world.dept_a.id,
    }
    return {"json": body, "data": body}


def _other_user(world):
    from qms.auth.models import User
    from qms.db import unit_of_work

    with unit_of_work(world.engine) as session:
        return session.get(User, world.manager_b.id)


def _someone_else(world, role):
    # Anyone may edit their own preferences; only an admin may edit someone else.
    user = _other_user(world)
    return {
        "params": {"user_id": user.id},
        "json": {"version": user.version, "position_title": "Trưởng phòng"},
    }


def _someone_else_page(world, role):
    user = _other_user(world)
    return {
        "params": {"user_id": user.id},
        "data": {
            "version": str(user.version),
            "full_name": user.full_name,
            "roles": "manager",
            "is_active": "on",
        },
    }


def _own_token(world, role):
    # Revoking someone else's token: only an admin may.
    from qms.auth import service
    from qms.auth.models import User
    from qms.db import unit_of_work

    with unit_of_work(world.engine) as session:
        owner = session.get(User, world.manager_b.id)
        row, _secret = service.create_token(session=session, user=owner, name="other")
    return {"params": {"token_id": row.id}}


def _trail(world, role):
    return {"query": {"record_type": "user", "record_id": world.staff.id}}


def _trail_page(world, role):
    return {"params": {"record_type": "user", "record_id": world.staff.id}}


def _account(world, role):
    person = world.by_role[role]
    return {"data": {"version": str(person.user.version), "full_name": person.user.full_name}}


CASES = [
    # API
    Case("POST", "/api/v1/departments", frozenset({"admin"}), _new_department),
    Case("GET", "/api/v1/departments", EVERYONE),
    Case("POST", "/api/v1/users", frozenset({"admin"}), _new_user),
    Case("GET", "/api/v1/users", frozenset({"admin", "quality_officer"})),
    Case("GET", "/api/v1/users/me", EVERYONE),
    Case("PATCH", "/api/v1/users/{user_id}", frozenset({"admin"}), _someone_else),
    Case("GET", "/api/v1/users/me/tokens", EVERYONE),
    Case("POST", "/api/v1/users/me/tokens", EVERYONE, lambda w, r: {"json": {"name": "x"}}),
    Case("DELETE", "/api/v1/tokens/{token_id}", frozenset({"admin"}), _own_token),
    Case("GET", "/api/v1/trail", frozenset({"admin", "quality_officer", "auditor"}), _trail),
    Case("GET", "/api/v1/my-work", EVERYONE),
    Case("GET", "/api/v1/my-department-work", frozenset({"manager"})),
    # Pages
    Case("GET", "/healthz", EVERYONE, public=True),
    Case("GET", "/login", EVERYONE, public=True),
    Case("POST", "/login", EVERYONE, public=True),
    Case("POST", "/logout", EVERYONE, public=True),
    Case("POST", "/lang", EVERYONE, lambda w, r: {"data": {"lang": "vi"}}, public=True),
    Case("GET", "/", EVERYONE),
    Case("GET", "/account", EVERYONE),
    Case("POST", "/account", EVERYONE, _account),
    Case("POST", "/account/password", EVERYONE),
    Case("POST", "/account/tokens", EVERYONE),
    Case("POST", "/account/tokens/{token_id}/revoke", frozenset({"admin"}), _own_token),
    Case("GET", "/admin/users", frozenset({"admin", "quality_officer"})),
    Case("POST", "/admin/users", frozenset({"admin"}), _new_user),
    Case("GET", "/admin/users/{user_id}", frozenset({"admin"}), _someone_else_page),
    Case("POST", "/admin/users/{user_id}", frozenset({"admin"}), _someone_else_page),
    Case("GET", "/admin/departments", EVERYONE),
    Case("POST", "/admin/departments", frozenset({"admin"}), _new_department),
    Case(
        "GET",
        "/trail/{record_type}/{record_id}",
        frozenset({"admin", "quality_officer", "auditor"}),
        _trail_page,
    ),
]
