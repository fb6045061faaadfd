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


def _catalog_entries():
    from babel.messages.pofile import read_po

    from qms.i18n import LOCALES_DIR

    for po in sorted((LOCALES_DIR / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str) and message.string:
                    yield po.stem, message


def test_one_vietnamese_wording_per_message_across_the_catalogs():
    """The catalogs are merged: a message translated two ways in two catalogs shows one of
    them on every page, whichever catalog loads last (a risk's title read "Tên tài liệu").
    Two meanings of one English word take a msgctxt instead."""
    seen: dict[tuple, dict[str, str]] = {}
    for domain, message in _catalog_entries():
        seen.setdefault((message.context, message.id), {})[domain] = message.string
    clashes = {key: found for key, found in seen.items() if len(set(found.values())) > 1}
    assert not clashes, clashes


def test_the_standard_is_named_tcvn_iso_9001_2015_in_vietnamese():
    import re

    bare = re.compile(r"(?<!TCVN )ISO 9001(?!:2015)|(?<!TCVN )ISO 9001:2015")
    named = [(domain, m.string) for domain, m in _catalog_entries() if bare.search(m.string)]
    assert not named, named


def test_title_and_owner_mean_the_register_s_own_on_each_page(world):
    from tests.documents import factories as f
    from tests.risks.builders import build as build_risk

    build_risk(world)
    document_id = f.new_document(world)
    browser = _vi(world.browser(world.quality_officer))
    risks = browser.get("/risks").text
    assert '<th scope="col">Tên</th>' in risks and "Tên tài liệu" not in risks
    document = browser.get(f"/documents/{document_id}").text
    assert "Người chủ trì" in document
    assert translations("vi").pgettext("document", "Owner") == "Người chủ trì"
    assert translations("vi").gettext("Owner") == "Người chịu trách nhiệm"
    header = browser.get("/documents.csv").text.splitlines()[0]
    assert "Tên tài liệu" in header and "Người chủ trì" in header
