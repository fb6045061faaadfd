"""A tour of every kind of page, as each role, in Vietnamese and English, at the widths
of a 10-inch tablet (portrait and landscape) and a phone: screenshots under
test-results/tour/ to be read one by one, and the things a person would notice asserted
(raw codes or English words shown, the wrong `lang`, ISO dates, pages wider than a tablet)."""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.pofile import read_po

from qms.config import PROJECT_ROOT
from tests.e2e.conftest import DEMO_PASSWORD, RESULTS
from tests.e2e.test_pages_look import PAGER_YEAR, plan_audits_for_the_pager

WIDTHS = {"portrait": (800, 1280), "landscape": (1280, 800), "phone": (390, 844)}
MAX_HEIGHT = 3000

# A snake_case word (`in_review`, `action_planned`) is a code, not a word; so is a placeholder.
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|%\(|\{\{|\}\}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
VI_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")

# Visible text without what people typed (demo records) and without e-mail addresses.
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.markdown, pre, code, script, style, [data-raw]').forEach(e => e.remove());
  document.body.appendChild(copy); copy.style.position = 'absolute';
  const text = copy.innerText; copy.remove(); return text;
}"""


@cache
def english_words() -> re.Pattern:
    """Every English msgid whose Vietnamese differs: none should be shown in Vietnamese."""
    words = set()
    for po in (PROJECT_ROOT / "qms/locales/vi/LC_MESSAGES").glob("*.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                msgid = message.id
                if not msgid or not isinstance(msgid, str) or not message.string:
                    continue
                if message.string == msgid or "%(" in msgid or len(msgid) < 4:
                    continue
                # Single words that Vietnamese keeps (PDF, Email…) are not a sign of English.
                if " " not in msgid and not msgid[0].islower() and len(msgid) < 7:
                    continue
                words.add(msgid)
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in ordered) + r")(?![\w])")


class Tour:
    def __init__(self, chromium, base: str, lang: str):
        self.chromium = chromium
        self.base = base
        self.lang = lang
        self.folder = RESULTS / "tour" / lang
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0
        self.contexts = []
        self.seen: list[str] = []
        self.problems: list[str] = []  # all of them at the end, not only the first

    def tab(self, email: str | None):
        width, height = WIDTHS["portrait"]
        context = self.chromium.new_context(
            viewport={"width": width, "height": height}, locale=self.lang
        )
        context.add_cookies([{"name": "qms_lang", "value": self.lang, "url": self.base}])
        self.contexts.append(context)
        page = context.new_page()
        if email:
            page.goto(self.base + "/login")
            page.fill("#f-email", email)
            page.fill("#f-password", DEMO_PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_load_state()
            assert page.url.rstrip("/") == self.base, f"{email} could not sign in"
        return page

    def visit(self, page, name: str, path: str | None = None, *, status: int = 200):
        if path is not None:
            response = page.goto(self.base + path)
            assert response.status == status, f"{path}: {response.status}"
        self.look(page, name)

    def look(self, page, name: str, *, at: str | None = None):
        """Check what a person would notice, then photograph the page at each width (from
        the top, or from the element `at` where a long page is read further down)."""
        where = f"{name} ({self.lang}, {page.url.removeprefix(self.base)})"
        problems = self.problems
        if page.get_attribute("html", "lang") != self.lang:
            problems.append(f"{where}: lang={page.get_attribute('html', 'lang')}")
        title = page.title()
        if re.match(r"\d{3}\b", title):
            problems.append(f"{where}: a status code as the title: {title}")
        text = page.evaluate(VISIBLE_TEXT)
        if raw := RAW_CODE.findall(text):
            problems.append(f"{where}: raw codes shown: {sorted(set(raw))}")
        if dates := ISO_DATE.findall(text):
            problems.append(f"{where}: ISO dates shown: {sorted(set(dates))}")
        if self.lang == "vi" and (english := english_words().findall(text)):
            problems.append(f"{where}: English shown in Vietnamese: {sorted(set(english))}")
        self.count += 1
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if wide[0] > wide[1]:
                problems.append(f"{where}: wider than the tablet ({label}): {wide}")
            # The top of a long page is what needs reading (a 140-item checklist is 60,000
            # pixels tall and would take seconds to photograph whole).
            tall = page.evaluate("() => document.documentElement.scrollHeight")
            top = 0
            if at is not None:
                top = max(
                    0,
                    int(
                        page.eval_on_selector(
                            at, "e => e.getBoundingClientRect().top + window.scrollY"
                        )
                    )
                    - 120,
                )
            page.screenshot(
                path=str(self.folder / f"{self.count:02d}-{name}-{label}.png"),
                full_page=True,
                clip={"x": 0, "y": top, "width": width, "height": min(tall - top, height * 2)}
                if at
                else {"x": 0, "y": 0, "width": width, "height": min(tall, MAX_HEIGHT)},
            )
        page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["portrait"], strict=True)))
        self.seen.append(name)

    def links(self, page, pattern: str) -> dict[str, str]:
        """Link text → href for the links of the main part whose href matches."""
        pairs = page.eval_on_selector_all(
            "main a[href]", "els => els.map(e => [e.innerText.trim(), e.getAttribute('href')])"
        )
        return {text: href for text, href in pairs if re.fullmatch(pattern, href)}

    def close(self):
        for context in self.contexts:
            context.close()


def _href(links: dict[str, str], code: str) -> str:
    found = [href for text, href in links.items() if code in text]
    assert found, f"no link for {code} in {links}"
    return found[0]


@pytest.fixture
def tour(request, chromium, live_server):
    made = Tour(chromium, live_server, request.node.callspec.params["lang"])
    yield made
    made.close()


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_kind_of_page_reads_well(tour, lang):
    # Signed out: the sign-in page, and a wrong password explained beside the field.
    page = tour.tab(None)
    tour.visit(page, "sign-in", "/login")
    page.fill("#f-email", "nhanvien@ubnd.demo.vn")
    page.fill("#f-password", "wrong")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("#f-email") == "nhanvien@ubnd.demo.vn"
    tour.look(page, "sign-in-refused")

    # The quality officer: documents, audits, nonconformities, reminders.
    page = tour.tab("chatluong@ubnd.demo.vn")
    tour.visit(page, "home-quality-officer")
    tour.visit(page, "documents", "/documents")
    documents = tour.links(page, r"/documents/\d+")
    assert VI_DATE.search(page.inner_text("main")) or lang == "en"
    tour.visit(page, "documents-filtered", "/documents?status=effective&q=QT")
    # Ranked text search with a snippet of where the words are (issue 19.10).
    tour.visit(page, "documents-search", "/documents?q=h%E1%BB%93+s%C6%A1+l%C6%B0u+tr%E1%BB%AF")
    assert page.locator("main p.snippet").count() > 0, "no snippet on the text search"
    qt06 = _href(documents, "QT-06")
    tour.visit(page, "document", qt06)
    # A long record page opens with links to its sections (issue 19.8).
    assert page.locator("main nav.jump a[href='#revisions-title']").count() == 1
    revisions = tour.links(page, r"/revisions/\d+")
    tour.visit(page, "document-history", qt06 + "/history")
    # The comparison, without parameters: the previous revision, rendered text, word by word
    # (issue 19.6).
    tour.visit(page, "document-diff", qt06 + "/diff")
    assert page.locator("main .diff-text").count() > 0
    assert "**" not in page.inner_text("main .diff-text")
    tour.visit(page, "revision-effective", next(iter(revisions.values())))
    tour.visit(page, "document-new", "/documents/new")
    page.fill("#f-code", "QT-01")
    page.fill("#f-title", "Trùng mã")
    page.select_option("#f-department_id", index=1)
    page.fill("#f-clauses", "7.5")
    page.click("form[action='/documents'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".field-error").count() >= 1, "the refusal is not beside a field"
    assert page.input_value("#f-title") == "Trùng mã"
    tour.look(page, "document-new-refused")
    tour.visit(page, "audits", "/audits")
    audits = tour.links(page, r"/audits/\d+")
    tour.visit(page, "audit-programme", "/audit-programmes/2026")
    tour.visit(page, "audit-planned", _href(audits, "IA-2026-03"))
    tour.visit(page, "audit-new", "/audits/new")
    tour.visit(page, "audit-templates", "/audit-templates")
    templates = tour.links(page, r"/audit-templates/[^/]+")
    tour.visit(page, "audit-template", next(iter(templates.values())))
    # The programme names the departments with no audit this year, each with a link that
    # plans one for it (issue 19.10); the list exports as the other registers do.
    tour.visit(page, "audit-programme-warning", "/audit-programmes/2026")
    warned = page.locator("#not-covered li a")
    assert warned.count() > 0, "the demo covers every department: nothing to warn about"
    warned.first.click()
    page.wait_for_load_state()
    assert page.locator("#f-department_id option:checked").get_attribute("value")
    tour.look(page, "audit-new-for-department")
    page.goto(tour.base + "/audits")
    assert page.locator("a[href^='/api/v1/audits.csv']").count() == 1
    assert page.locator("a[href^='/api/v1/audits.xlsx']").count() == 1
    # The one pager, on a year with two pages of audits.
    plan_audits_for_the_pager(page, tour.base)
    tour.visit(page, "audits-pager", f"/audits?year={PAGER_YEAR}")
    assert page.locator("nav.pager a[rel=next]").count() == 1
    page.locator("nav.pager a[rel=next]").click()
    page.wait_for_load_state()
    tour.look(page, "audits-pager-second")
    tour.visit(page, "nonconformities", "/nonconformities")
    ncs = tour.links(page, r"/nonconformities/\d+")
    tour.visit(page, "nonconformities-filtered", "/nonconformities?status=open&overdue=")
    tour.visit(page, "nc-verifying", _href(ncs, "NC-2026-0001"))
    tour.visit(page, "nc-closed", _href(ncs, "NC-2026-0003"))
    tour.visit(page, "nc-cancelled", _href(ncs, "NC-2026-0005"))
    tour.visit(page, "nc-new", "/nonconformities/new")
    # An empty form names every missing field beside it, not only the first (issue 19.2);
    # the browser's own check (one bubble at a time) is set aside to see the server's.
    page.eval_on_selector("form[action='/nonconformities']", "f => { f.noValidate = true; }")
    page.click("form[action='/nonconformities'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".field-error").count() >= 3, "one error at a time"
    tour.look(page, "nc-new-refused")
    # Text search on the register (issue 19.10).
    tour.visit(page, "nonconformities-search", "/nonconformities?q=b%C6%B0u+%C4%91i%E1%BB%87n")
    tour.visit(
        page,
        "nc-trail",
        _href(ncs, "NC-2026-0007").replace("nonconformities", "trail/nonconformity"),
    )
    tour.visit(page, "reminder-sweeps", "/admin/reminders")
    # `qms demo` ran a sweep; one more from the page adds nothing new but shows the run.
    page.click("form[action='/admin/reminders'] button[type=submit]")
    page.wait_for_load_state()
    tour.look(page, "reminder-sweep-run")
    tour.visit(page, "notifications", "/notifications")
    assert page.locator("ol.work li").count() > 0, "the sweep left the inbox empty"
    tour.visit(page, "account", "/account")
    # Administration is one menu: the header keeps to two rows (issue 19.10).
    page.click("#admin-menu summary")
    assert page.locator("#admin-menu a[href='/admin/reminders']").is_visible()
    tour.look(page, "header-admin-menu")

    # The reviewer and the approver sign (the forms are shown, not submitted).
    page = tour.tab("giamdoc@ubnd.demo.vn")
    tour.visit(page, "home-manager")
    # The manager's home shows the department's open work, overdue first (issue 19.10).
    assert page.locator("#department h3 a").count() > 0, "no open work of the department"
    tour.visit(page, "to-sign", "/documents/to-sign")
    tour.visit(page, "revision-review", _href(tour.links(page, r"/revisions/\d+"), "QT-08"))
    # The text comes before the reviewer's sign form; no controlled copy of a draft (19.8).
    assert page.locator("main nav.jump").count() == 1
    assert page.locator("main a[href$='.pdf']").count() == 0
    order = page.evaluate(
        """() => { const text = document.getElementById('content-title');
            const sign = document.querySelector('form[action$="/review"]');
            return text.compareDocumentPosition(sign) & Node.DOCUMENT_POSITION_FOLLOWING; }"""
    )
    assert order, "the sign form comes before the text"
    tour.look(page, "revision-review-sign-form", at="form[action$='/review']")
    tour.visit(page, "nc-open", _href(ncs, "NC-2026-0006"))
    tour.visit(page, "nc-action-planned", _href(ncs, "NC-2026-0007"))
    page = tour.tab("chanhvp@ubnd.demo.vn")
    tour.visit(page, "home-approver")
    page.goto(tour.base + "/documents/to-sign")
    tour.visit(page, "revision-approve", _href(tour.links(page, r"/revisions/\d+"), "QT-10"))
    tour.visit(page, "nc-investigating", _href(ncs, "NC-2026-0004"))

    # The auditors: an audit in progress, its checklist, a reported audit with its report.
    page = tour.tab("danhgia2@ubnd.demo.vn")
    tour.visit(page, "home-auditor")
    in_progress = _href(audits, "IA-2026-02")
    tour.visit(page, "audit-in-progress", in_progress)
    tour.visit(page, "checklist", in_progress + "/checklist")
    # One tap of "minor NC" raises nothing: the page comes back at the item, asking for the
    # finding (then a confirmation; tests/e2e/test_audit_journey.py goes on) (issue 19.9).
    page.goto(tour.base + in_progress + "/checklist?show=open")
    item = "#" + page.eval_on_selector("ol.items > li[id^=item-]", "e => e.id")
    page.check(f"{item} input[name=result][value=minor_nc]")
    page.click(f"{item} button.primary")
    page.wait_for_load_state()
    assert page.locator(f"{item} p.error").is_visible()
    tour.look(page, "checklist-minor-nc-asks-the-finding", at=item)
    page.fill(f"{item} textarea[name=evidence]", "Sổ theo dõi không ghi người xử lý.")
    page.click(f"{item} button.primary")
    page.wait_for_load_state()
    assert page.locator(f"{item} input[name=confirm_nonconformity]").is_visible()
    tour.look(page, "checklist-minor-nc-confirm", at=item)
    page = tour.tab("danhgia@ubnd.demo.vn")
    reported = _href(audits, "IA-2026-01")
    tour.visit(page, "audit-reported", reported)
    tour.visit(page, "checklist-reported", reported + "/checklist")

    # Staff: reading and acknowledging, and what they may not open.
    page = tour.tab("nhanvien@ubnd.demo.vn")
    tour.visit(page, "home-staff")
    tour.visit(page, "to-read", "/documents/to-read")
    to_read = tour.links(page, r"/(documents|revisions)/\d+")
    # Nothing is acknowledged from the list: only from the revision's page, after its text,
    # with a confirmation naming what is acknowledged (issue 19.1).
    assert page.locator("main form[action$='/acknowledge']").count() == 0
    tour.visit(page, "reading", next(iter(to_read.values())))
    assert page.locator("#acknowledge input[name=confirm]").count() == 1
    tour.look(page, "reading-acknowledge", at="#acknowledge")
    tour.visit(page, "forbidden", "/admin/users", status=403)
    tour.visit(page, "not-found", "/documents/999999", status=404)
    tour.visit(page, "notifications-staff", "/notifications")

    # The administrator: users and departments.
    page = tour.tab("admin@ubnd.demo.vn")
    tour.visit(page, "home-admin")
    tour.visit(page, "users", "/admin/users")
    tour.visit(page, "user", _href(tour.links(page, r"/admin/users/\d+"), "Phạm Thu Hà"))
    tour.visit(page, "departments", "/admin/departments")

    assert len(tour.seen) >= 40
    assert not tour.problems, "\n".join(tour.problems)
