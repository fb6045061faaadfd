"""PDF records: every record's HTML rendered by WeasyPrint in a child process, within a time limit.

One path for every PDF record (the controlled copy, the corrective-action request form, the
audit report): the domain renders its Jinja2 template to HTML, then `render_pdf(html,
stylesheets=..., timeout=...)` turns it into PDF bytes or raises `Unavailable` (503) with a
message a person can act on.

Why a child process: WeasyPrint is CPU-bound and single-threaded, and a thread cannot be
stopped. A render that runs away (a pathological layout, a huge record) would hold its
slot and a core until it finished. So each render runs in one of at most MAX_CONCURRENT
long-lived child processes (`python -m qms.reports.child`, never forked from a threaded
server);
the caller's thread waits for the answer up to the limit (`QMS_PDF_TIMEOUT` seconds), then
kills that child and raises. The next render starts a fresh child. A child keeps WeasyPrint,
the fonts and the parsed stylesheets loaded between renders, as a server should.

Nothing half-written: the renderer writes nothing. Callers keep a PDF (a file, a report
row, a signature) only after the bytes came back, in the transaction that the error rolls
back.

Resources are fetched only from the app's own static files: never file://, never the
network. Fonts are the system's DejaVu (Debian fonts-dejavu-core, which covers Vietnamese),
embedded, so the text extracts as text.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from qms.config import PROJECT_ROOT
from qms.errors import Unavailable
from qms.i18n import Formatter, translations

log = logging.getLogger("qms.reports")

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = TEMPLATES_DIR / "static"
PDF_TEMPLATES = TEMPLATES_DIR / "pdf"
# Relative URLs in a record resolve against this made-up origin; only its /static/ part
# is served, from the app's static folder.
BASE_URL = "https://qms.invalid/static/"
MAX_CONCURRENT = 2
# A rendering process that grew past this (a very large record) is not kept idle.
MAX_IDLE_MB = 250

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


@cache
def stylesheet(name: str) -> str:
    """The text of templates/pdf/NAME (one small print stylesheet per record)."""
    return (PDF_TEMPLATES / name).read_text(encoding="utf-8")


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


# --- in the child process ----------------------------------------------------------------


@cache
def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the app's static files; everything else (file://, http(s)://, data:
        outside the static origin) is refused and WeasyPrint renders without it."""

        def fetch(self, url, headers=None):
            path = static_file(url)
            return URLFetcherResponse(url, path.read_bytes(), {}, 200)

    return StaticOnlyFetcher(fail_on_errors=False)


@cache
def _fonts():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=16)
def _css(text: str):
    from weasyprint import CSS

    return CSS(string=text, base_url=BASE_URL, url_fetcher=_fetcher(), font_config=_fonts())


def write_pdf(html: str, stylesheets: Sequence[str]) -> bytes:
    """HTML and stylesheets (CSS text) to PDF bytes. Runs in a child process."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher())
    return document.write_pdf(
        stylesheets=[_css(text) for text in stylesheets], font_config=_fonts()
    )


def serve(conn) -> None:
    """A child's loop: one job at a time, until the parent closes the pipe."""
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", job(*args)))
        except Exception as exc:  # the parent turns it into a message for the reader
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:2000]))


# --- in the server -----------------------------------------------------------------------


class _Child:
    """One rendering process (`python -m qms.reports.child`) and the socket to it.

    Started as a fresh interpreter rather than with multiprocessing: a forked child of a
    threaded server may inherit a lock held by another thread, and multiprocessing's
    "spawn" re-runs the parent's main script, which a server or a script need not allow.
    """

    def __init__(self):
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # The child imports what the parent can (the job is sent by reference).
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        try:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", "qms.reports.child", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job, args: tuple, timeout: float):
        self.conn.send((job, args))
        if not self.conn.poll(timeout):
            raise TimeoutError
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.close()
        if self.alive():
            self.process.kill()
        self.process.wait()


def _resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_idle: list[_Child] = []
_idle_lock = threading.Lock()


def _take() -> _Child:
    with _idle_lock:
        while _idle:
            child = _idle.pop()
            if child.alive():
                return child
            child.stop()
    return _Child()


def _give_back(child: _Child) -> None:
    with _idle_lock:
        _idle.append(child)


@atexit.register
def shutdown() -> None:
    """Stop the idle rendering processes (they are started again when needed)."""
    with _idle_lock:
        children, _idle[:] = list(_idle), []
    for child in children:
        child.stop()


def render_pdf(html: str, *, stylesheets: Sequence[str] = (), timeout: float) -> bytes:
    """The PDF of `html`, rendered in a child process within `timeout` seconds.

    At most MAX_CONCURRENT renders run at once; the others wait for a slot (the wait does not
    count against the limit). A render that fails or runs past the limit raises Unavailable
    (503): the child that ran past it is killed.
    """
    with _slots:
        child = _take()
        try:
            # Looked up at each call (not bound at import) so that the job is always the
            # module's current `write_pdf`.
            status, value = child.run(write_pdf, (html, tuple(stylesheets)), timeout)
        except TimeoutError:
            child.stop()
            log.error("PDF rendering ran past %s s: the rendering process was stopped", timeout)
            raise Unavailable(
                "The PDF took longer than %(seconds)s seconds to render and was stopped. "
                "Nothing was saved: try again later, or ask the administrator to raise "
                "the time limit (QMS_PDF_TIMEOUT).",
                seconds=f"{timeout:g}",
            ) from None
        except (EOFError, OSError) as exc:  # the child died (out of memory, killed)
            child.stop()
            log.error("the PDF rendering process died: %s", exc)
            raise _failed() from None
        except BaseException:
            child.stop()
            raise
        # A very large record leaves the process big (Python keeps what it allocated):
        # start afresh rather than keep that memory while idle.
        if _resident_mb(child.process.pid) > MAX_IDLE_MB:
            child.stop()
        else:
            _give_back(child)
    if status != "ok":
        log.error("PDF rendering failed: %s", value)
        raise _failed()
    return value


def _failed() -> Unavailable:
    return Unavailable(
        "The PDF could not be rendered. Nothing was saved: try again, and tell the "
        "administrator if it happens again."
    )


def render_template(
    template: str,
    context: dict[str, Any],
    *,
    stylesheets: Sequence[str] = ("print.css",),
    lang: str = "vi",
    timezone: str = "UTC",
    timeout: float,
) -> bytes:
    """The PDF of a template under templates/ (e.g. "pdf/controlled_copy.html"), with the
    named stylesheets of templates/pdf/."""
    html = render_html(template, context, lang=lang, timezone=timezone)
    return render_pdf(html, stylesheets=[stylesheet(n) for n in stylesheets], timeout=timeout)
