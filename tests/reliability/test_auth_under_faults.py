"""A database that does not answer while a request authenticates is a 503: a valid token
or session is never answered 401 because of it, and works again once the database does."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from qms.auth import service as auth

FAULTS = {
    "pool exhausted": PoolTimeout("QueuePool limit of size 10 overflow 10 reached, timed out"),
    "connection lost": OperationalError("SELECT 1", {}, Exception("server closed the connection")),
}


@pytest.fixture
def failing_lookup(monkeypatch):
    """Make the next token and session lookups fail with a given database error."""

    def fail_with(error):
        def lookup(**_kwargs):
            raise error

        monkeypatch.setattr(auth, "user_for_token", lookup)
        monkeypatch.setattr(auth, "user_for_session", lookup)

    return fail_with


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_database_fault_while_checking_a_token_is_503_not_401(world, failing_lookup, fault):
    client = world.api(world.staff)
    assert client.get("/api/v1/my-work").status_code == 200
    failing_lookup(FAULTS[fault])
    response = client.get("/api/v1/my-work")
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    assert response.json()["detail"]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_database_fault_while_checking_a_session_is_503_not_a_sign_in(
    world, failing_lookup, fault
):
    browser = world.browser(world.staff)
    assert browser.get("/").status_code == 200
    failing_lookup(FAULTS[fault])
    response = browser.get("/", follow_redirects=False)
    assert response.status_code == 503
    assert "location" not in response.headers


def test_the_token_works_again_once_the_database_answers(world, monkeypatch):
    client = world.api(world.staff)
    real = auth.user_for_token
    monkeypatch.setattr(
        auth, "user_for_token", lambda **_k: (_ for _ in ()).throw(FAULTS["pool exhausted"])
    )
    assert client.get("/api/v1/my-work").status_code == 503
    monkeypatch.setattr(auth, "user_for_token", real)
    assert client.get("/api/v1/my-work").status_code == 200
