"""The demo office's management review: compiled from the demo records, held, signed, with
the next one planned."""

from __future__ import annotations

from sqlmodel import select

from qms import demo
from qms.db import unit_of_work
from qms.reviews import service
from qms.reviews.models import ManagementReview
from qms.trail import service as trail


def test_the_demo_review_is_compiled_from_the_demo_records_signed_and_the_next_planned(
    app, settings
):
    with unit_of_work(app.state.engine) as session:
        assert demo.load(session=session, settings=settings) is not None
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
        outputs = service.outputs_of(session=session, review=closed)
        assert [o.status for o in outputs] == ["done", "done", "open"]
        assert closed.minutes_sha256 and service.minutes_bytes(session=session, review=closed, settings=settings)
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
