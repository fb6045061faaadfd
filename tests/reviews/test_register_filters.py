"""The register filters the review's figures link to: nonconformities by day raised and
effectiveness result, audits by day reported and by answer, in the API and on the pages."""

from __future__ import annotations

from datetime import timedelta

from tests.audits import support as audits
from tests.nonconformities.builders import build as build_nc
from tests.reviews.builders import today
from tests.reviews.records import raise_nc


def test_nonconformities_by_day_raised(world):
    day = today(world)
    _old, old_code = raise_nc(world, on=day - timedelta(days=30))
    _new, new_code = raise_nc(world, on=day)
    api = world.api(world.staff)
    since = (day - timedelta(days=1)).isoformat()
    codes = [
        n["code"] for n in api.get("/api/v1/nonconformities", params={"raised_from": since}).json()
    ]
    assert codes == [new_code]
    codes = [
        n["code"] for n in api.get("/api/v1/nonconformities", params={"raised_to": since}).json()
    ]
    assert codes == [old_code]
    assert api.get("/api/v1/nonconformities", params={"raised_from": "0"}).status_code == 422
    reversed_ = api.get(
        "/api/v1/nonconformities", params={"raised_from": day.isoformat(), "raised_to": since}
    )
    assert reversed_.status_code == 422 and reversed_.json()["field"] == "raised_from"
    csv = api.get("/api/v1/nonconformities.csv", params={"raised_from": since}).text
    assert new_code in csv and old_code not in csv
    page = world.browser(world.staff).get(f"/nonconformities?raised_from={since}").text
    assert new_code in page and old_code not in page
    assert f'value="{since}"' in page  # the filter is kept in the form
    lenient = world.browser(world.staff).get("/nonconformities?raised_from=hôm-qua")
    assert lenient.status_code == 200 and old_code in lenient.text


def test_nonconformities_by_effectiveness_result(world):
    ready = build_nc(world, "ready")
    other = build_nc(world, "verifying")
    api = world.api(world.staff)
    codes = [
        n["code"]
        for n in api.get("/api/v1/nonconformities", params={"check_result": "effective"}).json()
    ]
    assert codes == [ready.code]
    assert api.get("/api/v1/nonconformities", params={"check_result": "ineffective"}).json() == []
    assert api.get("/api/v1/nonconformities", params={"check_result": "x"}).status_code == 422
    page = world.browser(world.staff).get("/nonconformities?check_result=effective").text
    assert ready.code in page and other.code not in page


def test_audits_by_day_reported_and_by_answer(world):
    reported = audits.plan(world, start=today(world))
    audits.start(world, reported)
    ref = audits.items(world, reported)[0].ref
    audits.answer(world, reported, answers={ref: ("improvement", "Nên nhắn tin khi có kết quả.")})
    audits.report(world, reported)
    planned = audits.build(world, "planned", lead=world.auditor_a, department=world.dept_b)
    api = world.api(world.quality_officer)
    day = today(world).isoformat()
    found = api.get("/api/v1/audits", params={"reported_from": day, "reported_to": day}).json()
    assert [a["code"] for a in found["items"]] == [reported.code]
    earlier = (today(world) - timedelta(days=1)).isoformat()
    assert api.get("/api/v1/audits", params={"reported_to": earlier}).json()["items"] == []
    found = api.get("/api/v1/audits", params={"finding": "improvement"}).json()
    assert [a["code"] for a in found["items"]] == [reported.code]
    assert api.get("/api/v1/audits", params={"finding": "major_nc"}).json()["items"] == []
    assert api.get("/api/v1/audits", params={"reported_from": "0"}).status_code == 422
    browser = world.browser(world.quality_officer)
    page = browser.get(f"/audits?reported_from={day}&reported_to={day}").text
    assert reported.code in page and planned.code not in page
    assert 'name="reported_from"' in page
    page = browser.get("/audits?finding=improvement").text
    assert reported.code in page and planned.code not in page
