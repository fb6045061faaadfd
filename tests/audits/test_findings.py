"""Findings: a nonconforming answer raises one nonconformity linked to its item, never two;
the audit closes once they are closed, cancelled, or accepted as carried over."""

from __future__ import annotations

import pytest

from qms.auth.models import User
from qms.db import unit_of_work
from qms.nonconformities import service as nonconformities
from qms.nonconformities.models import Nonconformity
from tests.audits import support

EVIDENCE = "Hồ sơ HS-0815 trễ hạn 3 ngày, không có phiếu xin lỗi gửi công dân."


def patch(world, item_id, **body):
    return world.api(world.auditor).patch(f"/api/v1/checklist-items/{item_id}", json=body)


def raised_for(world, audit_id) -> list[Nonconformity]:
    with unit_of_work(world.engine, write=False) as session:
        return nonconformities.for_audit(session=session, audit_id=audit_id)


@pytest.mark.parametrize(("result", "severity"), [("minor_nc", "minor"), ("major_nc", "major")])
def test_a_nonconforming_answer_raises_one_linked_nonconformity(world, result, severity):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[3]
    response = patch(world, item.id, result=result, evidence=EVIDENCE, version=1)
    assert response.status_code == 200, response.text
    code = response.json()["nonconformity_code"]
    assert code and code.startswith("NC-")
    (nc,) = raised_for(world, built.id)
    assert nc.code == code and nc.checklist_item_id == item.id and nc.audit_id == built.id
    assert nc.severity == severity and nc.clause == item.clause and nc.source == "internal_audit"
    assert nc.department_id == world.dept_a.id and nc.owner_id == world.manager.id
    assert EVIDENCE in nc.description and item.ref in nc.description


def test_answering_the_item_again_does_not_raise_a_second(world):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[0]
    first = patch(world, item.id, result="minor_nc", evidence=EVIDENCE, version=1).json()
    again = patch(world, item.id, result="minor_nc", evidence=EVIDENCE + " Đã xác minh.", version=2)
    assert again.status_code == 200
    assert again.json()["nonconformity_id"] == first["nonconformity_id"]
    assert len(raised_for(world, built.id)) == 1


def test_observations_and_opportunities_raise_nothing(world):
    built = support.build(world, "in_progress")
    first, second = support.items(world, built)[:2]
    patch(world, first.id, result="observation", evidence="Sổ theo dõi ghi chưa đều.", version=1)
    patch(world, second.id, result="improvement", evidence="Có thể nhắn tin SMS.", version=1)
    assert raised_for(world, built.id) == []


def test_an_item_that_raised_a_nonconformity_changes_only_with_a_reason(world):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[0]
    raised = patch(world, item.id, result="minor_nc", evidence=EVIDENCE, version=1).json()
    refused = patch(world, item.id, result="conform", evidence=EVIDENCE, version=2)
    assert refused.status_code == 409 and raised["nonconformity_code"] in refused.json()["detail"]
    assert refused.json()["field"] == "change_reason"
    with unit_of_work(world.engine) as session:
        nonconformities.cancel(
            session=session,
            nc=session.get(Nonconformity, raised["nonconformity_id"]),
            by=session.get(User, world.quality_officer.id),
            reason="Ghi nhầm: hồ sơ có phiếu xin lỗi.",
        )
    changed = patch(world, item.id, result="conform", evidence="Có phiếu xin lỗi.", version=2)
    assert changed.status_code == 200
    again = patch(world, item.id, result="minor_nc", evidence=EVIDENCE, version=3)
    assert again.json()["nonconformity_id"] == raised["nonconformity_id"]  # still one
    assert len(raised_for(world, built.id)) == 1


def _reported_with_findings(world, count=2):
    built = support.build(world, "in_progress")
    refs = [i.ref for i in support.items(world, built)[:count]]
    support.answer(world, built, answers=dict.fromkeys(refs, ("minor_nc", EVIDENCE)))
    support.report(world, built)
    return built, raised_for(world, built.id)


def test_an_audit_with_open_nonconformities_does_not_close(world):
    built, raised = _reported_with_findings(world)
    response = world.api(world.quality_officer).post(
        f"/api/v1/audits/{built.id}/close", json={"note": "Đóng."}
    )
    assert response.status_code == 409
    for nc in raised:
        assert nc.code in response.json()["detail"]


