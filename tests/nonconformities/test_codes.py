"""Codes NC-YYYY-NNNN: consecutive, without gaps or duplicates, even raised at the same
instant by many people (on SQLite and on PostgreSQL alike)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from qms.auth.models import User
from qms.counters import next_number
from qms.db import unit_of_work
from qms.nonconformities import service

THREADS = 10


def _raise(world, barrier: threading.Barrier, day: date) -> str:
    # Everyone starts together; on SQLite the first statement already takes the write lock.
    barrier.wait()
    with unit_of_work(world.engine) as session:
        by = session.get(User, world.auditor.id)
        nc = service.raise_nonconformity(
            session=session,
            by=by,
            source="process_monitoring",
            department_id=world.dept_a.id,
            clause="9.1.1",
            severity="minor",
            description="Tỷ lệ hồ sơ trả đúng hạn dưới mục tiêu.",
            today=day,
        )
        return nc.code


def test_ten_raised_at_once_through_the_service_get_consecutive_codes(world):
    barrier = threading.Barrier(THREADS, timeout=60)
    day = date(2026, 5, 4)
    with ThreadPoolExecutor(THREADS) as pool:
        codes = list(pool.map(lambda _i: _raise(world, barrier, day), range(THREADS)))
    assert sorted(codes) == [f"NC-2026-{n:04d}" for n in range(1, THREADS + 1)]


def test_ten_raised_at_once_through_the_api_get_consecutive_codes(world):
    clients = [world.api(world.staff) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS, timeout=60)
    payload = {
        "source": "customer_complaint",
        "department_id": world.dept_a.id,
        "clause": "8.2.1",
        "severity": "minor",
        "description": "Phản ánh qua đường dây nóng.",
    }

    def post(client):
        barrier.wait()
        return client.post("/api/v1/nonconformities", json=payload)

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(post, clients))
    assert [r.status_code for r in responses] == [201] * THREADS, [r.text for r in responses]
    numbers = sorted(int(r.json()["code"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(1, THREADS + 1))


def test_a_rolled_back_raise_gives_its_number_back(world):
    day = date(2026, 1, 2)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), unit_of_work(world.engine) as session:
        service.raise_nonconformity(
            session=session,
            by=None,
            source="other",
            department_id=world.dept_a.id,
            clause="10.2",
            severity="minor",
            description="x",
            today=day,
        )
        raise Abandon
    with unit_of_work(world.engine) as session:
        nc = service.raise_nonconformity(
            session=session,
            by=None,
            source="other",
            department_id=world.dept_a.id,
            clause="10.2",
            severity="minor",
            description="x",
            today=day,
        )
        assert nc.code == "NC-2026-0001"


def test_each_series_and_year_counts_on_its_own(world):
    with unit_of_work(world.engine) as session:
        assert [next_number(session=session, name="NC", year=2026) for _ in range(3)] == [1, 2, 3]
        assert next_number(session=session, name="NC", year=2027) == 1
        assert next_number(session=session, name="IA", year=2026) == 1
    with unit_of_work(world.engine) as session:
        assert next_number(session=session, name="NC", year=2026) == 4
