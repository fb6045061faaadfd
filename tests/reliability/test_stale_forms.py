"""A page's form carries the version of the record it shows, and a form re-shown after a
stale save keeps the version it was edited against: submitting it again is refused too,
instead of silently overwriting the change the person has not seen."""

from __future__ import annotations

import re

from sqlmodel import Session

from qms.auth.models import User

VERSION = re.compile(r'<input type="hidden" name="version" value="(\d+)">')


def test_a_re_shown_stale_form_is_refused_again(world):
    browser = world.browser(world.admin)
    target = world.staff.id
    page = browser.get(f"/admin/users/{target}")
    version = VERSION.search(page.text).group(1)
    assert version == str(world.staff.user.version)

    someone_else = world.api(world.admin).patch(
        f"/api/v1/users/{target}", json={"version": int(version), "position_title": "Văn thư"}
    )
    assert someone_else.status_code == 200

    data = {"version": version, "full_name": "Staff", "roles": "staff", "is_active": "on"}
    stale = browser.submit(
        f"/admin/users/{target}", {**data, "position_title": "Chuyên viên"}, page="/admin/users"
    )
    assert stale.status_code == 409
    shown = VERSION.search(stale.text).group(1)
    assert shown == version  # the version the person edited against, not the newer one
    again = browser.submit(
        f"/admin/users/{target}",
        {**data, "version": shown, "position_title": "Chuyên viên"},
        page="/admin/users",
    )
    assert again.status_code == 409
    with Session(world.engine) as session:
        assert session.get(User, target).position_title == "Văn thư"
