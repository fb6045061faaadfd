"""The demo office gets its register of risks and one opportunity, through the same rules."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qms.db import unit_of_work
from qms.risks.models import Risk, RiskLink
from qms.trail import service as trail


@pytest.mark.demo
def test_demo_register_has_the_first_offices_risks_and_one_opportunity(app):
    with unit_of_work(app.state.engine) as session:
        rows = session.exec(select(Risk).order_by(Risk.id)).all()
        assert [r.kind for r in rows].count("opportunity") == 1
        assert {r.status for r in rows} == {"open", "treating", "monitored"}
        titles = " ".join(r.title for r in rows)
        for words in ("trễ hạn", "E-Office", "nghỉ việc", "Chứng thư số", "Cổng dịch vụ công"):
            assert words in titles
        year = rows[0].code.split("-")[1]
        assert [r.code for r in rows] == [f"RR-{year}-{n:03d}" for n in range(1, len(rows) + 1)]
        # The late-dossier risk was re-assessed lower after its action.
        assert (rows[0].score, rows[0].level, rows[0].status) == (8, "medium", "monitored")
        assert session.exec(select(RiskLink)).first() is not None
        assert trail.verify(session=session).ok
