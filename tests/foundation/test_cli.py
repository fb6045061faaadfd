"""The `qms` command line: people, departments, settings refused with one line, --help."""

from __future__ import annotations

import pytest


def test_departments_and_users_from_the_command_line(cli, world):
    code, output = cli("departments", "add", "TTPVHCC", "Trung tâm Phục vụ hành chính công")
    assert code == 0, output
    code, output = cli(
        "users",
        "add",
        "ha@example.org",
        "--name",
        "Phạm Thu Hà",
        "--role",
        "staff",
        "--role",
        "auditor",
        "--department",
        "TTPVHCC",
        input="a long password\n",
    )
    assert code == 0, output
    assert "auditor, staff" in output
    assert world.browser(None).post("/login").status_code == 403  # (no CSRF) sanity
    browser = world.browser(None)
    response = browser.post(
        "/login",
        data={
            "csrf_token": browser.csrf(),
            "email": "ha@example.org",
            "password": "a long password",
        },
    )
    assert response.status_code == 303


def test_a_short_password_from_stdin_is_refused(cli, world):
    code, output = cli(
        "users", "add", "x@example.org", "--name", "X", "--role", "staff", input="short\n"
    )
    assert code == 1 and "at least 8 characters" in output


def test_an_unknown_department_is_refused(cli, world):
    code, output = cli(
        "users",
        "add",
        "x@example.org",
        "--name",
        "X",
        "--role",
        "staff",
        "--department",
        "NOPE",
        input="a long password\n",
    )
    assert code == 1 and "NOPE" in output


def test_users_token_prints_a_working_token_last(cli, world):
    code, output = cli("users", "token", "staff@example.org")
    assert code == 0
    token = output.strip().splitlines()[-1]
    api = world.api(None)
    api.headers["Authorization"] = f"Bearer {token}"
    me = api.get("/api/v1/users/me")
    assert me.status_code == 200 and me.json()["email"] == "staff@example.org"
    token_id = output.split()[1]
    assert cli("users", "revoke-token", token_id)[0] == 0
    assert api.get("/api/v1/users/me").status_code == 401


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("QMS_TIMEZONE", "Mars/Olympus_Mons"),
        ("QMS_LANG", "fr"),
        ("QMS_SCHEDULER", "maybe"),
        ("QMS_SMTP_PORT", "seventy"),
        ("QMS_DATABASE_URL", "mysql://root@localhost/qms"),
    ],
)
def test_a_wrong_setting_stops_start_up_with_one_line_naming_it(cli, variable, value):
    code, output = cli("init", env_extra={variable: value})
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{variable}:"), output


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    from qms.config import Settings

    first = Settings(data_dir=tmp_path).prepare().secret_key
    again = Settings(data_dir=tmp_path).prepare().secret_key
    assert first and first == again
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["init"],
        ["serve"],
        ["demo"],
        ["users"],
        ["users", "add"],
        ["users", "token"],
        ["departments"],
        ["departments", "add"],
        ["trail"],
        ["trail", "verify"],
    ],
)
def test_help_everywhere(cli, command):
    code, output = cli(*command, "--help")
    assert code == 0 and "Usage" in output


def test_demo_loads_once_and_prints_the_logins(cli, settings):
    """The real `qms demo`, end to end, with the password hashing `make run` has (the other
    demo tests start from a copy of one run, tests/conftest.py's DemoTemplate)."""
    from sqlmodel import select

    from qms.auth import passwords
    from qms.auth.models import User
    from qms.db import make_engine, unit_of_work

    try:
        code, output = cli("demo", env_extra={"QMS_PASSWORD_HASHING": "recommended"})
    finally:
        passwords.configure("fast")  # what the other tests in this process hash with
    assert code == 0, output
    assert "chatluong@ubnd.demo.vn" in output and "quality_officer" in output
    # The demo signs its records with the fast profile meanwhile; its people end with one
    # recommended (argon2id, 64 MiB) hash of the shared password.
    engine = make_engine(settings, pool=False)
    with unit_of_work(engine, write=False) as session:
        hashes = {u.password_hash for u in session.exec(select(User)).all()}
    engine.dispose()
    assert len(hashes) == 1 and "m=65536" in next(iter(hashes))
    assert passwords.verify_password("demo-2026", next(iter(hashes)))
    code, again = cli("demo")
    assert code == 0 and "already loaded" in again
    code, output = cli("trail", "verify")
    assert code == 0
