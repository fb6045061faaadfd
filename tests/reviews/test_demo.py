"""The demo office's management review: compiled from the demo records, held, signed, with
the next one planned."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from qms.db import unit_of_work
from qms.reviews import service
from qms.reviews.models import ManagementReview
from qms.trail import service as trail


def world_ncs(session, year: int) -> list[tuple[str, str]]:
    from qms.nonconformities import service as ncs

    found, _total = ncs.list_nonconformities(
        session=session,
        filters=ncs.Filters(raised_from=date(year, 1, 1), raised_to=date(year, 12, 31)),
        today=date.today(),
        limit=None,
    )
    return [(nc.code, nc.status) for nc in found]


@pytest.mark.demo
def test_the_demo_review_is_compiled_from_the_demo_records_signed_and_the_next_planned(
    app, settings
):
    with unit_of_work(app.state.engine) as session:
        reviews = session.exec(select(ManagementReview).order_by(ManagementReview.id)).all()
        assert [r.status for r in reviews] == ["closed", "planned"]
        closed = reviews[0]
        assert (closed.period_start.year, closed.period_end.year) == (2020, 2020)
        figures = {f.key: f for f in service.frozen_inputs(closed)}
        # The office's objectives of 2020 and their monthly figures are in the frozen inputs.
        assert figures["objectives.achieved"].value >= 1
        assert (
            figures["objectives.periods.met"].value + figures["objectives.periods.missed"].value > 0
        )
        # Its other sections agree with the demo's records of 2020, counted here through
        # the registers themselves: the nonconformities raised that year (two from the
        # objectives' missed months, one complaint) and no risk, audit or OFI before 2021.
        ncs = world_ncs(session, 2020)
        assert figures["nonconformities.raised"].value == len(ncs) == 3
        assert figures["nonconformities.source.process_monitoring"].value == 2
        assert figures["nonconformities.source.customer_complaint"].value == 1
        # As the meeting saw them: one still in its effectiveness check, overdue by then.
        assert figures["nonconformities.status.verifying"].value == 1
        assert figures["nonconformities.status.closed"].value == 2
        assert figures["nonconformities.overdue"].value == 1
        assert figures["nonconformities.checks.effective"].value == 2
        for key, figure in figures.items():
            if key.startswith(("risks.", "audits.")):
                assert figure.value == 0, key
        # Since the meeting, the check was found effective: the page says the figure changed.
        assert sorted(status for _code, status in ncs) == ["closed", "closed", "closed"]
        changed, _added = service.changes_since(
            session=session, review=closed, today=closed.held_on
        )
        assert "nonconformities.status.verifying" in changed
        outputs = service.outputs_of(session=session, review=closed)
        assert [o.status for o in outputs] == ["done", "done", "open"]
        assert closed.minutes_sha256 and service.minutes_bytes(
            session=session, review=closed, settings=settings
        )
        # The next review reads this year's demo records, and the 2020 review's outputs as a).
        upcoming = {
            f.key: f
            for f in service.compile_inputs(
                session=session, review=reviews[1], today=reviews[1].planned_on
            )
        }
        assert upcoming["reviews.previous"].value == closed.code
        assert upcoming["reviews.outputs.overdue"].value == 1
        assert upcoming["nonconformities.raised"].value > 0
        assert upcoming["audits.reported"].value >= 1
        assert trail.verify(session=session).ok
