"""Concurrent people against a served app: 32 writers on one record, no 5xx, no
"database is locked", exactly one winner per version and one trail event per win."""

from __future__ import annotations

import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlmodel import Session, select

from qms.trail.models import TrailEvent
from tests import figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server(uvicorn.Server):
    """uvicorn's server, setting an event once its start-up is over (listening or failed)."""

    def __init__(self, config):
        super().__init__(config)
        self.started_up = threading.Event()

    async def startup(self, sockets=None):
        try:
            await super().startup(sockets)
        finally:
            self.started_up.set()


@pytest.fixture
def served(app):
    """The test's app behind a real uvicorn server on a loopback port."""
    port = _free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.started_up.wait(timeout=20) and server.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)


WRITERS = 32


def test_32_concurrent_writers_on_one_record(world, served, engine):
    token = world.token(world.admin)
    target = world.staff.id
    barrier = threading.Barrier(WRITERS)

    def write(n: int) -> tuple[int, int, str]:
        with httpx.Client(
            base_url=served, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            version = client.get("/api/v1/users", params={"department_id": world.dept_a.id}).json()
            current = next(u["version"] for u in version if u["id"] == target)
            barrier.wait()
            response = client.patch(
                f"/api/v1/users/{target}",
                json={"version": current, "position_title": f"Writer {n}"},
            )
            return n, response.status_code, response.text

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(write, range(WRITERS)))
    statuses = [status for _, status, _ in results]
    assert all(s in (200, 409) for s in statuses), [r for r in results if r[1] not in (200, 409)]
    assert not any("locked" in text for _, _, text in results)
    winners = [n for n, status, _ in results if status == 200]
    assert len(winners) == 1, statuses
    with Session(engine) as session:
        events = session.exec(
            select(TrailEvent).where(
                TrailEvent.record_type == "user",
                TrailEvent.record_id == target,
                TrailEvent.action == "updated",
            )
        ).all()
    assert len(events) == 1
    assert json.loads(events[0].changes)["position_title"][1] == f"Writer {winners[0]}"
    figures.add(
        "concurrency, one version",
        "{writers} writers at once on one record with the same version: {wins} won, "
        "{conflicts} refused 409, {errors} 5xx or 'locked', {events} trail event",
        writers=WRITERS,
        wins=len(winners),
        conflicts=statuses.count(409),
        errors=sum(1 for s in statuses if s >= 500),
        events=len(events),
    )


def test_32_concurrent_writers_each_with_a_fresh_version_all_succeed_in_turn(world, served, engine):
    """Writers that retry on 409 with the newer version all get through: no 5xx, no lock errors."""
    token = world.token(world.admin)
    target = world.staff.id

    def write(n: int) -> tuple[int, int]:
        conflicts = 0
        with httpx.Client(
            base_url=served, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            for _ in range(200):
                users = client.get(
                    "/api/v1/users", params={"department_id": world.dept_a.id}
                ).json()
                current = next(u["version"] for u in users if u["id"] == target)
                response = client.patch(
                    f"/api/v1/users/{target}",
                    json={"version": current, "position_title": f"Writer {n}"},
                )
                assert response.status_code in (200, 409), response.text
                if response.status_code == 200:
                    return 1, conflicts
                conflicts += 1
        return 0, conflicts

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(write, range(WRITERS)))
    assert sum(wins for wins, _ in results) == WRITERS
    with Session(engine) as session:
        events = session.exec(
            select(TrailEvent).where(
                TrailEvent.record_type == "user",
                TrailEvent.record_id == target,
                TrailEvent.action == "updated",
            )
        ).all()
    assert len(events) == WRITERS
    figures.add(
        "concurrency, retrying",
        "{writers} writers retrying on 409 with the newer version: {wins} got through after "
        "{conflicts} refusals, no 5xx, {events} trail events",
        writers=WRITERS,
        wins=WRITERS,
        conflicts=sum(c for _, c in results),
        events=len(events),
    )
