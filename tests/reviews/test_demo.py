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
        figures = {f.key: f for f in service.frozen_inputs(closed)}
        # The demo's nonconformities and reported audit are in the frozen inputs.
        assert figures["nonconformities.raised"].value > 0
        assert figures["audits.reported"].value >= 1
        assert len(service.outputs_of(session=session, review=closed)) == 3
        assert closed.minutes_sha256 and service.minutes_bytes(review=closed, settings=settings)
        # The next review reads the first one's outputs as its input a).
        upcoming = service.compile_inputs(session=session, review=reviews[1], today=closed.held_on)
        assert {f.key for f in upcoming if f.section == "a"} >= {"reviews.previous"}
        assert trail.verify(session=session).ok
