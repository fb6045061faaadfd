"""The new-nonconformity form: the day it was found (today unless said, never later) and
the files of the finding, attached when it is raised (issue 19.10), by the page and the API."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from tests.nonconformities.builders import build, today

PDF = b"%PDF-1.4\n% anh chup ho so tra cham\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24
FIELDS = {
    "source": "customer_complaint",
    "severity": "minor",
    "clause": "8.2.1",
    "description": "Công dân gửi ảnh chụp hồ sơ bị trả chậm.",
}


def _form(world, **changes):
    return {**FIELDS, "department_id": str(world.dept_a.id), **changes}


def _created_id(response) -> int:
    assert response.status_code == 303, response.text[-500:]
    return int(re.search(r"/nonconformities/(\d+)$", response.headers["location"]).group(1))


def test_the_form_offers_today_as_the_day_found(world):
    page = world.browser(world.staff).get("/nonconformities/new")
    assert page.status_code == 200
    assert f'name="detected_on" type="date" value="{today(world).isoformat()}"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="files"' in page.text


def test_the_api_takes_today_when_no_day_is_given_and_keeps_an_earlier_one(world):
    api = world.api(world.staff)
    base = {**FIELDS, "department_id": world.dept_a.id}
    plain = api.post("/api/v1/nonconformities", json=base).json()
    assert plain["detected_on"] == today(world).isoformat() == plain["raised_on"]
    earlier = (today(world) - timedelta(days=3)).isoformat()
    kept = api.post("/api/v1/nonconformities", json={**base, "detected_on": earlier})
    assert kept.status_code == 201, kept.text
    assert kept.json()["detected_on"] == earlier
    assert kept.json()["raised_on"] == today(world).isoformat()
    assert kept.json()["age_days"] == 0  # the age still counts from the day it was raised


def test_a_day_in_the_future_is_refused_naming_the_field(world):
    tomorrow = (today(world) + timedelta(days=1)).isoformat()
    api = world.api(world.staff)
    response = api.post(
        "/api/v1/nonconformities",
        json={**FIELDS, "department_id": world.dept_a.id, "detected_on": tomorrow},
    )
    assert response.status_code == 422 and response.json()["field"] == "detected_on"
    assert api.get("/api/v1/nonconformities").json() == []
    browser = world.browser(world.staff)
    page = browser.submit(
        "/nonconformities", _form(world, detected_on=tomorrow), page="/nonconformities/new"
    )
    assert page.status_code == 422
    assert 'id="detected_on-error"' in page.text


def test_a_number_is_not_read_as_a_day(world):
    response = world.api(world.staff).post(
        "/api/v1/nonconformities",
        json={**FIELDS, "department_id": world.dept_a.id, "detected_on": "0"},
    )
    assert response.status_code == 422 and response.json()["field"] == "detected_on"


def test_files_raised_with_the_form_are_kept_listed_and_bound(world):
    browser = world.browser(world.staff)
    earlier = (today(world) - timedelta(days=2)).isoformat()
    response = browser.submit(
        "/nonconformities",
        _form(world, detected_on=earlier),
        page="/nonconformities/new",
        files=[
            ("files", ("../../ho-so-tra-cham.pdf", PDF, "application/pdf")),
            ("files", ("anh.png", PNG, "image/png")),
        ],
    )
    nc_id = _created_id(response)
    record = browser.get(f"/nonconformities/{nc_id}")
    assert "ho-so-tra-cham.pdf" in record.text and "anh.png" in record.text
    detail = world.api(world.quality_officer).get(f"/api/v1/nonconformities/{nc_id}").json()
    assert detail["detected_on"] == earlier
    assert [f["filename"] for f in detail["files"]] == ["ho-so-tra-cham.pdf", "anh.png"]
    assert detail["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = world.api(world.manager).get(detail["files"][1]["url"])
    assert download.status_code == 200 and download.content == PNG
    trail = world.api(world.quality_officer).get(
        "/api/v1/trail", params={"record_type": "nonconformity", "record_id": nc_id}
    )
    assert [e["action"] for e in trail.json()] == ["raised", "file_attached", "file_attached"]


def test_a_bad_file_raises_nothing_and_is_named_beside_the_files(world):
    browser = world.browser(world.staff)
    response = browser.submit(
        "/nonconformities",
        _form(world),
        page="/nonconformities/new",
        files=[("files", ("trang.html", b"<html><script>x</script></html>", "text/html"))],
    )
    assert response.status_code == 422
    assert 'id="file-error"' in response.text
    assert world.api(world.staff).get("/api/v1/nonconformities").json() == []


def test_the_api_attaches_files_of_the_finding_only_while_it_is_open(world):
    opened = build(world, "open")
    api = world.api(world.quality_officer)
    added = api.post(f"/api/v1/nonconformities/{opened.id}/files", files={"file": ("don.pdf", PDF)})
    assert added.status_code == 201, added.text
    detail = api.get(f"/api/v1/nonconformities/{opened.id}").json()
    assert [f["id"] for f in detail["files"]] == [added.json()["id"]]
    assert detail["version"] == 2
    staff = world.api(world.staff).post(
        f"/api/v1/nonconformities/{opened.id}/files", files={"file": ("don.pdf", PDF)}
    )
    assert staff.status_code == 403
    later = build(world, "investigating")
    refused = api.post(
        f"/api/v1/nonconformities/{later.id}/files", files={"file": ("don.pdf", PDF)}
    )
    assert refused.status_code == 409 and refused.json()["field"] == "file"
    assert api.get(f"/api/v1/nonconformities/{later.id}").json()["files"] == []
