"""The demo office's objectives: the one-stop centre's 2020 figures as the inspection found
them, charts for each, and one objective of this year at risk."""

from __future__ import annotations

import pytest
from sqlmodel import select

from qms import demo
from qms.db import unit_of_work
from qms.objectives import service
from qms.objectives.models import Indicator, Objective
from qms.trail import service as trail
from tests.factories import Browser, Person


@pytest.mark.demo
def test_demo_objectives_carry_the_offices_figures(app):
    with unit_of_work(app.state.engine) as session:
        objectives = session.exec(select(Objective).order_by(Objective.id)).all()
        assert [o.code for o in objectives][:3] == ["MT-2020-01", "MT-2020-02", "MT-2020-03"]
        assert len(objectives) == 4 and objectives[3].status == "active"
        dossiers = session.exec(select(Indicator).where(Indicator.code == "MT-2020-01.1")).one()
        figures = service.measurements_of(session=session, indicator=dossiers)
        assert len(figures) == 8 and sum(m.denominator for m in figures) == 6_827
        assert [m.period for m in figures if m.status == "missed"] == ["2020-04"]
        post = session.exec(select(Indicator).where(Indicator.code == "MT-2020-02.1")).one()
        assert sum(m.value for m in service.measurements_of(session=session, indicator=post)) == 827
        found = service.at_risk_or_missed(session=session, today=objectives[3].due_on)
        assert [o.code for o in found["at_risk"]] == [objectives[3].code]
        assert trail.verify(session=session).ok
    browser = Browser(app)
    browser.sign_in(Person(user=demo_officer(app)), password=demo.PASSWORD)
    page = browser.get(f"/indicators/{dossiers.id}")
    assert page.status_code == 200
    assert page.text.count('class="missed-mark"') == 1 and "2020-04" in page.text


def demo_officer(app):
    from qms.auth.models import User

    with unit_of_work(app.state.engine, write=False) as session:
        return session.exec(select(User).where(User.email == "chatluong@ubnd.demo.vn")).one()
