"""Departments, users and tokens through the API, with every kind of refusal."""

from __future__ import annotations

import pytest


def test_admin_creates_a_department_and_a_user(world):
    api = world.api(world.admin)
    department = api.post(
        "/api/v1/departments", json={"code": "TTPVHCC", "name": "Trung tâm Phục vụ hành chính công"}
    )
    assert department.status_code == 201, department.text
    body = department.json()
    assert body["code"] == "TTPVHCC" and body["status"] == "active" and body["version"] == 1

    user = api.post(
        "/api/v1/users",
        json={
            "email": "Ha.Pham@Example.org",
            "full_name": "Phạm Thu Hà",
            "password": "mật khẩu dài đủ",
            "roles": ["staff", "auditor"],
            "department_id": body["id"],
            "position_title": "Chuyên viên",
        },
    )
    assert user.status_code == 201, user.text
    created = user.json()
    assert created["email"] == "ha.pham@example.org"
    assert created["roles"] == ["auditor", "staff"]
    assert created["status"] == "active" and created["version"] == 1
    assert "password" not in created and "password_hash" not in created


def test_without_credentials_the_api_answers_401(world):
    response = world.api(None).get("/api/v1/users/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_a_wrong_token_is_401(world):
    api = world.api(None)
    api.headers["Authorization"] = "Bearer qms_not-a-token"
    assert api.get("/api/v1/users/me").status_code == 401


@pytest.mark.parametrize("role", ["quality_officer", "auditor", "manager", "staff"])
def test_only_an_admin_creates_users_and_departments(world, role):
    api = world.api(world.by_role[role])
    refused = api.post("/api/v1/departments", json={"code": "X", "name": "X"})
    assert refused.status_code == 403
    assert "administrator" in refused.json()["detail"]
    refused = api.post(
        "/api/v1/users",
        json={
            "email": "x@example.org",
            "full_name": "X",
            "password": "long enough",
            "roles": ["staff"],
        },
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "A", "password": "long enough", "roles": ["staff"]}, "email"),
        (
            {
                "email": "not-an-email",
                "full_name": "A",
                "password": "long enough",
                "roles": ["staff"],
            },
            "email",
        ),
        (
            {"email": "a@example.org", "full_name": "A", "password": "short", "roles": ["staff"]},
            "password",
        ),
        (
            {"email": "a@example.org", "full_name": "A", "password": "long enough", "roles": []},
            "roles",
        ),
        (
            {
                "email": "a@example.org",
                "full_name": "A",
                "password": "long enough",
                "roles": ["boss"],
            },
            "roles.0",
        ),
        (
            {
                "email": "a@example.org",
                "full_name": "   ",
                "password": "long enough",
                "roles": ["staff"],
            },
            "full_name",
        ),
    ],
)
def test_bad_user_input_is_422_naming_the_field(world, body, field):
    response = world.api(world.admin).post("/api/v1/users", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_a_department_that_does_not_exist_is_422(world):
    response = world.api(world.admin).post(
        "/api/v1/users",
        json={
            "email": "a@example.org",
            "full_name": "A",
            "password": "long enough",
            "roles": ["staff"],
            "department_id": 999,
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "department_id"


def test_duplicates_are_409(world):
    api = world.api(world.admin)
    assert api.post("/api/v1/departments", json={"code": "A", "name": "again"}).status_code == 409
    response = api.post(
        "/api/v1/users",
        json={
            "email": "STAFF@example.org",
            "full_name": "Dup",
            "password": "long enough",
            "roles": ["staff"],
        },
    )
    assert response.status_code == 409
    assert response.json()["field"] == "email"


def test_me_describes_the_caller(world):
    me = world.api(world.manager).get("/api/v1/users/me").json()
    assert me["email"] == "manager@example.org"
    assert me["roles"] == ["manager"]
    assert me["department_id"] == world.dept_a.id


def test_a_stale_version_is_409_and_changes_nothing(world):
    api = world.api(world.admin)
    target = world.staff.id
    first = api.patch(
        f"/api/v1/users/{target}", json={"version": 1, "position_title": "Trưởng nhóm"}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api.patch(f"/api/v1/users/{target}", json={"version": 1, "position_title": "Khác"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert api.get("/api/v1/users").json()
    trail = api.get("/api/v1/trail", params={"record_type": "user", "record_id": target}).json()
    assert [e["action"] for e in trail].count("updated") == 1


def test_people_edit_their_own_preferences_but_not_their_roles(world):
    api = world.api(world.staff)
    ok = api.patch(f"/api/v1/users/{world.staff.id}", json={"version": 1, "lang": "vi"})
    assert ok.status_code == 200 and ok.json()["lang"] == "vi"
    refused = api.patch(f"/api/v1/users/{world.staff.id}", json={"version": 2, "roles": ["admin"]})
    assert refused.status_code == 403


def test_a_revoked_token_stops_working(world):
    api = world.api(world.staff)
    created = api.post("/api/v1/users/me/tokens", json={"name": "E-Office"})
    assert created.status_code == 201
    token = created.json()["token"]
    other = world.api(None)
    other.headers["Authorization"] = f"Bearer {token}"
    assert other.get("/api/v1/users/me").status_code == 200
    revoked = api.delete(f"/api/v1/tokens/{created.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert other.get("/api/v1/users/me").status_code == 401
    assert api.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 409


def test_tokens_are_stored_hashed(world, engine):
    from sqlmodel import Session, select

    from qms.auth.models import ApiToken

    token = world.token(world.staff)
    with Session(engine) as session:
        stored = [row.token_hash for row in session.exec(select(ApiToken)).all()]
    assert token not in stored and all(len(h) == 64 for h in stored)


@pytest.mark.parametrize(
    "path", ["/api/v1/users/0", "/api/v1/users/99999999999", "/api/v1/users/abc"]
)
def test_ids_out_of_range_are_422_not_500(world, path):
    assert world.api(world.admin).patch(path, json={"version": 1}).status_code == 422


def test_unknown_records_and_urls_are_404(world):
    api = world.api(world.admin)
    assert api.patch("/api/v1/users/4242", json={"version": 1}).status_code == 404
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["detail"]


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