def test_open_nonconformities_may_be_carried_over_with_a_note(world):
    built, raised = _reported_with_findings(world)
    with unit_of_work(world.engine) as session:
        nonconformities.cancel(
            session=session,
            nc=session.get(Nonconformity, raised[0].id),
            by=session.get(User, world.quality_officer.id),
            reason="Trùng.",
        )
    api = world.api(world.quality_officer)
    response = api.post(
        f"/api/v1/audits/{built.id}/close",
        json={
            "note": "NC còn lại chuyển sang theo dõi ở kỳ đánh giá sau.",
            "carried_over_ids": [raised[1].id],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed"
    assert response.json()["carried_over_ids"] == [raised[1].id]
    assert "chuyển sang" in response.json()["close_note"]


def test_only_this_audits_nonconformities_can_be_carried_over(world):
    built, _raised = _reported_with_findings(world, count=1)
    response = world.api(world.quality_officer).post(
        f"/api/v1/audits/{built.id}/close", json={"note": "Đóng.", "carried_over_ids": [999]}
    )
    assert response.status_code == 422 and response.json()["field"] == "carried_over_ids"


def test_an_audit_closes_once_its_nonconformities_are_closed(world):
    built, raised = _reported_with_findings(world, count=1)
    _close_nonconformity(world, raised[0].id)
    response = world.api(world.quality_officer).post(
        f"/api/v1/audits/{built.id}/close", json={"note": "Đã khắc phục xong."}
    )
    assert response.status_code == 200 and response.json()["carried_over_ids"] == []


def _close_nonconformity(world, nc_id: int) -> None:
    """Through the nonconformity domain's own steps: investigate, act, verify, close."""
    from datetime import timedelta

    from qms.nonconformities.models import CorrectiveAction

    day = support.today(world)
    settings = world.app.state.settings
    with unit_of_work(world.engine) as session:
        nc = session.get(Nonconformity, nc_id)
        owner = session.get(User, nc.owner_id)
        nonconformities.investigate(
            session=session,
            nc=nc,
            by=owner,
            containment="Gửi phiếu xin lỗi ngay.",
            root_cause_method="five_whys",
            whys=[
                "Phiếu xin lỗi không được gửi khi hồ sơ trễ hạn.",
                "Chuyên viên không biết hồ sơ đã trễ hạn.",
                "Phần mềm một cửa không cảnh báo hồ sơ sắp đến hạn.",
                "Chức năng cảnh báo chưa được cấu hình.",
                "Quy trình không giao ai theo dõi cảnh báo hạn.",
            ],
        )
        action = nonconformities.plan_action(
            session=session,
            nc=nc,
            by=owner,
            description="Cấu hình cảnh báo hạn trên phần mềm một cửa.",
            owner_id=world.staff.id,
            due_on=day + timedelta(days=7),
            today=day,
        )
        nonconformities.complete_action(
            session=session,
            action=session.get(CorrectiveAction, action.id),
            by=session.get(User, world.staff.id),
            evidence="Ảnh chụp màn hình cấu hình.",
            today=day,
            check_days=settings.effectiveness_check_days,
        )
        nonconformities.verify(
            session=session,
            nc=nc,
            by=session.get(User, world.quality_officer.id),
            result="effective",
            comment="Không còn hồ sơ trễ hạn thiếu phiếu.",
            today=day,
        )
        nonconformities.close(
            session=session, nc=nc, by=owner, password=world.manager.password, settings=settings
        )


def test_the_record_page_lists_the_findings_and_offers_carrying_them_over(world):
    built, raised = _reported_with_findings(world, count=1)
    page = world.browser(world.quality_officer).get(f"/audits/{built.id}").text
    assert raised[0].code in page
    assert f'name="carried_over_ids" value="{raised[0].id}"' in page


def test_the_checklist_page_links_the_item_to_its_nonconformity(world):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[0]
    nc_id = patch(world, item.id, result="major_nc", evidence=EVIDENCE, version=1).json()[
        "nonconformity_id"
    ]
    page = world.browser(world.auditor).get(f"/audits/{built.id}/checklist").text
    assert f'href="/nonconformities/{nc_id}"' in page
    # The nonconformity names the audit by its code, as every page does, and its item
    # leads to the checklist.
    record = world.browser(world.auditor).get(f"/nonconformities/{nc_id}").text
    assert f'<a href="/audits/{built.id}">{support.load(world, built).code}</a>' in record
    assert f">Audit {built.id}<" not in record
