"""Script payloads for user text, and the checks that no page, e-mail or PDF lets one run."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

# What a person might type into any text field: a script, an attribute break-out with an
# event handler, a javascript: link.
SCRIPT = (
    '<script>alert(1)</script>"><img src=x onerror=alert(1)><a href="javascript:alert(1)">j</a>'
)
# File names lose everything up to their last slash, so this one has none.
# (and no double quote: the HTTP client would send it as %22).
FILE_NAME = "'><img src=x onerror=alert(1)><script>alert(1).pdf"
# Markdown with raw HTML and dangerous links: sanitised, not merely escaped.
MARKDOWN = "\n\n".join(
    [
        "# MD-heading",
        "[md-link](javascript:alert(1)) and [md-data](data:text/html;base64,PHNjcmlwdD4=)",
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">md-raw-link</a> <a href=" JaVaScRiPt:alert(1)">md-2</a>',
        '<iframe src="javascript:alert(1)"></iframe><object data="x"></object>',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        '<p style="background:url(javascript:alert(1))" onclick="alert(1)">md-styled</p>',
        "MD-END",
    ]
)


def typed(marker: str) -> str:
    """The payload a field gets, with a marker naming the field so each can be found."""
    return f"{marker} {SCRIPT}"


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcdoc"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "svg", "math"}


class Scan(HTMLParser):
    """What a browser would run from a page, and the text a person would read in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.texts: list[str] = []
        self.links: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and ("javascript:" in squeezed or "expression(" in squeezed):
                self.problems.append(f"<{tag} style={value!r}>")
            if name in ("value", "title", "alt", "placeholder", "content"):
                self.texts.append(value)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}>")
            self._script = True
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def scan(html: str) -> Scan:
    found = Scan()
    found.feed(html)
    found.close()
    return found


def assert_harmless(html: str, where: str) -> Scan:
    found = scan(html)
    assert not found.problems, f"{where}: {found.problems}"
    return found


SKIP = (".pdf", ".csv", ".xlsx", "/file", "/logout")


def crawl(client, seeds, *, limit: int = 250, variants: int = 12) -> dict[str, Scan]:
    """Every page reachable from `seeds` by its links, each checked harmless; {url: scan}.
    At most `variants` URLs of one shape (digits aside) are followed: records made by a test
    are fewer, while year-by-year and page-by-page links would go on for ever."""
    pages: dict[str, Scan] = {}
    seen: set[str] = set()
    per_path: dict[str, int] = {}
    queue = list(seeds)
    while queue and len(pages) < limit:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if url in seen or parts.netloc or not url.startswith("/") or url.startswith("/static/"):
            continue
        if parts.path.endswith(SKIP) or "/files/" in parts.path or "/attachments/" in parts.path:
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", url)
        per_path[shape] = per_path.get(shape, 0) + 1
        if per_path[shape] > variants and url not in seeds:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        pages[url] = assert_harmless(response.text, url)
        queue.extend(pages[url].links)
    return pages


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_shown(pages: dict[str, Scan], markers: list[str], payload: str = SCRIPT) -> None:
    """Each marker's payload is read as text (escaped, not markup) on at least one page."""
    whole = _squeeze("\n".join(page.text for page in pages.values()))
    missing = [m for m in markers if _squeeze(f"{m} {payload}") not in whole]
    assert not missing, f"not shown as text anywhere: {missing} (pages: {sorted(pages)})"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def assert_in_pdf(data: bytes, markers: list[str], payload: str = SCRIPT) -> None:
    text = _squeeze(pdf_text(data))
    missing = [m for m in markers if _squeeze(f"{m} {payload}") not in text]
    assert not missing, f"not in the PDF as text: {missing}\n{pdf_text(data)[:3000]}"


class PdfHtml:
    """Keeps every HTML string handed to WeasyPrint (installed with monkeypatch)."""

    def __init__(self, monkeypatch) -> None:
        # Every record is rendered in a rendering process: keep the HTML where it is sent.
        from qms.reports import pdf

        self.documents: list[str] = []
        original = pdf._Child.run

        def keep(child, job, args, timeout):
            self.documents.append(str(args[0]))
            return original(child, job, args, timeout)

        monkeypatch.setattr(pdf._Child, "run", keep)

    def assert_harmless(self, where: str) -> None:
        assert self.documents, f"{where}: no PDF was rendered"
        for number, html in enumerate(self.documents):
            assert_harmless(html, f"{where} (PDF HTML #{number})")
