"""Each section of the compiled inputs against records made for the test, and each figure's
link opening the register filtered to exactly the records it counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.audits import support as audits
from tests.nonconformities.builders import build as build_nc
from tests.reviews.builders import add_output, build, close, hold, plan, today
from tests.reviews.records import cancel_nc, raise_nc


def _figures(world, review_id, person=None) -> dict:
    api = world.api(person or world.quality_officer)
    response = api.get(f"/api/v1/management-reviews/{review_id}/inputs")
    assert response.status_code == 200, response.text
    body = response.json()
    return {f["key"]: f for s in body["sections"] for f in s["figures"]}, body


def _codes(page: str, prefix: str) -> set[str]:
    return set(re.findall(rf">({prefix}-\d{{4}}-\d+)<", page))


def test_every_item_of_9_3_2_is_a_section_in_the_standards_order(world):
    built = plan(world)
    _figures_by_key, body = _figures(world, built.id)
    assert [s["section"] for s in body["sections"]] == [
        "a", "b", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "d", "e", "f",
    ]  # fmt: skip
    assert body["frozen"] is False and body["sha256"] is None


def test_nonconformity_figures_count_the_period_by_source_status_and_department(world):
    day = today(world)
    start, end = day - timedelta(days=40), day - timedelta(days=10)
    inside = day - timedelta(days=20)
    complaint, complaint_code = raise_nc(world, on=inside, source="customer_complaint")
    raise_nc(world, on=inside, source="customer_complaint")
    cancel_nc(world, complaint)
    _id, supplier_code = raise_nc(world, on=inside, source="supplier", department=world.dept_b)
    raise_nc(world, on=inside, source="process_monitoring")
    _id, outside_code = raise_nc(world, on=day - timedelta(days=5), source="customer_complaint")
    raise_nc(world, on=start - timedelta(days=1), source="supplier")
    built = plan(world, start=start, end=end, planned_on=day)
    figures, _body = _figures(world, built.id)

    assert figures["nonconformities.source.customer_complaint"]["value"] == 2
    assert figures["nonconformities.source.customer_complaint"]["section"] == "c1"
    assert figures["nonconformities.source.customer_complaint.active"]["value"] == 1
    assert figures["nonconformities.source.supplier"]["value"] == 1
    assert figures["nonconformities.source.supplier"]["section"] == "c7"
    assert figures["nonconformities.source.process_monitoring"]["section"] == "c5"
    assert figures["nonconformities.raised"]["value"] == 4
    assert figures["nonconformities.status.open"]["value"] == 3
    assert figures["nonconformities.status.cancelled"]["value"] == 1
    assert figures["nonconformities.department.A"]["value"] == 3
    assert figures["nonconformities.department.B"]["value"] == 1
    assert "Phòng B" in figures["nonconformities.department.B"]["text"]

    browser = world.browser(world.quality_officer)
    page = browser.get(figures["nonconformities.source.customer_complaint"]["href"]).text
    assert complaint_code in page and outside_code not in page
    assert _codes(page, "NC") and len(_codes(page, "NC")) == 2
    page = browser.get(figures["nonconformities.source.supplier"]["href"]).text
    assert _codes(page, "NC") == {supplier_code}
    page = browser.get(figures["nonconformities.raised"]["href"]).text
    assert len(_codes(page, "NC")) == 4


def test_corrective_actions_overdue_and_effectiveness_figures(world):
    ready = build_nc(world, "ready")  # actions done, found effective
    build_nc(world, "action_planned")
    built = plan(world)
    figures, _body = _figures(world, built.id)
    assert figures["nonconformities.actions.planned"]["value"] == 4
    assert figures["nonconformities.actions.done"]["value"] == 2
    assert figures["nonconformities.checks.effective"]["value"] == 1
    assert figures["nonconformities.checks.ineffective"]["value"] == 0
    assert figures["nonconformities.overdue"]["value"] == 0
    assert figures["nonconformities.old"]["value"] == 0
    page = world.browser(world.quality_officer).get(
        figures["nonconformities.checks.effective"]["href"]
    )
    assert _codes(page.text, "NC") == {ready.code}


def test_old_open_nonconformities_are_counted_and_linked(world):
    day = today(world)
    _old, old_code = raise_nc(world, on=day - timedelta(days=120))
    raise_nc(world, on=day - timedelta(days=10))
    built = plan(world, start=day - timedelta(days=200), end=day)
    figures, _body = _figures(world, built.id)
    assert figures["nonconformities.old"]["value"] == 1
    page = world.browser(world.quality_officer).get(figures["nonconformities.old"]["href"]).text
    assert _codes(page, "NC") == {old_code}


def test_audit_figures_count_reports_of_the_period_and_findings_by_grade(world):
    reported = audits.plan(world, start=today(world))
    audits.start(world, reported)
    refs = [i.ref for i in audits.items(world, reported)]
    audits.answer(
        world,
        reported,
        answers={
            refs[0]: ("major_nc", "Không có sổ theo dõi hồ sơ trễ hạn."),
            refs[1]: ("minor_nc", "Giấy hẹn thiếu chữ ký."),
            refs[2]: ("observation", "Bảng niêm yết đã cũ."),
            refs[3]: ("improvement", "Nên gửi tin nhắn khi có kết quả."),
            refs[4]: ("improvement", "Nên có ghế chờ cho người cao tuổi."),
        },
    )
    audits.report(world, reported)
    other = audits.build(world, "in_progress", lead=world.auditor_a, department=world.dept_b)
    built = plan(world)
    figures, _body = _figures(world, built.id)
    assert figures["audits.reported"]["value"] == 1
    assert figures["audits.reported"]["section"] == "c6"
    assert figures["audits.findings.major_nc"]["value"] == 1
    assert figures["audits.findings.minor_nc"]["value"] == 1
    assert figures["audits.findings.observation"]["value"] == 1
    assert figures["audits.improvements"]["value"] == 2
    assert figures["audits.improvements"]["section"] == "f"
    assert figures["audits.improvements.open"]["value"] == 2
    # The findings raised nonconformities from the audit, counted in c4 too.
    assert figures["nonconformities.raised"]["value"] == 2

    browser = world.browser(world.quality_officer)
    for key in ("audits.reported", "audits.findings.major_nc", "audits.improvements.open"):
        page = browser.get(figures[key]["href"]).text
        assert reported.code in page and other.code not in page, key
    page = browser.get(
        figures["audits.reported"]["href"].replace(today(world).isoformat(), "2000-01-01", 1)
    )
    assert page.status_code == 200


def test_section_a_lists_the_previous_reviews_outputs_and_their_status(world):
    day = today(world)
    first = plan(world, start=day - timedelta(days=400), end=day - timedelta(days=40),
                 planned_on=day - timedelta(days=30))  # fmt: skip
    hold(world, first)
    done = add_output(
        world, first, what="Bổ sung máy scan cho bộ phận một cửa.", kind="resource_need"
    )
    add_output(world, first, what="Sửa đổi QT-07.", kind="qms_change")
    close(world, first)
    api = world.api(world.staff)
    assert (
        api.post(
            f"/api/v1/review-outputs/{done}/complete", json={"evidence": "Đã lắp đặt."}
        ).status_code
        == 200
    )
    second = plan(world, start=day - timedelta(days=39), end=day)
    figures, _body = _figures(world, second.id)
    assert figures["reviews.previous"]["value"] == first.code
    assert figures["reviews.previous"]["href"] == f"/management-reviews/{first.id}"
    assert figures["reviews.outputs.done"]["value"] == 1
    assert figures["reviews.outputs.open"]["value"] == 1
    assert figures[f"reviews.output.{done}"]["value"] == "done"
    assert "Bổ sung máy scan" in figures[f"reviews.output.{done}"]["text"]
    assert figures[f"reviews.output.{done}"]["section"] == "a"
    # The first review itself has no previous one.
    first_figures, _body = _figures(world, first.id)
    assert "reviews.previous" not in first_figures


def test_section_d_is_the_quality_officers_text(world):
    built = plan(world, resources="Thiếu 01 công chức tại quầy tiếp nhận.")
    figures, _body = _figures(world, built.id)
    assert figures["reviews.resources"]["section"] == "d"
    assert figures["reviews.resources"]["value"] == "Thiếu 01 công chức tại quầy tiếp nhận."


def test_a_held_review_keeps_its_figures_when_the_records_change(world):
    built = build(world, "held")
    before, body = _figures(world, built.id)
    assert body["frozen"] is True and len(body["sha256"]) == 64
    raise_nc(world, on=today(world), source="customer_complaint")
    after, again = _figures(world, built.id)
    assert after["nonconformities.raised"]["value"] == before["nonconformities.raised"]["value"]
    assert again["sha256"] == body["sha256"]
    assert after["nonconformities.raised"]["changed"] is True
    assert after["nonconformities.source.customer_complaint"]["changed"] is True
    assert after["audits.reported"]["changed"] is False
    page = world.browser(world.quality_officer).get(f"/management-reviews/{built.id}").text
    assert "changed since the meeting" in page


def test_the_snapshot_hash_is_the_sha256_of_the_frozen_figures(world):
    import hashlib

    from qms.trail.service import canonical_json
    from tests.reviews.builders import load

    review = load(world, build(world, "held"))
    assert (
        review.inputs_sha256 == hashlib.sha256(canonical_json(review.inputs).encode()).hexdigest()
    )


def test_a_period_in_another_year_reads_its_own_records(world):
    built = plan(world, start=date(2020, 1, 1), end=date(2020, 12, 31))
    raise_nc(world, on=today(world))
    figures, _body = _figures(world, built.id)
    assert figures["nonconformities.raised"]["value"] == 0
    assert figures["nonconformities.raised"]["href"].endswith(
        "raised_from=2020-01-01&raised_to=2020-12-31"
    )
