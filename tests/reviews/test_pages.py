"""The pages, used as people would: the quality officer plans a review and reads the compiled
inputs, the chair holds it, two outputs are assigned, the chair signs, the PDF opens."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

from tests.reviews.builders import MINUTES, build, load, make_chair, plan, today
from tests.reviews.records import raise_nc


def _location(response) -> str:
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def test_a_review_from_plan_to_signed_minutes_through_the_pages(world):
    make_chair(world)
    day = today(world)
    raise_nc(world, on=day, source="customer_complaint")
    officer = world.browser(world.quality_officer)
    form = officer.get("/management-reviews/new").text
    assert "Manager" in form and 'name="attendee_ids"' in form
    url = _location(
        officer.submit(
            "/management-reviews/new",
            {
                "period_start": day.replace(month=1, day=1).isoformat(),
                "period_end": day.isoformat(),
                "planned_on": day.isoformat(),
                "chair_id": str(world.manager.id),
                "attendee_ids": [str(world.quality_officer.id), str(world.manager_b.id)],
                "resources": "Thiếu 01 máy quét tại bộ phận một cửa.",
            },
            page="/management-reviews/new",
        )
    )
    review_id = int(url.rsplit("/", 1)[1])
    page = officer.get(url).text
    assert "Compiled from the records today" in page
    assert "c) 1. Customer satisfaction" in page and "Customer complaints received" in page
    assert 'href="/nonconformities?raised_from=' in page
    assert "Thiếu 01 máy quét" in page
    assert 'action="/management-reviews/%d/hold"' % review_id not in page  # not the chair

    chair = world.browser(world.manager)
    page = chair.get(url).text
    assert f'action="/management-reviews/{review_id}/hold"' in page
    empty = chair.submit(
        f"/management-reviews/{review_id}/hold", {"minutes": " ", "version": "1"}, page=url
    )
    assert empty.status_code == 422 and "Write the minutes" in empty.text
    _location(
        chair.submit(
            f"/management-reviews/{review_id}/hold", {"minutes": MINUTES, "version": "1"}, page=url
        )
    )
    page = chair.get(url).text
    assert "Frozen as compiled from the records" in page and MINUTES in page

    due = (day + timedelta(days=60)).isoformat()
    for kind, owner in (("improvement", world.staff), ("resource_need", world.manager_b)):
        _location(
            officer.submit(
                f"/management-reviews/{review_id}/outputs",
                {
                    "kind": kind,
                    "description": f"Quyết định {kind}",
                    "owner_id": str(owner.id),
                    "due_on": due,
                },
                page=url,
            )
        )
    bad = officer.submit(
        f"/management-reviews/{review_id}/outputs",
        {
            "kind": "improvement",
            "description": "x",
            "owner_id": str(world.staff.id),
            "due_on": "hôm nay",
        },
        page=url,
    )
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text

    built = SimpleNamespace(id=review_id)
    version = str(load(world, built).version)
    wrong = chair.submit(
        f"/management-reviews/{review_id}/close", {"password": "sai", "version": version}, page=url
    )
    assert wrong.status_code == 422 and load(world, built).status == "held"
    _location(
        chair.submit(
            f"/management-reviews/{review_id}/close",
            {"password": world.manager.password, "version": version},
            page=url,
        )
    )
    page = chair.get(url).text
    assert "Signed electronically by" in page
    pdf_url = re.search(r'href="(/api/v1/management-reviews/\d+\.pdf)"', page).group(1)
    pdf = world.browser(world.staff).get(pdf_url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    staff = world.browser(world.staff)
    page = staff.get(url).text
    output_id = re.search(r'action="/review-outputs/(\d+)/complete"', page).group(1)
    _location(
        staff.submit(
            f"/review-outputs/{output_id}/complete",
            {"evidence": "Đã thực hiện.", "version": "1"},
            page=url,
        )
    )
    assert "Đã thực hiện." in staff.get(url).text


def test_the_register_lists_reviews_with_their_status(world):
    held = build(world, "held")
    planned = plan(world)
    page = world.browser(world.staff).get("/management-reviews").text
    assert held.code in page and planned.code in page
    page = world.browser(world.staff).get("/management-reviews?status=held").text
    assert held.code in page and planned.code not in page
    assert "Plan a management review" not in page


def test_a_refused_page_form_says_why_and_changes_nothing(world):
    built = plan(world)
    url = f"/management-reviews/{built.id}"
    officer = world.browser(world.quality_officer)
    stale = officer.submit(
        f"{url}/edit",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "planned_on": "2026-07-01",
            "chair_id": str(world.manager.id),
            "version": "7",
        },
        page=url,
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    refused = world.browser(world.staff).submit(
        f"{url}/hold", {"minutes": MINUTES, "version": "1"}, page=url
    )
    assert refused.status_code == 403
    assert load(world, built).status == "planned"


def test_the_page_reads_in_vietnamese(world):
    built = build(world, "held")
    browser = world.browser(world.quality_officer)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get(f"/management-reviews/{built.id}").text
    assert "Sự không phù hợp và hành động khắc phục" in page
    assert "Điểm không phù hợp phát sinh trong kỳ" in page


def test_the_chair_sees_the_review_among_their_work(world):
    built = plan(world)
    home = world.browser(world.manager).get("/").text
    assert built.code in home


def test_the_figures_name_their_days_as_every_date_of_the_app(world):
    """A figure's period (kept as ISO text in the frozen inputs) reads dd/mm/yyyy."""
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    built = plan(world, start=start, end=end)
    page = world.browser(world.quality_officer).get(f"/management-reviews/{built.id}").text
    inputs = page[page.index('id="inputs"') : page.index('id="minutes-title"')]
    labels = re.findall(r'<a href="[^"]*">([^<]*)</a>', inputs)
    assert any("from 01/01/2026 to 30/06/2026" in label for label in labels), labels
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", label) for label in labels), labels
