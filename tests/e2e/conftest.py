"""Browser tests: the real app served by uvicorn on a free loopback port, with a fresh
database and the demo office, driven by Playwright in Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from qms.config import PROJECT_ROOT
from tests.conftest import ON_POSTGRES

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = PROJECT_ROOT / "test-results"
DEMO_PASSWORD = "demo-2026"

if not CHROMIUM.exists():
    pytest.skip(
        "browser tests skipped: /usr/bin/chromium is not installed "
        "(apt-get install chromium chromium-driver; .ci/run does)",
        allow_module_level=True,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`--dist loadgroup`), a module's browser tests run on one worker,
    so that its served app and its browser (module fixtures) start once, not on every worker."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group(f"e2e-{item.path.stem}"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, demo_template):
    """`qms serve` in a child process, on a copy of what `qms demo` left (the worker's demo
    template, tests/conftest.py: made once, not by every module); yields the base URL."""
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    database = f"qms_e2e_{uuid.uuid4().hex[:10]}" if ON_POSTGRES else None
    url = demo_template.copy_into(data_dir, database)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    env.update(demo_template.env(data_dir, url))
    qms = [sys.executable, "-m", "qms"]
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [*qms, "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - loopback
            break
        except OSError:
            assert server.poll() is None, (data_dir / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)  # polling the condition: the server answers
    yield base
    server.terminate()
    server.wait(timeout=30)
    log.close()
    if database is not None:
        demo_template.drop(database)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


class Journey:
    """One person's browser tab, saving numbered screenshots of the key pages."""

    def __init__(self, context, base: str, folder: Path, counter: list[int]):
        self.context = context
        self.page = context.new_page()
        self.base = base
        self.folder = folder
        self.counter = counter  # shared by the journey's tabs: screenshots in order

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        self.counter[0] += 1
        path = self.folder / f"{self.counter[0]:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        self.goto("/login")
        self.page.fill("#f-email", email)
        self.page.fill("#f-password", password)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_load_state()
        return self.page

    def sign_out(self):
        self.page.click("form[action='/logout'] button")
        self.page.wait_for_load_state()

    def submit(self, form_selector: str):
        self.page.click(f"{form_selector} button[type=submit]")
        self.page.wait_for_load_state()
        return self.page


@pytest.fixture
def journey(request, chromium, live_server):
    """New tabs (one per person, each with its own cookies) for one test's journey."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)
    folder = RESULTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    contexts: list = []
    journeys: list[Journey] = []
    counter = [0]

    def open_tab(*, lang: str = "en", width: int = 1280, height: int = 900) -> Journey:
        context = chromium.new_context(viewport={"width": width, "height": height}, locale=lang)
        context.add_cookies([{"name": "qms_lang", "value": lang, "url": live_server}])
        contexts.append(context)
        tab = Journey(context, live_server, folder, counter)
        journeys.append(tab)
        return tab

    yield open_tab
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        for index, tab in enumerate(journeys):
            # A closed page has nothing more to save.
            with contextlib.suppress(Exception):
                tab.page.screenshot(path=str(folder / f"failed-{index}.png"), full_page=True)
                (folder / f"failed-{index}.html").write_text(tab.page.content())
    for context in contexts:
        context.close()
