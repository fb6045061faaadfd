"""One pager on every register and list (issue 19.7): the same words, links and marks on
each, moving through the pages with the filters kept. Each list's page size is set to one
record so that two records make two pages."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from qms.db import unit_of_work

PAGER = re.compile(r'<nav class="pager" aria-label="Pages">(.*?)</nav>', re.S)


def _pager(html: str) -> str:
    found = PAGER.findall(html)
    assert len(found) == 1, f"{len(found)} pagers"
    return found[0]


def _shape(pager: str) -> str:
    """The pager with its addresses and figures taken out: what must read the same on all."""
    text = re.sub(r'href="[^"]*"', 'href=""', pager)
    return re.sub(r"\d+", "N", " ".join(text.split()))


def _notifications(world):
    from qms.reminders.models import Notification

    with unit_of_work(world.engine) as session:
        for n in range(2):
            session.add(
                Notification(
                    key=f"pager:{n}",
                    rule="test",
                    record_type="user",
                    record_id=world.quality_officer.id,
                    due_on=date.today(),
                    stage="due",
                    recipient_id=world.quality_officer.id,
                    message="Reminders",
                    url="/account",
                )
            )


def _audits(world):
    from tests.audits import support

    support.plan(world)
    support.plan(world, title="Đánh giá quá trình lưu trữ")


def _nonconformities(world):
    from tests.nonconformities.builders import build

    build(world, "open")
    build(world, "open")


def _risks(world):
    from tests.risks.builders import build

    build(world, "open")
    build(world, "open")


def _objectives(world):
    from tests.objectives.builders import build

    build(world, "active")
    build(world, "active")


def _periods(world):
    from tests.objectives.builders import build

    year = date.today().year - 1  # periods ended, whatever the day of the year
    built = build(world, "draft")
    from qms.objectives import service
    from qms.objectives.models import Objective

    with unit_of_work(world.engine) as session:
        from qms.auth.models import User

        officer = session.get(User, world.quality_officer.id)
        objective = session.get(Objective, built.id)
        objective.year = year
        service.activate(session=session, objective=objective, by=officer)
        indicator = service.get_indicator(session=session, indicator_id=built.indicator_id)
        for month in ("01", "02"):
            service.enter_measurement(
                session=session,
                indicator=indicator,
                by=officer,
                period=f"{year}-{month}",
                numerator=90,
                denominator=100,
            )


def _reviews(world):
    from tests.reviews.builders import plan

    plan(world)
    plan(world)


def _documents(world):
    from tests.documents import factories

    factories.new_document(world)
    factories.new_document(world)


# (page, module whose page size is shrunk, its name there, what makes two records, who looks)
LISTS = [
    ("/audits", "qms.audits.web", "PAGE_SIZE", _audits, "quality_officer"),
    ("/nonconformities", "qms.nonconformities.web", "PAGE_SIZE", _nonconformities, "staff"),
    ("/risks", "qms.risks.web", "PAGE_SIZE", _risks, "staff"),
    ("/objectives", "qms.objectives.web", "PAGE_SIZE", _objectives, "staff"),
    ("/indicators", "qms.objectives.web", "PAGE_SIZE", _periods, "quality_officer"),
    ("/management-reviews", "qms.reviews.web", "PAGE_SIZE", _reviews, "quality_officer"),
    ("/notifications", "qms.reminders.web", "PAGE_SIZE", _notifications, "quality_officer"),
    ("/admin/users", "qms.auth.web", "USERS_PER_PAGE", None, "admin"),
    ("/documents", "qms.documents.web", "PAGE_SIZE", _documents, "staff"),
]


@pytest.mark.parametrize(
    ("path", "module", "name", "make", "role"), LISTS, ids=[x[0] for x in LISTS]
)
def test_every_list_pages_with_the_one_pager(world, monkeypatch, path, module, name, make, role):
    import importlib

    monkeypatch.setattr(importlib.import_module(module), name, 1)
    if make:
        make(world)
    browser = world.browser(getattr(world, role))
    first = browser.get(path)
    assert first.status_code == 200, first.text[:500]
    pager = _pager(first.text)
    assert _shape(pager) == EXPECTED_FIRST, pager
    assert re.search(r"Page 1 of \d+ · \d+ in all", pager)
    following = unescape(re.search(r'rel="next" href="([^"]+)"', pager).group(1))
    second = browser.get(following)
    assert second.status_code == 200
    pager = _pager(second.text)
    assert "Page 2 of" in pager and 'rel="prev"' in pager
    back = unescape(re.search(r'rel="prev" href="([^"]+)"', pager).group(1))
    assert "Page 1 of" in _pager(browser.get(back).text)


EXPECTED_FIRST = (
    '<span class="pager-step"></span> <span class="pager-where">Page N of N · N in all</span> '
    '<a class="pager-step" rel="next" href="">Next page →</a>'
)


def test_the_pager_keeps_the_filters_and_reads_in_vietnamese(world, monkeypatch):
    import qms.nonconformities.web as web
    from tests.nonconformities.builders import build

    monkeypatch.setattr(web, "PAGE_SIZE", 1)
    build(world, "open")
    build(world, "open")
    build(world, "open", department=world.dept_b)
    browser = world.browser(world.staff)
    browser.cookies.set("qms_lang", "vi")
    page = browser.get(f"/nonconformities?department_id={world.dept_a.id}").text
    pager = _pager(page.replace('aria-label="Các trang"', 'aria-label="Pages"'))
    following = unescape(re.search(r'rel="next" href="([^"]+)"', pager).group(1))
    assert f"department_id={world.dept_a.id}" in following and "page=2" in following
    # The pages count the filtered records only (two of department A).
    assert "Trang 1/2 · tổng cộng 2" in pager and "Trang sau →" in pager, pager
    pager = _pager(
        browser.get(following).text.replace('aria-label="Các trang"', 'aria-label="Pages"')
    )
    assert "← Trang trước" in pager and "Trang 2/2" in pager and 'rel="next"' not in pager
