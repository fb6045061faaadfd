"""Signing in and out through the pages, CSRF and origin checks, throttling, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from qms.auth.models import LoginSession
from qms.deps import SESSION_COOKIE


def test_sign_in_shows_the_home_and_sign_out_ends_the_session(world):
    browser = world.browser(None)
    token = browser.csrf("/login")
    response = browser.post(
        "/login",
        data={
            "csrf_token": token,
            "email": "QO@example.org",
            "password": world.quality_officer.password,
            "next": "/account",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/account"
    cookie = response.cookies.get(SESSION_COOKIE) or browser.cookies.get(SESSION_COOKIE)
    assert cookie
    set_cookie = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    home = browser.get("/")
    assert home.status_code == 200 and "Qo" in home.text

    out = browser.submit("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    browser.cookies.set(SESSION_COOKIE, cookie)  # a stolen copy of the old cookie
    assert browser.get("/").status_code == 303


def test_a_wrong_password_is_refused_with_a_message(world):
    browser = world.browser(None)
    response = browser.sign_in(world.staff, password="wrong password")
    assert response.status_code == 401
    assert "not correct" in response.text
    assert 'value="staff@example.org"' in response.text  # what was typed is kept


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": "x"}, "Enter your e-mail"),
        ({"email": "a@b.c", "password": ""}, "Enter your password"),
    ],
)
def test_a_missing_field_is_named_beside_it(world, data, message):
    browser = world.browser(None)
    response = browser.post("/login", data={"csrf_token": browser.csrf("/login"), **data})
    assert response.status_code == 422
    assert message in response.text and "field-error" in response.text


def test_a_forged_csrf_token_is_403(world):
    browser = world.browser(None)
    browser.csrf("/login")
    response = browser.post(
        "/login", data={"csrf_token": "0" * 64, "email": "staff@example.org", "password": "x"}
    )
    assert response.status_code == 403
    assert "expired" in response.text
    signed_in = world.browser(world.staff)
    assert signed_in.post("/logout", data={}).status_code == 403


def test_the_csrf_token_is_bound_to_the_session(world):
    first, second = world.browser(world.staff), world.browser(world.staff)
    token_of_first = first.csrf("/account")
    assert second.post("/logout", data={"csrf_token": token_of_first}).status_code == 403


def test_a_post_from_a_foreign_origin_is_403(world):
    browser = world.browser(world.staff)
    token = browser.csrf("/account")
    response = browser.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    api = world.api(world.admin)
    refused = api.post(
        "/api/v1/departments",
        json={"code": "Z", "name": "Z"},
        headers={"Origin": "https://evil.example"},
    )
    assert refused.status_code == 403
    same = browser.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 303


def test_the_session_id_is_renewed_at_sign_in(world, engine):
    browser = world.browser(world.staff)
    before = browser.cookies.get(SESSION_COOKIE)
    response = browser.post(
        "/login",
        data={
            "csrf_token": browser.csrf("/account"),
            "email": "staff@example.org",
            "password": world.staff.password,
        },
    )
    assert response.status_code == 303
    after = response.cookies.get(SESSION_COOKIE)
    assert after and after != before
    with Session(engine) as session:
        assert len(session.exec(select(LoginSession)).all()) == 1  # the old one was ended
    stale = world.browser(None)
    stale.cookies.set(SESSION_COOKIE, before)
    assert stale.get("/").status_code == 303


def test_repeated_failures_slow_down_sign_in(world):
    browser = world.browser(None)
    for _ in range(5):
        assert browser.sign_in(world.staff, password="wrong guess").status_code == 401
    blocked = browser.sign_in(world.staff, password=world.staff.password)
    assert blocked.status_code == 429
    assert "Wait" in blocked.text
    # another account from elsewhere is not affected
    assert world.browser(None).sign_in(world.manager).status_code == 303


def test_the_slowdown_ends_and_never_locks_the_owner_out(world, engine):
    from qms.auth.models import LoginFailure

    browser = world.browser(None)
    for _ in range(7):
        browser.sign_in(world.staff, password="wrong guess")
    with Session(engine) as session:
        for failure in session.exec(select(LoginFailure)).all():
            failure.at -= timedelta(minutes=16)
            session.add(failure)
        session.commit()
    assert browser.sign_in(world.staff, password=world.staff.password).status_code == 303


def test_an_idle_session_expires(world, engine, app):
    browser = world.browser(world.staff)
    assert browser.get("/").status_code == 200
    with Session(engine) as session:
        for row in session.exec(select(LoginSession)).all():
            row.last_seen_at -= timedelta(minutes=app.state.settings.session_idle_minutes + 1)
            session.add(row)
        session.commit()
    response = browser.get("/")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_unknown_url_gets_a_page_saying_so(world):
    response = world.browser(world.staff).get("/no/such/page")
    assert response.status_code == 404
    assert "There is no such page" in response.text and "<main" in response.text


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_a_page_needs_sign_in(world):
    response = world.browser(None).get("/account?tab=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account%3Ftab%3Dx"


def test_next_never_leaves_the_site(world):
    browser = world.browser(None)
    response = browser.post(
        "/login",
        data={
            "csrf_token": browser.csrf("/login"),
            "email": "staff@example.org",
            "password": world.staff.password,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["location"] == "/"


def test_admin_adds_a_user_through_the_page_and_a_refusal_keeps_the_form(world):
    browser = world.browser(world.admin)
    refused = browser.submit(
        "/admin/users",
        {
            "email": "new@example.org",
            "full_name": "Nguyễn Văn Mới",
            "password": "long enough",
            "department_id": str(world.dept_a.id),
        },
        page="/admin/users",
    )
    assert refused.status_code == 422
    assert "Choose at least one role" in refused.text and 'value="Nguyễn Văn Mới"' in refused.text
    created = browser.submit(
        "/admin/users",
        {
            "email": "new@example.org",
            "full_name": "Nguyễn Văn Mới",
            "password": "long enough",
            "roles": ["staff", "auditor"],
            "department_id": str(world.dept_a.id),
        },
        page="/admin/users",
    )
    assert created.status_code == 303
    listing = browser.get("/admin/users").text
    assert "Nguyễn Văn Mới" in listing and "The user was created." in listing
    assert (
        world.browser(None)
        .sign_in(
            type(world.staff)(
                user=type(world.staff.user)(email="new@example.org"), password="long enough"
            )
        )
        .status_code
        == 303
    )


def test_a_stale_form_is_refused_with_409(world):
    browser = world.browser(world.admin)
    target = world.staff.id
    data = {"version": "1", "full_name": "Staff", "roles": "staff", "is_active": "on"}
    assert (
        browser.submit(
            f"/admin/users/{target}", {**data, "position_title": "A"}, page="/admin/users"
        ).status_code
        == 303
    )
    stale = browser.submit(
        f"/admin/users/{target}", {**data, "position_title": "B"}, page="/admin/users"
    )
    assert stale.status_code == 409
    assert "changed by someone else" in stale.text


def test_the_language_can_be_chosen_before_and_after_sign_in(world):
    browser = world.browser(None)
    response = browser.post(
        "/lang", data={"csrf_token": browser.csrf("/login"), "lang": "vi", "next": "/login"}
    )
    assert response.status_code == 303
    assert "Đăng nhập" in browser.get("/login").text
    signed_in = world.browser(world.staff)
    signed_in.submit("/lang", {"lang": "vi", "next": "/"}, page="/account")
    assert "Việc cần làm ngay" in signed_in.get("/").text
    assert world.api(world.staff).get("/api/v1/users/me").json()["lang"] == "vi"


def test_a_person_changes_their_password(world):
    browser = world.browser(world.staff)
    wrong = browser.submit(
        "/account/password",
        {
            "current_password": "nope",
            "new_password": "new password 1",
            "confirm_password": "new password 1",
        },
        page="/account",
    )
    assert wrong.status_code == 422 and "current password is not correct" in wrong.text
    ok = browser.submit(
        "/account/password",
        {
            "current_password": world.staff.password,
            "new_password": "new password 1",
            "confirm_password": "new password 1",
        },
        page="/account",
    )
    assert ok.status_code == 303
    assert world.browser(None).sign_in(world.staff, password="new password 1").status_code == 303


def test_the_api_used_with_the_session_cookie_needs_the_csrf_header(world):
    browser = world.browser(world.admin)
    token = browser.csrf("/account")
    refused = browser.post("/api/v1/departments", json={"code": "Q1", "name": "Q"})
    assert refused.status_code == 403
    allowed = browser.post(
        "/api/v1/departments", json={"code": "Q1", "name": "Q"}, headers={"X-CSRF-Token": token}
    )
    assert allowed.status_code == 201
    assert browser.get("/api/v1/users/me").status_code == 200  # reading needs no token


def test_failures_from_one_address_slow_down_every_account_from_it(world):
    browser = world.browser(None)
    for n in range(20):  # 4 × the per-account limit, spread over many accounts
        browser.sign_in(
            type(world.staff)(user=type(world.staff.user)(email=f"guess{n}@example.org")),
            password="x",
        )
    blocked = browser.sign_in(world.manager, password=world.manager.password)
    assert blocked.status_code == 429
