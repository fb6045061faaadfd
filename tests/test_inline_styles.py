"""The pages' CSP (`style-src 'self'`) refuses style attributes: a page that needs one shows
wrong. The audits' progress bars are <progress> elements (issue 19), the verify page's
verdict a class: neither carries a style attribute (the risk badges keep theirs for the
PDF, with classes giving the same colours on the pages)."""

from __future__ import annotations

import re

from qms.middleware import CSP
from tests.audits import support

STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.IGNORECASE)


def test_the_csp_refuses_inline_styles():
    assert "style-src 'self';" in CSP


def test_audit_pages_show_progress_without_a_style_attribute(world):
    built = support.build(world, "in_progress")
    first = support.items(world, built)[0]
    auditor = world.api(world.auditor)
    answered = auditor.patch(
        f"/api/v1/checklist-items/{first.id}",
        json={"result": "conform", "evidence": "Đã xem sổ.", "version": first.version},
    )
    assert answered.status_code == 200, answered.text
    total = len(support.items(world, built))
    browser = world.browser(world.auditor)
    for path in (f"/audits/{built.id}", f"/audits/{built.id}/checklist"):
        page = browser.get(path)
        assert page.status_code == 200
        assert not STYLE_ATTRIBUTE.search(page.text), path
        assert re.search(rf'<progress class="bar" max="{total}" value="1"', page.text), path
    year = support.today(world).year
    for path in ("/audits", f"/audit-programmes/{year}", "/verify"):
        page = world.browser(world.quality_officer).get(path)
        assert page.status_code == 200, path
        assert not STYLE_ATTRIBUTE.search(page.text), path
