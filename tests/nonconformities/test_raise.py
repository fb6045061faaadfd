"""Raising a nonconformity: its fields, its owner, its links to audits and documents."""

from __future__ import annotations

import pytest

from qms.auth.models import Role, User
from qms.db import unit_of_work
from qms.nonconformities import service

GOOD = {
    "source": "internal_audit",
    "clause": "7.5.3",
    "severity": "major",
    "description": "Sổ theo dõi hồ sơ không ghi ngày trả kết quả.",
}


def body(world, **changes):
    return {**GOOD, "department_id": world.dept_a.id, **changes}


def test_anyone_signed_in_raises_and_the_owner_is_the_departments_manager(world):
    response = world.api(world.staff).post("/api/v1/nonconformities", json=body(world))
    assert response.status_code == 201, response.text
    nc = response.json()
    assert nc["code"].startswith("NC-") and nc["code"].endswith("-0001")
    assert nc["status"] == "open" and nc["version"] == 1
    assert nc["owner_id"] == world.manager.id and nc["reporter_id"] == world.staff.id
    assert nc["actions"] == [] and nc["checks"] == [] and nc["checklist_item_id"] is None
    assert nc["age_days"] == 0 and nc["overdue"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": None}, "source"),
        ({"source": "rumour"}, "source"),
        ({"severity": "observation"}, "severity"),
        ({"clause": "eight"}, "clause"),
        ({"clause": None}, "clause"),
        ({"description": ""}, "description"),
        ({"department_id": None}, "department_id"),
        ({"department_id": 999_999}, "department_id"),
        ({"owner_id": 0}, "owner_id"),
    ],
)
def test_a_bad_or_missing_field_is_named(world, change, field):
    payload = {k: v for k, v in body(world, **change).items() if v is not None}
    response = world.api(world.staff).post("/api/v1/nonconformities", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_a_blank_description_is_named(world):
    response = world.api(world.staff).post(
        "/api/v1/nonconformities", json=body(world, description="   ")
    )
    assert response.status_code == 422 and response.json()["field"] == "description"


def test_the_owner_must_be_a_manager_of_that_department(world):
    for person in (world.staff, world.manager_b):
        response = world.api(world.auditor).post(
            "/api/v1/nonconformities", json=body(world, owner_id=person.id)
        )
        assert response.status_code == 422 and response.json()["field"] == "owner_id"
    named = world.api(world.auditor).post(
        "/api/v1/nonconformities", json=body(world, owner_id=world.manager.id)
    )
    assert named.status_code == 201


def test_a_department_without_a_manager_cannot_own_one(world):
    with unit_of_work(world.engine) as session:
        from qms.auth import service as auth

        lonely = auth.create_department(session=session, by=None, code="C", name="Phòng C")
    response = world.api(world.auditor).post(
        "/api/v1/nonconformities", json=body(world, department_id=lonely.id)
    )
    assert response.status_code == 409
    assert "no manager" in response.json()["detail"]


def test_an_audit_item_raises_one_through_the_service_and_is_found_back(world):
    with unit_of_work(world.engine) as session:
        auditor = session.get(User, world.auditor.id)
        nc = service.raise_nonconformity(
            session=session,
            by=auditor,
            source="internal_audit",
            department_id=world.dept_a.id,
            clause="8.5.1",
            severity="major",
            description="Không có thư xin lỗi.",
            audit_id=12,
            checklist_item_id=345,
        )
        code = nc.code
    with unit_of_work(world.engine) as session:
        assert service.for_checklist_item(session=session, checklist_item_id=345).code == code
        assert [n.code for n in service.for_audit(session=session, audit_id=12)] == [code]
        assert service.for_checklist_item(session=session, checklist_item_id=346) is None
    listed = world.api(world.staff).get("/api/v1/nonconformities", params={"audit_id": 12})
    assert [n["code"] for n in listed.json()] == [code]
    detail = world.api(world.staff).get(f"/api/v1/nonconformities/{listed.json()[0]['id']}")
    assert detail.json()["checklist_item_id"] == 345 and detail.json()["audit_id"] == 12
    page = world.browser(world.staff).get(f"/nonconformities/{listed.json()[0]['id']}").text
    assert 'href="/audits/12"' in page and 'href="/audits/12/checklist#item-345"' in page


def test_one_nonconformity_per_checklist_item(world):
    def raise_for_item(session):
        return service.raise_nonconformity(
            session=session,
            by=session.get(User, world.auditor.id),
            source="internal_audit",
            department_id=world.dept_a.id,
            clause="9.1",
            severity="minor",
            description="x",
            audit_id=1,
            checklist_item_id=7,
        )

    with unit_of_work(world.engine) as session:
        first = raise_for_item(session).code
    from qms.errors import Conflict

    with pytest.raises(Conflict) as refused, unit_of_work(world.engine) as session:
        raise_for_item(session)
    assert refused.value.params["code"] == first and refused.value.field == "checklist_item_id"


def test_an_item_needs_its_audit(world):
    from qms.errors import Invalid

    with pytest.raises(Invalid) as refused, unit_of_work(world.engine) as session:
        service.raise_nonconformity(
            session=session,
            by=None,
            source="internal_audit",
            department_id=world.dept_a.id,
            clause="9.1",
            severity="minor",
            description="x",
            checklist_item_id=7,
        )
    assert refused.value.field == "audit_id"


def test_documents_concerned_are_kept_and_found_from_the_document(world):
    from qms.documents import service as documents

    with unit_of_work(world.engine) as session:
        d1, d2, d3 = (
            documents.create_document(
                session=session,
                by=None,
                code=f"QT-0{n}",
                title=f"Quy trình {n}",
                kind="procedure",
                department_id=world.dept_a.id,
            ).id
            for n in (1, 2, 3)
        )
    response = world.api(world.staff).post(
        "/api/v1/nonconformities", json=body(world, document_ids=[d2, d1, d2])
    )
    assert response.status_code == 201 and response.json()["document_ids"] == [d1, d2]
    nc_id = response.json()["id"]
    relinked = world.api(world.quality_officer).put(
        f"/api/v1/nonconformities/{nc_id}/documents", json={"document_ids": [d2, d3]}
    )
    assert relinked.status_code == 200 and relinked.json()["document_ids"] == [d2, d3]
    with unit_of_work(world.engine) as session:
        assert [n.id for n in service.for_document(session=session, document_id=d3)] == [nc_id]
        assert service.for_document(session=session, document_id=d1) == []
    for unknown in ([0], [999]):
        bad = world.api(world.staff).post(
            "/api/v1/nonconformities", json=body(world, document_ids=unknown)
        )
        assert bad.status_code == 422 and bad.json()["field"] == "document_ids"
    page = world.browser(world.staff).get(f"/documents/{d3}")
    assert page.status_code == 200 and response.json()["code"] in page.text


def test_a_manager_without_the_role_in_department_is_not_picked(world):
    # An inactive manager is never the default owner.
    with unit_of_work(world.engine) as session:
        from qms.auth import service as auth

        auth.update_user(
            session=session,
            by=session.get(User, world.admin.id),
            user=session.get(User, world.manager.id),
            version=1,
            is_active=False,
        )
    world.person("new.manager@example.org", [Role.manager], world.dept_a)
    response = world.api(world.staff).post("/api/v1/nonconformities", json=body(world))
    assert response.status_code == 201
    with unit_of_work(world.engine) as session:
        owner = session.get(User, response.json()["owner_id"])
        assert owner.email == "new.manager@example.org"
