"""PDF records: a Jinja2 template of templates/pdf/ rendered by WeasyPrint, a few at a time.

`render_pdf(template, context)` is what every domain uses. Rendering is CPU-bound and
single-threaded: callers run it off the event loop (a sync handler runs in FastAPI's
threadpool) and a semaphore bounds how many render at once. Resources are fetched only
from the app's own static files: never file://, never the network. Fonts come from the
system (DejaVu, which covers Vietnamese) and are embedded, so the text extracts as text.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from qms.config import PROJECT_ROOT
from qms.i18n import Formatter, translations

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = TEMPLATES_DIR / "static"
PRINT_CSS = TEMPLATES_DIR / "pdf" / "print.css"
# Relative URLs in a record resolve against this made-up origin; only its /static/ part
# is served, from the app's static folder.
BASE_URL = "https://qms.invalid/static/"
MAX_CONCURRENT = 2

_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.install_null_translations(newstyle=True)


class RefusedResource(ValueError):
    """A record asked for something outside the app's static files."""


def static_file(url: str) -> Path:
    """The static file an URL names, or RefusedResource."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/static/" != BASE_URL or parts.query:
        raise RefusedResource(f"not an app static file: {url[:100]}")
    relative = unquote(parts.path.removeprefix("/static/"))
    path = (STATIC_DIR / relative).resolve()
    if not path.is_relative_to(STATIC_DIR.resolve()) or not path.is_file():
        raise RefusedResource(f"no such static file: {url[:100]}")
    return path


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file(url)
            return URLFetcherResponse(url, path.read_bytes(), {}, 200)

    return StaticOnlyFetcher(fail_on_errors=False)


@cache
def _print_css() -> str:
    return PRINT_CSS.read_text(encoding="utf-8")


def render_html(
    template: str, context: dict[str, Any], *, lang: str = "vi", timezone: str = "UTC"
) -> str:
    translator = translations(lang)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    values = {"_": _, "gettext": _, "lang": lang, "fmt": Formatter(lang, ZoneInfo(timezone))}
    values.update(context)
    return _env.get_template(template).render(values)


def render_pdf(
    template: str, context: dict[str, Any], *, lang: str = "vi", timezone: str = "UTC"
) -> bytes:
    """The PDF of `template` (a path under templates/, e.g. "pdf/controlled_copy.html")."""
    from weasyprint import CSS, HTML

    html = render_html(template, context, lang=lang, timezone=timezone)
    fetcher = _fetcher()
    with _slots:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        stylesheet = CSS(string=_print_css(), base_url=BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[stylesheet])
