"""Every API and page route, called by every role: refused with 403 exactly where the
matrix says, never a 5xx, and 401 (API) or a sign-in redirect (pages) for nobody."""

from __future__ import annotations

import pkgutil
from importlib import import_module

import pytest

import tests.matrix as matrix_pkg
from qms.app import walk_routes
from tests import figures
from tests.matrix import ROLES, Case


def _all_cases() -> dict[tuple[str, str], Case]:
    cases: dict[tuple[str, str], Case] = {}
    for module in pkgutil.iter_modules(matrix_pkg.__path__):
        for case in import_module(f"tests.matrix.{module.name}").CASES:
            assert case.key not in cases, f"two matrix cases for {case.key}"
            cases[case.key] = case
    return cases


CASES = _all_cases()


def _routes(app):
    for path, route in walk_routes(app.routes):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_every_route_has_a_matrix_entry(app):
    missing = [f"{m} {p}" for m, p in _routes(app) if (m, p) not in CASES]
    figures.add(
        "role matrix, routes of the app",
        "{app_routes} routes walked, {missing} without a matrix entry",
        app_routes=set(_routes(app)),
        missing=len(missing),
    )
    assert not missing, "routes without an expected answer per role: " + ", ".join(missing)


def test_no_matrix_entry_without_a_route(app):
    routes = set(_routes(app))
    stale = [f"{m} {p}" for (m, p) in CASES if (m, p) not in routes]
    assert not stale, "matrix entries for routes that do not exist: " + ", ".join(stale)


def _call(client, case: Case, spec: dict, csrf: str | None):
    path = case.path.format(**spec.get("params", {}))
    kwargs = {"params": spec.get("query")}
    if case.path.startswith("/api/"):
        if case.method in ("POST", "PATCH", "PUT"):
            kwargs["json"] = spec.get("json", {})
    elif case.method == "POST":
        kwargs["data"] = {"csrf_token": csrf or "", **spec.get("data", {})}
    return client.request(case.method, path, **kwargs)


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_answers_each_role_as_the_matrix_says(world, key):
    case = CASES[key]
    is_api = case.path.startswith("/api/")
    refused = 0
    for role in ROLES:
        person = world.by_role[role]
        spec = case.setup(world, role)
        if is_api:
            client = world.api(person)
            response = _call(client, case, spec, None)
        else:
            client = world.browser(person)
            response = _call(client, case, spec, client.csrf("/account"))
        assert response.status_code < 500, f"{role}: {response.status_code} {response.text[:300]}"
        if role in case.allowed:
            assert response.status_code not in (401, 403), (
                f"{role} refused on {case.method} {case.path}: {response.text[:300]}"
            )
        else:
            assert response.status_code == 403, (
                f"{role} not refused on {case.method} {case.path}: {response.status_code}"
            )
            refused += 1
    figures.add(
        "role matrix",
        "{routes} routes ({api} API, {pages} pages) × {roles} roles = {checks} checks: "
        "{refused} refused with 403 where the matrix says, {allowed} let through, none 5xx",
        routes={key},
        api={key} if is_api else set(),
        pages=set() if is_api else {key},
        roles=set(ROLES),
        checks=len(ROLES),
        refused=refused,
        allowed=len(ROLES) - refused,
    )


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_refuses_nobody(world, key):
    case = CASES[key]
    if case.public:
        figures.add(
            "role matrix, nobody signed in",
            "{refused} routes answered 401 (API) or a sign-in redirect (pages); {public} public",
            public=1,
        )
        return
    spec = case.setup(world, "admin")
    if case.path.startswith("/api/"):
        response = _call(world.api(None), case, spec, None)
        assert response.status_code == 401, response.text[:300]
    else:
        browser = world.browser(None)
        response = _call(browser, case, spec, browser.csrf("/login"))
        assert response.status_code == 303, response.text[:300]
        assert response.headers["location"].startswith("/login")
    figures.add(
        "role matrix, nobody signed in",
        "{refused} routes answered 401 (API) or a sign-in redirect (pages); {public} public",
        refused=1,
    )
