"""A process killed in the middle of writing leaves the database whole: integrity check,
the trail verifies, and no change exists without its trail event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy import text
from sqlmodel import Session, select

from qms.auth.models import Department
from qms.config import PROJECT_ROOT
from qms.trail import service as trail
from qms.trail.models import TrailEvent
from tests import figures
from tests.conftest import ON_POSTGRES

WRITER = """
import sys
from qms.config import load_settings
from qms.db import make_engine, unit_of_work
from qms.registry import load_models
from qms.auth import service as auth
load_models()
engine = make_engine(load_settings())
n = 0
while True:
    with unit_of_work(engine) as session:
        auth.create_department(session=session, by=None, code=f"K{n}", name="Phòng " + str(n) * 50)
    n += 1
    if n == 20:
        print("writing", flush=True)
"""


def test_a_writer_killed_mid_write_leaves_the_database_whole(world, settings, engine):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env.update(
        QMS_DATA_DIR=str(settings.data_dir),
        QMS_SECRET_KEY=settings.secret_key,
        QMS_DATABASE_URL=settings.database_url or "",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER], env=env, stdout=subprocess.PIPE, text=True
    )
    # The child is inside its loop of transactions (20 made, the next under way): kill it
    # there, at whatever statement it has reached.
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)

    with engine.connect() as conn:
        if not ON_POSTGRES:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with Session(engine) as session:
        verified = trail.verify(session=session)
        assert verified.ok
        departments = session.exec(select(Department).where(Department.code.like("K%"))).all()
        events = session.exec(
            select(TrailEvent.record_id).where(
                TrailEvent.record_type == "department", TrailEvent.action == "created"
            )
        ).all()
    assert len(departments) >= 20
    assert {d.id for d in departments} <= set(events)  # no change without its event
    figures.add(
        "faults, process killed",
        "{kills} writer process killed (SIGKILL) mid-write: {kept} committed records kept, "
        "each with its trail event; integrity check ok; {events} trail events verified",
        kills=1,
        kept=len(departments),
        events=verified.count,
    )
