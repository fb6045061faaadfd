"""The audit trail: every write leaves an event, the chain detects edits and deletions."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from qms.auth import service as auth
from qms.db import unit_of_work
from qms.trail import service as trail
from qms.trail.models import TrailEvent
from tests.conftest import ON_POSTGRES


def _events(engine):
    with Session(engine) as session:
        return list(session.exec(select(TrailEvent).order_by(TrailEvent.seq)).all())


def test_every_write_appends_an_event_with_who_what_and_the_change(world, engine):
    api = world.api(world.admin)
    created = api.post(
        "/api/v1/departments", json={"code": "KSTT", "name": "Phòng Kiểm soát TTHC"}
    ).json()
    last = _events(engine)[-1]
    assert (last.action, last.record_type, last.record_id) == (
        "created",
        "department",
        created["id"],
    )
    assert last.actor_id == world.admin.id and last.actor_name
    assert '"code":[null,"KSTT"]' in last.changes
    assert last.at.tzinfo is not None


def test_a_refused_write_leaves_no_event(world, engine):
    api = world.api(world.admin)
    before = len(_events(engine))
    assert api.post("/api/v1/departments", json={"code": "A", "name": "dup"}).status_code == 409
    assert len(_events(engine)) == before


def test_the_chain_links_each_event_to_the_one_before(world, engine):
    events = _events(engine)
    assert events[0].prev_hash == trail.GENESIS
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash and event.seq == previous.seq + 1
    with Session(engine) as session:
        result = trail.verify(session=session)
    assert result.ok and result.count == len(events)


def _tamper(engine, sql: str, **params):
    with engine.begin() as conn:
        if ON_POSTGRES:
            conn.execute(text("ALTER TABLE trail_event DISABLE TRIGGER trail_event_append_only"))
        conn.execute(text(sql), params)
        if ON_POSTGRES:
            conn.execute(text("ALTER TABLE trail_event ENABLE TRIGGER trail_event_append_only"))


def test_verify_names_the_first_edited_event(world, engine, cli):
    code, output = cli("trail", "verify")
    assert code == 0 and "trail intact" in output
    _tamper(engine, "UPDATE trail_event SET reason = 'rewritten' WHERE seq = 3")
    code, output = cli("trail", "verify")
    assert code == 1
    assert "event 3" in output and "does not match its hash" in output


def test_verify_names_a_deleted_event(world, engine, cli):
    _tamper(engine, "DELETE FROM trail_event WHERE seq = 4")
    code, output = cli("trail", "verify")
    assert code == 1 and "event 4 is missing" in output


def test_verify_detects_a_rehashed_event(world, engine, cli):
    # An edit whose author recomputed the event's own hash still breaks the next link.
    with Session(engine) as session:
        event = session.exec(select(TrailEvent).where(TrailEvent.seq == 2)).one()
        event.reason = "forged"
        new_hash = trail.event_hash(event)
    _tamper(engine, "UPDATE trail_event SET reason = 'forged', hash = :h WHERE seq = 2", h=new_hash)
    code, output = cli("trail", "verify")
    assert code == 1 and "event 3" in output and "link" in output


@pytest.mark.skipif(not ON_POSTGRES, reason="the trigger exists on PostgreSQL")
def test_postgres_refuses_update_and_delete_of_the_trail(world, engine):
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE trail_event SET reason = 'x'", "DELETE FROM trail_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_concurrent_writers_never_fork_the_chain(world, engine):
    errors: list[Exception] = []

    def writer(n: int):
        try:
            with unit_of_work(engine) as session:
                auth.create_department(session=session, by=None, code=f"C{n}", name=f"Phòng {n}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with Session(engine) as session:
        result = trail.verify(session=session)
    assert result.ok
    seqs = [e.seq for e in _events(engine)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_the_trail_page_lists_a_records_events(world):
    world.api(world.admin).patch(
        f"/api/v1/users/{world.staff.id}", json={"version": 1, "position_title": "Tổ trưởng"}
    )
    page = world.browser(world.quality_officer).get(f"/trail/user/{world.staff.id}")
    assert page.status_code == 200
    assert "Tổ trưởng" in page.text and "updated" in page.text
    assert world.browser(world.staff).get(f"/trail/user/{world.staff.id}").status_code == 403
