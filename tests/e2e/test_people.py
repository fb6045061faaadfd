"""Signing in as each demo person, a wrong password, and the language switch, in Chromium."""

from __future__ import annotations

import pytest

PEOPLE = [
    ("admin@ubnd.demo.vn", "Đỗ Quang Vinh"),
    ("chatluong@ubnd.demo.vn", "Nguyễn Thị Lan"),
    ("danhgia@ubnd.demo.vn", "Trần Văn Hùng"),
    ("giamdoc@ubnd.demo.vn", "Lê Minh Tuấn"),
    ("nhanvien@ubnd.demo.vn", "Phạm Thu Hà"),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("email", "name"), PEOPLE, ids=[p[0].split("@")[0] for p in PEOPLE])
def test_each_demo_person_signs_in_and_out(journey, email, name):
    tab = journey()
    page = tab.sign_in(email)
    assert name in page.inner_text("h1")
    tab.shot("home")
    tab.sign_out()
    assert page.url.endswith("/login")
    assert "You have signed out." in page.inner_text("main")


@pytest.mark.e2e
def test_a_wrong_password_and_a_missing_field_are_explained(journey):
    tab = journey()
    page = tab.goto("/login")
    page.fill("#f-email", "nhanvien@ubnd.demo.vn")
    page.fill("#f-password", "wrong")
    tab.submit("form[action='/login']")
    assert "not correct" in page.inner_text("main")
    assert page.input_value("#f-email") == "nhanvien@ubnd.demo.vn"
    tab.shot("wrong-password")
    page.fill("#f-email", "")
    tab.submit("form[action='/login']")
    assert "Enter your e-mail address." in page.inner_text(".field-error")
    tab.shot("missing-email")


@pytest.mark.e2e
def test_vietnamese_pages_at_tablet_width(journey):
    tab = journey(lang="vi", width=800, height=1280)
    page = tab.goto("/login")
    assert "Đăng nhập" in page.inner_text("h1")
    tab.sign_in("chatluong@ubnd.demo.vn")
    assert "Xin chào" in page.inner_text("h1")
    tab.shot("home-vi-tablet")
    # The header of the role with the most entries keeps to two rows at 800 px.
    tops = page.evaluate(
        """() => [...document.querySelectorAll(
            'header.top .brand, header.top nav.main li, header.top .who, header.top form.lang')]
            .map(e => Math.round(e.getBoundingClientRect().top / 12))"""
    )
    assert len(set(tops)) <= 2, tops
    tab.goto("/documents/to-read")
    current = page.eval_on_selector_all(
        "header nav a[aria-current=page]", "els => els.map(e => e.getAttribute('href'))"
    )
    assert current == ["/documents/to-read"]
    tab.shot("to-read-vi-tablet")
    # An entry scrolled out of the row is brought into view when it is the current page.
    tab.goto("/evidence")
    seen = page.evaluate(
        """() => { const row = document.querySelector('header nav.main').getBoundingClientRect();
            const here = document.querySelector('header nav.main a[aria-current]').getBoundingClientRect();
            return [here.left >= row.left, here.right <= row.right + 1]; }"""
    )
    assert seen == [True, True], seen
    # Administration is one menu beside the person's links: one tap opens it.
    assert page.locator("header nav.main a[href='/admin/users']").count() == 0
    assert not page.locator("#admin-menu a[href='/admin/users']").is_visible()
    page.click("#admin-menu summary")
    assert page.locator("#admin-menu a[href='/admin/users']").is_visible()
    tab.shot("admin-menu-vi-tablet")
    page.click("#admin-menu a[href='/admin/reminders']")
    page.wait_for_load_state()
    assert page.locator("#admin-menu[data-current]").count() == 1
    assert page.eval_on_selector_all(
        "header a[aria-current=page]", "els => els.map(e => e.getAttribute('href'))"
    ) == ["/admin/reminders"]
    tab.goto("/documents/to-read")
    # One click to the other language.
    tab.submit("form[action='/lang']")
    assert page.url.endswith("/documents/to-read") and page.get_attribute("html", "lang") == "en"
    tab.goto("/")
    assert "Hello" in page.inner_text("h1")


@pytest.mark.e2e
def test_an_unknown_address_says_so(journey):
    tab = journey()
    tab.sign_in("nhanvien@ubnd.demo.vn")
    response = tab.page.goto(tab.base + "/no/such/page")
    assert response.status == 404
    assert "There is no such page" in tab.page.inner_text("main")
