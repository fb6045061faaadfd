"""A nonconforming answer on the checklist page asks for its finding and a confirmation;
the auditor may change it while the audit is in progress, the nonconformity then cancelled
with the reason, its trail kept (issue 19.9)."""

from __future__ import annotations

from qms.db import unit_of_work
from qms.nonconformities import service as nonconformities
from qms.trail import service as trail
from tests.audits import support

FINDING = "Hồ sơ 000123 trả muộn 2 ngày, không có phiếu xin lỗi."


def _answer(browser, built, item, version, **fields):
    url = f"/audits/{built.id}/items/{item.id}"
    return browser.submit(
        url, {"version": str(version), **fields}, page=f"/audits/{built.id}/checklist"
    )


def _raised(world, audit_id):
    with unit_of_work(world.engine, write=False) as session:
        return nonconformities.for_audit(session=session, audit_id=audit_id)


def test_a_minor_nc_answer_needs_the_finding_and_a_confirmation(world):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[2]
    auditor = world.browser(world.auditor)
    page = auditor.get(f"/audits/{built.id}/checklist").text
    assert 'name="confirm_nonconformity"' not in page  # asked only when it would raise one
    no_finding = _answer(auditor, built, item, 1, result="minor_nc", confirm_nonconformity="yes")
    assert no_finding.status_code == 422 and "Write down the evidence" in no_finding.text
    unconfirmed = _answer(auditor, built, item, 1, result="minor_nc", evidence=FINDING)
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.text and FINDING in unconfirmed.text
    assert 'name="confirm_nonconformity"' in unconfirmed.text
    assert "with the evidence above as its finding" in unconfirmed.text
    assert _raised(world, built.id) == []
    confirmed = _answer(
        auditor, built, item, 1, result="minor_nc", evidence=FINDING, confirm_nonconformity="yes"
    )
    assert confirmed.status_code == 303
    (nc,) = _raised(world, built.id)
    assert FINDING in nc.description and nc.severity == "minor" and nc.checklist_item_id == item.id


def test_the_auditor_changes_the_answer_and_the_nonconformity_is_cancelled_with_the_reason(world):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[2]
    auditor = world.browser(world.auditor)
    _answer(
        auditor, built, item, 1, result="minor_nc", evidence=FINDING, confirm_nonconformity="yes"
    )
    (first,) = _raised(world, built.id)
    page = auditor.get(f"/audits/{built.id}/checklist").text
    assert f"{first.code} is then cancelled with this reason" in page
    without_reason = _answer(auditor, built, item, 2, result="conform", evidence="Có phiếu.")
    assert without_reason.status_code == 409 and first.code in without_reason.text
    reason = "Đã thấy phiếu xin lỗi trong hồ sơ lưu."
    changed = _answer(
        auditor, built, item, 2, result="conform", evidence="Có phiếu.", change_reason=reason
    )
    assert changed.status_code == 303
    (cancelled,) = _raised(world, built.id)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == reason
    with unit_of_work(world.engine, write=False) as session:
        events = trail.events_for(session=session, record_type="nonconformity", record_id=first.id)
        assert [e.action for e in events][-1] == "cancelled" and trail.verify(session=session).ok
    # Answered as a major nonconformity after all: a new one, confirmed, is raised.
    again = _answer(
        auditor, built, item, 3, result="major_nc", evidence=FINDING, confirm_nonconformity="yes"
    )
    assert again.status_code == 303
    raised = {nc.code: nc for nc in _raised(world, built.id)}
    assert len(raised) == 2
    new = next(nc for nc in raised.values() if nc.id != first.id)
    assert new.severity == "major" and new.status == "open" and new.checklist_item_id == item.id


def test_someone_off_the_team_cannot_change_an_answer(world):
    built = support.build(world, "in_progress")
    item = support.items(world, built)[2]
    _answer(
        world.browser(world.auditor),
        built,
        item,
        1,
        result="minor_nc",
        evidence=FINDING,
        confirm_nonconformity="yes",
    )
    outsider = world.browser(world.staff)
    response = _answer(outsider, built, item, 2, result="conform", change_reason="Không đúng.")
    assert response.status_code == 403
    (nc,) = _raised(world, built.id)
    assert nc.status == "open"
