"""The home page lists the register's work: treatment actions to complete, reviews due."""

from __future__ import annotations

from datetime import timedelta

from qms.db import unit_of_work
from qms.risks.models import Risk
from tests.risks.builders import build, today


def test_the_action_owner_sees_the_treatment_action_on_the_home_page(world):
    built = build(world, "treating")
    page = world.browser(world.staff).get("/").text
    assert "Complete the treatment action" in page
    assert f"/risks/{built.id}#action-{built.action_ids[0]}" in page
    listed = world.browser(world.staff).get(
        f"/risks?status=treating&action_owner_id={world.staff.id}"
    ).text
    assert built.code in listed
    assert built.code not in world.browser(world.staff).get(
        f"/risks?action_owner_id={world.manager.id}"
    ).text


def test_the_owner_sees_a_review_that_is_late(world):
    built = build(world, "monitored")
    with unit_of_work(world.engine) as session:
        risk = session.get(Risk, built.id)
        risk.review_on = today(world) - timedelta(days=3)
    page = world.browser(world.manager).get("/").text
    assert "Review the register entry" in page and f"/risks/{built.id}#assess" in page
    url = f"/risks?owner_id={world.manager.id}&active=true&overdue_review=true"
    listed = world.browser(world.manager).get(url).text
    assert built.code in listed
