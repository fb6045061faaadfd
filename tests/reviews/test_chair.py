"""Who may chair: a manager or an administrator an administrator marked as top management."""

from __future__ import annotations

from qms.auth.models import User
from qms.db import unit_of_work


def _flag(world, person) -> bool:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(User, person.id).top_management


def test_an_administrator_marks_top_management_through_the_api(world):
    api = world.api(world.admin)
    response = api.patch(
        f"/api/v1/users/{world.manager.id}", json={"version": 1, "top_management": True}
    )
    assert response.status_code == 200 and response.json()["top_management"] is True
    assert _flag(world, world.manager)
    refused = world.api(world.manager).patch(
        f"/api/v1/users/{world.manager.id}", json={"version": 2, "top_management": False}
    )
    assert refused.status_code == 403 and _flag(world, world.manager)
    kept = api.patch(
        f"/api/v1/users/{world.manager.id}", json={"version": 2, "top_management": None}
    )
    assert kept.status_code == 200 and _flag(world, world.manager)


def test_an_administrator_marks_top_management_on_the_users_page(world):
    browser = world.browser(world.admin)
    url = f"/admin/users/{world.manager_b.id}"
    assert 'name="top_management"' in browser.get(url).text
    response = browser.submit(
        url,
        {
            "version": "1",
            "full_name": "Manager B",
            "position_title": "Trưởng phòng",
            "department_id": str(world.dept_b.id),
            "roles": "manager",
            "is_active": "on",
            "top_management": "on",
        },
        page=url,
    )
    assert response.status_code == 303, response.text[:300]
    assert _flag(world, world.manager_b)
    # Now a chair: offered on the planning form.
    assert "Manager B" in world.browser(world.quality_officer).get("/management-reviews/new").text


def test_top_management_without_a_managers_or_admins_role_cannot_chair(world):
    api = world.api(world.admin)
    api.patch(f"/api/v1/users/{world.auditor.id}", json={"version": 1, "top_management": True})
    from tests.reviews.builders import today

    day = today(world).isoformat()
    response = world.api(world.quality_officer).post(
        "/api/v1/management-reviews",
        json={
            "period_start": day,
            "period_end": day,
            "planned_on": day,
            "chair_id": world.auditor.id,
        },
    )
    assert response.status_code == 422 and response.json()["field"] == "chair_id"
