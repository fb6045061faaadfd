"""Tried as a new team would: two auditors fill a 140-item checklist through the pages at
the same time, the lead auditor reports it and the PDF opens."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from pypdf import PdfReader

from tests.audits import support
from tests.factories import PASSWORD


def _fill(browser, audit_id: int, token: str, items, barrier: Barrier, result: str, note: str):
    barrier.wait()
    codes = []
    for item in items:
        response = browser.post(
            f"/audits/{audit_id}/items/{item.id}",
            data={
                "csrf_token": token,
                "version": str(item.version),
                "result": result,
                "evidence": f"{note} ({item.ref})",
            },
        )
        codes.append(response.status_code)
    return codes


def test_two_auditors_fill_the_same_checklist_at_once_and_the_lead_reports(world):
    other = support.second_auditor(world)
    built = support.plan(world, templates=(support.FULL,), team=[other])
    lead, second = world.browser(world.auditor), world.browser(other)
    started = lead.submit(f"/audits/{built.id}/start", {}, page=f"/audits/{built.id}")
    assert started.status_code == 303
    page = f"/audits/{built.id}/checklist"
    items = support.items(world, built)
    assert len(items) == 140
    tokens = (lead.csrf(page), second.csrf(page))
    barrier = Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        mine = pool.submit(
            _fill, lead, built.id, tokens[0], items[0::2], barrier, "conform", "Đã xem hồ sơ"
        )
        theirs = pool.submit(
            _fill,
            second,
            built.id,
            tokens[1],
            items[1::2],
            barrier,
            "not_applicable",
            "Ngoài phạm vi",
        )
        codes = mine.result() + theirs.result()
    assert codes == [303] * 140
    after = support.items(world, built)
    assert all(i.result for i in after) and all(i.version == 2 for i in after)
    assert {i.answered_by_id for i in after} == {world.auditor.id, other.id}
    checklist = lead.get(page)
    assert 'data-answered="140" data-total="140"' in checklist.text

    reported = lead.submit(
        f"/audits/{built.id}/report",
        {"summary": "Hệ thống được duy trì phù hợp.", "password": PASSWORD},
        page=f"/audits/{built.id}",
    )
    assert reported.status_code == 303, reported.text[-600:]
    pdf = lead.get(f"/api/v1/audits/{built.id}.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert support.load(world, built).code in text
    assert "Ngoài phạm vi (" in text
    assert "Đã xem hồ sơ (4.1-1)" in text


def test_two_auditors_saving_the_same_item_at_once_never_overwrite_each_other(world):
    other = support.second_auditor(world)
    built = support.build(world, "in_progress", team=[other])
    item = support.items(world, built)[0]
    page = f"/audits/{built.id}/checklist"
    lead, second = world.browser(world.auditor), world.browser(other)
    tokens = (lead.csrf(page), second.csrf(page))
    barrier = Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(_fill, lead, built.id, tokens[0], [item], barrier, "conform", "A")
        last = pool.submit(_fill, second, built.id, tokens[1], [item], barrier, "observation", "B")
        codes = sorted(first.result() + last.result())
    assert codes == [303, 409]
    saved = support.items(world, built)[0]
    assert saved.version == 2 and saved.result in ("conform", "observation")
