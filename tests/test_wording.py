"""One wording per idea (issue 19.7): a context where an English word has two meanings,
one Vietnamese word for exporting, the record's code in its trail's title."""

from __future__ import annotations

from qms.i18n import extract_messages, translations


def _vi(browser):
    browser.cookies.set("qms_lang", "vi")
    return browser


def test_title_means_the_audit_on_the_audits_list_and_the_document_on_the_documents_list(world):
    from tests.audits import support
    from tests.documents import factories as f

    support.build(world)
    f.new_document(world)
    browser = _vi(world.browser(world.quality_officer))
    audits = browser.get("/audits").text
    assert "Tên cuộc đánh giá" in audits and "Tên tài liệu" not in audits
    assert "Tên cuộc đánh giá" in browser.get("/audits/new").text
    assert "Tên tài liệu" in browser.get("/documents").text
    assert translations("vi").pgettext("audit", "Title") == "Tên cuộc đánh giá"
    assert "audit\x04Title" in extract_messages()


def test_exports_are_named_alike_on_every_register(world):
    browser = _vi(world.browser(world.quality_officer))
    for page in ("/documents", "/nonconformities", "/audits", "/risks", "/objectives"):
        text = browser.get(page).text
        assert "Xuất CSV" in text and "Xuất ra" not in text, page


def test_the_trail_page_names_the_record_by_its_code(world):
    from tests.nonconformities.builders import build

    built = build(world, "open")
    page = world.browser(world.quality_officer).get(f"/trail/nonconformity/{built.id}").text
    assert f"Nonconformity {built.code}" in page and f"#{built.id}<" not in page
