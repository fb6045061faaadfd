"""The database goes away while the app serves: requests get 503 with a message, and when
the database returns the app answers again by itself, without a restart.

PostgreSQL only (a server that can go away): the app reaches it through a TCP relay that
the test cuts and restores, so every pooled connection breaks as in a real outage."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from tests import figures
from tests.conftest import ON_POSTGRES, POSTGRES_URL

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs a PostgreSQL server to cut off")


class Relay:
    """Forwards 127.0.0.1:<port> to the PostgreSQL server until cut."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = 0
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []

    def up(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self.connections:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def relay():
    url = make_url(POSTGRES_URL)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    relay.up()
    yield relay
    relay.down()


def test_the_app_recovers_by_itself_when_the_database_returns(world, settings, relay):
    from qms.app import create_app

    token = world.token(world.admin)
    url = make_url(POSTGRES_URL).set(host="127.0.0.1", port=relay.port)
    app = create_app(
        settings.model_copy(
            update={
                "database_url": url.render_as_string(hide_password=False) + "?connect_timeout=3"
            }
        )
    )
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        assert client.get("/api/v1/users/me", headers=headers).status_code == 200
        relay.down()
        answers = [client.get("/api/v1/users/me", headers=headers) for _ in range(3)]
        assert [a.status_code for a in answers] == [503] * 3
        assert all("not answering" in a.json()["detail"] for a in answers)
        assert client.get("/healthz").status_code == 503
        relay.up()
        back = client.get("/api/v1/users/me", headers=headers)
        assert back.status_code == 200, back.text
        assert client.get("/healthz").status_code == 200
        # A restart between two requests costs no request: pooled connections are tested
        # before use (pool_pre_ping), not found dead by the next person.
        relay.down()
        relay.up()
        quiet = client.get("/api/v1/users/me", headers=headers)
        assert quiet.status_code == 200, quiet.text
    finally:
        app.state.engine.dispose()
    figures.add(
        "faults, database cut off",
        "database connection cut while serving: {answers} requests answered 503, "
        "then served again without a restart when it returned",
        answers=len(answers) + 1,
    )
