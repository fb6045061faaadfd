"""A 3,000-character word does not widen any page it is shown on (issue 19.3): the new
nonconformity's record, the register, the home page and the audit trail, and a draft's
page with the word in its text, at tablet and phone widths."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RESULTS

WORD = "Mãhồsơ" + "x" * 2_994
WIDTHS = {"portrait": (800, 1280), "phone": (390, 844)}


def _check_widths(page, name: str, folder) -> list[str]:
    wider = []
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        scroll, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll > inner:
            wider.append(f"{name} at {label}: {scroll} px wide for {inner}")
        page.screenshot(
            path=str(folder / f"{name}-{label}.png"),
            clip={"x": 0, "y": 0, "width": width, "height": height},
        )
    return wider


@pytest.mark.e2e
def test_a_long_unbroken_word_wraps_on_every_page(journey):
    folder = RESULTS / "long-words"
    folder.mkdir(parents=True, exist_ok=True)
    officer = journey(lang="vi", width=800, height=1280)
    page = officer.sign_in("chatluong@ubnd.demo.vn")
    officer.goto("/nonconformities/new")
    page.select_option("#f-department_id", index=1)
    page.select_option("#f-source", index=1)
    page.select_option("#f-severity", index=1)
    page.fill("#f-clause", "8.5.1")
    page.fill("#f-description", f"Hồ sơ thiếu chữ ký: {WORD} cuối.")
    officer.submit("form[action='/nonconformities']")
    nc_path = page.url.split(officer.base, 1)[1]
    assert nc_path.startswith("/nonconformities/") and WORD in page.inner_text("main")
    wider = _check_widths(page, "nc", folder)
    nc_id = nc_path.rsplit("/", 1)[1]
    for name, path in (
        ("register", "/nonconformities"),
        ("home", "/"),
        ("trail", f"/trail/nonconformity/{nc_id}"),
    ):
        officer.goto(path)
        wider += _check_widths(page, name, folder)

    officer.goto("/documents/new")
    page.fill("#f-code", "QT-77")
    page.fill("#f-title", f"Quy trình {WORD[:200]}")
    page.select_option("#f-kind", "procedure")
    page.select_option("#f-department_id", index=1)
    officer.submit("form[action='/documents']")
    wider += _check_widths(page, "document", folder)
    officer.submit("form[action$='/revisions']")
    revision_path = page.url.split(officer.base, 1)[1]
    page.fill("#f-change_summary", WORD[:1_500])
    page.fill("#f-content_md", f"# Mục đích\n\n{WORD}\n\n    {WORD}\n")
    officer.submit(f"form[action='{revision_path}']")
    wider += _check_widths(page, "draft", folder)
    assert not wider, "\n".join(wider)
