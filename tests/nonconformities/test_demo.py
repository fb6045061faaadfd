"""The demo office gets nonconformities in every state, through the same rules."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qms.db import unit_of_work
from qms.nonconformities.models import Nonconformity
from qms.trail import service as trail


@pytest.mark.demo
def test_demo_nonconformities_cover_their_life(app):
    with unit_of_work(app.state.engine) as session:
        rows = session.exec(select(Nonconformity)).all()
        assert {nc.status for nc in rows} == {
            "open",
            "investigating",
            "action_planned",
            "verifying",
            "closed",
            "cancelled",
        }
        # Gap-free from 0001 in each year, whichever domains raised them (audits raise theirs
        # too; the 2020 management review's demo raises that year's).
        by_year: dict[str, list[str]] = {}
        for nc in rows:
            by_year.setdefault(nc.code.split("-")[1], []).append(nc.code[-4:])
        assert len(by_year) >= 2
        for numbers in by_year.values():
            assert sorted(numbers) == [f"{n:04d}" for n in range(1, len(numbers) + 1)]
        assert trail.verify(session=session).ok
