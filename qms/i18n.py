"""Translations from Babel catalogs (qms/locales/<lang>/LC_MESSAGES/*.po) and locale formats."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "en")
# Source strings are English; each domain keeps its own Vietnamese catalog file.
SOURCE_LANGUAGE = "en"
# Call names whose first argument is a msgid (for extraction and the completeness test).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    # An English word with two meanings ("Title" of a document, of an audit): a context.
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "rule": (2,),
    "QMSError": None,
    "Unauthenticated": None,
    "Forbidden": None,
    "NotFound": None,
    "Conflict": None,
    "InvalidTransition": None,
    "StaleVersion": None,
    "Invalid": None,
    "TooLarge": None,
    "TooManyAttempts": None,
    "Unavailable": None,
}


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; it is translated where shown."""
    return message


@cache
def translations(lang: str) -> NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    merged: Translations | None = None
    for po_path in sorted((LOCALES_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        current = Translations(fp=buffer, domain="messages")
        if merged is None:
            merged = current
        else:
            merged.merge(current)
    return merged or NullTranslations()


def ngettext_with(translator: NullTranslations, singular: str, plural: str, n: int) -> str:
    """The form of a counted message for `n`. Our catalogs hold the two English forms as
    two messages (Vietnamese has one form), so when the catalog has no plural entry the
    English form for `n` is translated on its own."""
    text = translator.ngettext(singular, plural, n)
    if text in (singular, plural):
        text = translator.gettext(singular if n == 1 else plural)
    return text


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


class Formatter:
    """Dates, instants and numbers as a reader of `lang` expects them, in the office's zone."""

    def __init__(self, lang: str, tz: ZoneInfo):
        self.lang = lang
        self.tz = tz
        self.locale = "vi_VN" if lang == "vi" else "en_GB"

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, "dd/MM/yyyy", locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(self.local(value), "dd/MM/yyyy HH:mm", locale=self.locale)

    def number(self, value) -> str:
        return format_decimal(value, locale=self.locale)

    def local(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("UTC"))
        return value.astimezone(self.tz)


CONTEXT_SEPARATOR = "\x04"


def extract_messages() -> dict[str, list[str]]:
    """Every msgid the code and the templates use, with where each is used."""
    from babel.messages.extract import extract_from_dir

    from qms.config import PROJECT_ROOT

    found: dict[str, list[str]] = {}
    sources = [
        (PROJECT_ROOT / "qms", [("**.py", "python")], {}),
        (
            PROJECT_ROOT / "templates",
            [("**.html", "jinja2.ext:babel_extract"), ("**.txt", "jinja2.ext:babel_extract")],
            {"**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}},
        ),
    ]
    for folder, method_map, options in sources:
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(folder), method_map, options_map=options, keywords=KEYWORDS
        ):
            msgids = message if isinstance(message, tuple) else (message,)
            for msgid in msgids:
                if msgid:
                    # A message with a context is keyed as the compiled catalog keys it.
                    key = f"{context}{CONTEXT_SEPARATOR}{msgid}" if context else msgid
                    found.setdefault(key, []).append(f"{folder.name}/{filename}:{lineno}")
    return found


def untranslated(lang: str = "vi") -> dict[str, list[str]]:
    catalog = translations(lang)
    known = getattr(catalog, "_catalog", {})
    missing = {}
    for msgid, places in extract_messages().items():
        text = known.get(msgid)
        if text is None:
            # plural forms are keyed (msgid, n)
            text = known.get((msgid, 0))
        if not text:
            missing[msgid] = places
    return missing
