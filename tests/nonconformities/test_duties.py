"""Separation of duties: the verifier owns none of the actions, the closer manages the
department, each action is completed by its owner, each refusal says what is missing."""

from __future__ import annotations

from qms.auth.models import Role
from tests.factories import PASSWORD
from tests.nonconformities.builders import build, load


def test_a_quality_officer_who_owns_an_action_cannot_verify_it(world):
    built = build(world, "verifying", owners=(world.staff, world.quality_officer))
    response = world.api(world.quality_officer).post(
        f"/api/v1/nonconformities/{built.id}/verify", json={"result": "effective"}
    )
    assert response.status_code == 409
    assert "another quality officer" in response.json()["detail"]
    assert load(world, built.id).status == "verifying"


def test_another_quality_officer_may_verify_it(world):
    other = world.person("qo2@example.org", [Role.quality_officer], world.dept_b)
    built = build(world, "verifying", owners=(world.staff, world.quality_officer))
    response = world.api(other).post(
        f"/api/v1/nonconformities/{built.id}/verify", json={"result": "effective"}
    )
    assert response.status_code == 200 and response.json()["ready_to_close"] is True


def test_only_a_quality_officer_verifies(world):
    built = build(world, "verifying")
    for person in (world.manager, world.auditor, world.staff, world.admin):
        response = world.api(person).post(
            f"/api/v1/nonconformities/{built.id}/verify", json={"result": "effective"}
        )
        assert response.status_code == 403
        assert "quality officer" in response.json()["detail"]


def test_a_manager_of_another_department_cannot_close(world):
    built = build(world, "ready")
    response = world.api(world.manager_b).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": PASSWORD}
    )
    assert response.status_code == 403
    assert "manager of the department" in response.json()["detail"]


def test_a_second_manager_of_the_department_may_close_and_signs(world):
    deputy = world.person(
        "deputy@example.org", [Role.manager], world.dept_a, position_title="Phó Trưởng phòng"
    )
    built = build(world, "ready")
    response = world.api(deputy).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": PASSWORD}
    )
    assert response.status_code == 200
    signature = response.json()["closure_signature"]
    assert signature["signer_title"] == "Phó Trưởng phòng" and signature["meaning"] == "closed"


def test_the_quality_officer_cannot_close(world):
    built = build(world, "ready")
    response = world.api(world.quality_officer).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": PASSWORD}
    )
    assert response.status_code == 403


def test_closing_signs_the_record_and_the_trail_holds_it(world):
    from qms.db import unit_of_work
    from qms.nonconformities import service
    from qms.trail import service as trail

    built = build(world, "ready")
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/close", json={"password": PASSWORD}
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    with unit_of_work(world.engine) as session:
        nc = service.get_nonconformity(session=session, nonconformity_id=built.id)
        (signature,) = trail.signatures_for(
            session=session, record_type="nonconformity", record_id=built.id
        )
        assert signature.content_hash == service.content_hash(session=session, nc=nc)
        assert signature.signer_id == world.manager.id
        actions = [
            e.action
            for e in trail.events_for(
                session=session, record_type="nonconformity", record_id=built.id
            )
        ]
        assert actions[0] == "raised" and "signed:closed" in actions and actions[-1] == "closed"
        assert trail.verify(session=session).ok


def test_only_the_owner_of_an_action_completes_it(world):
    built = build(world, "action_planned")
    for person in (world.manager, world.quality_officer, world.auditor_a):
        response = world.api(person).post(
            f"/api/v1/corrective-actions/{built.action_ids[0]}/complete", json={"evidence": "x"}
        )
        assert response.status_code == 403
        assert "owner of the corrective action" in response.json()["detail"]


def test_only_the_owner_or_a_manager_of_the_department_investigates(world):
    built = build(world, "open")
    body = {"containment": "c", "root_cause_method": "other", "root_cause": "r"}
    for person in (world.manager_b, world.quality_officer, world.staff, world.auditor):
        response = world.api(person).post(
            f"/api/v1/nonconformities/{built.id}/investigate", json=body
        )
        assert response.status_code == 403


def test_only_a_quality_officer_cancels(world):
    built = build(world, "open")
    response = world.api(world.manager).post(
        f"/api/v1/nonconformities/{built.id}/cancel", json={"reason": "r"}
    )
    assert response.status_code == 403 and "quality officer" in response.json()["detail"]
