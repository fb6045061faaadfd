"""Bodies over the limit are refused with 413 while they stream; a dead database is 503."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests import figures


@pytest.fixture
def small_app(settings):
    from qms.app import create_app

    return create_app(settings.model_copy(update={"upload_max_bytes": 2048}))


def test_a_declared_body_over_the_limit_is_413(small_app):
    client = TestClient(small_app)
    limit = 2048 + 1024 * 1024
    response = client.post(
        "/api/v1/departments",
        content=b"x" * (limit + 1),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"]


def test_a_chunked_body_over_the_limit_is_413(small_app):
    client = TestClient(small_app)

    def chunks():
        for _ in range(40):
            yield b"y" * 65536  # 2.5 MB, no Content-Length

    response = client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


def test_a_database_that_does_not_answer_is_503(tmp_path):
    from qms.app import create_app
    from qms.config import Settings

    app = create_app(
        Settings(
            data_dir=tmp_path,
            database_url="postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2",
            secret_key="x",
            lang="en",
        )
    )
    client = TestClient(app)
    assert client.get("/healthz").status_code == 503
    api = client.get("/api/v1/users/me", headers={"Authorization": "Bearer qms_x"})
    assert api.status_code == 503 and "not answering" in api.json()["detail"]
    client.cookies.set("qms_session", "abc")
    page = client.get("/")
    assert page.status_code == 503 and "not answering" in page.text
    figures.add(
        "faults, database down",
        "database unreachable: {answers} requests (health, API, page) answered 503 with a message",
        answers=3,
    )
