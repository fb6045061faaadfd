"""Every word a person reads comes from the catalogs, complete in Vietnamese and English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from qms.i18n import Formatter, extract_messages, translations, untranslated


def test_every_string_has_a_vietnamese_translation():
    missing = untranslated("vi")
    listing = "\n".join(f"{m!r} at {places[0]}" for m, places in sorted(missing.items()))
    assert not missing, f"{len(missing)} strings without Vietnamese (run make messages):\n{listing}"


def test_extraction_finds_code_and_templates():
    found = extract_messages()
    assert any(p.startswith("templates/") for places in found.values() for p in places)
    assert any(p.startswith("qms/") for places in found.values() for p in places)


def test_placeholders_survive_translation():
    """A translated message keeps every %(name)s of its source, or formatting would fail."""
    import re

    catalog = translations("vi")._catalog
    bad = []
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, str) and msgid:
            source = set(re.findall(r"%\((\w+)\)s", msgid))
            target = set(re.findall(r"%\((\w+)\)s", msgstr))
            if source != target:
                bad.append(msgid)
    assert not bad, bad


def test_dates_read_the_vietnamese_way_in_the_office_time_zone():
    fmt = Formatter("vi", ZoneInfo("Asia/Ho_Chi_Minh"))
    assert fmt.date(date(2026, 11, 26)) == "26/11/2026"
    # 20:30 UTC is already the next morning in Hanoi.
    assert fmt.datetime(datetime(2026, 11, 25, 20, 30, tzinfo=UTC)) == "26/11/2026 03:30"
    assert fmt.number(7182) == "7.182"
    assert Formatter("en", ZoneInfo("Asia/Ho_Chi_Minh")).number(7182) == "7,182"


def test_pages_follow_the_chosen_language(client):
    assert "Đăng nhập" not in client.get("/login").text  # the tests' default is English
    client.cookies.set("qms_lang", "vi")
    page = client.get("/login").text
    assert "Đăng nhập" in page and 'lang="vi"' in page


def test_counted_messages_are_translated_in_both_forms():
    from qms.i18n import ngettext_with, translations

    vi = translations("vi")
    one = ngettext_with(vi, "%(num)s item", "%(num)s items", 1) % {"num": 1}
    many = ngettext_with(vi, "%(num)s item", "%(num)s items", 140) % {"num": 140}
    assert (one, many) == ("1 câu hỏi", "140 câu hỏi")
    en = translations("en")
    assert ngettext_with(en, "%(num)s item", "%(num)s items", 2) == "%(num)s items"


def test_a_counted_message_on_a_vietnamese_page_is_vietnamese(world):
    client = world.browser(world.quality_officer)
    client.cookies.set("qms_lang", "vi")
    page = client.get("/audit-templates/iso9001-2015").text
    assert "140 câu hỏi" in page and "140 items" not in page
