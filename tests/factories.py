"""Records in a given state, and clients signed in as a given person, for the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from qms.auth import service as auth
from qms.auth.models import Department, Role, User
from qms.db import unit_of_work
from qms.deps import SESSION_COOKIE

PASSWORD = "correct horse battery"


@dataclass
class Person:
    user: User
    password: str = PASSWORD

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def email(self) -> str:
        return self.user.email


class World:
    """A small organisation: departments A (audited) and B, one person per role."""

    def __init__(self, app):
        self.app = app
        self.engine = app.state.engine
        with unit_of_work(self.engine) as session:
            self.dept_a = auth.create_department(session=session, by=None, code="A", name="Phòng A")
            self.dept_b = auth.create_department(session=session, by=None, code="B", name="Phòng B")
        self.admin = self.person("admin@example.org", [Role.admin], self.dept_b)
        self.quality_officer = self.person("qo@example.org", [Role.quality_officer], self.dept_b)
        self.auditor = self.person("auditor@example.org", [Role.auditor], self.dept_b)
        self.manager = self.person("manager@example.org", [Role.manager], self.dept_a)
        self.staff = self.person("staff@example.org", [Role.staff], self.dept_a)
        self.manager_b = self.person("manager.b@example.org", [Role.manager], self.dept_b)
        self.auditor_a = self.person("auditor.a@example.org", [Role.auditor], self.dept_a)
        self._tokens: dict[int, str] = {}

    @property
    def by_role(self) -> dict[str, Person]:
        return {
            "admin": self.admin,
            "quality_officer": self.quality_officer,
            "auditor": self.auditor,
            "manager": self.manager,
            "staff": self.staff,
        }

    def person(self, email: str, roles, department: Department | None, **extra) -> Person:
        with unit_of_work(self.engine) as session:
            user = auth.create_user(
                session=session,
                by=None,
                email=email,
                full_name=extra.pop("full_name", email.split("@")[0].title()),
                password=PASSWORD,
                roles=roles,
                department_id=department.id if department else None,
                position_title=extra.pop("position_title", "Chuyên viên"),
                **extra,
            )
        return Person(user)

    def token(self, person: Person) -> str:
        if person.id not in self._tokens:
            with unit_of_work(self.engine) as session:
                user = session.get(User, person.id)
                _row, secret = auth.create_token(session=session, user=user, name="tests")
            self._tokens[person.id] = secret
        return self._tokens[person.id]

    def api(self, person: Person | None) -> TestClient:
        """A client calling the API with the person's bearer token (anonymous for None)."""
        client = TestClient(self.app)
        if person is not None:
            client.headers["Authorization"] = f"Bearer {self.token(person)}"
        return client

    def browser(self, person: Person | None = None) -> Browser:
        """A client that uses the pages as a person would: cookies, forms, CSRF tokens."""
        browser = Browser(self.app)
        if person is not None:
            # Signed in through the same service the sign-in page uses, without the page
            # round trips (tests of the sign-in page itself use browser.sign_in).
            with unit_of_work(self.engine) as session:
                result = auth.authenticate(
                    session=session,
                    email=person.email,
                    password=person.password,
                    ip="testclient",
                    max_failures=1000,
                )
            assert result.session_token, f"{person.email} could not sign in"
            browser.cookies.set(SESSION_COOKIE, result.session_token)
        return browser


CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


class Browser(TestClient):
    def __init__(self, app):
        super().__init__(app, follow_redirects=False)

    def csrf(self, page: str = "/login") -> str:
        found = CSRF_META.search(self.get(page).text)
        assert found, f"no CSRF token on {page}"
        return found.group(1)

    def sign_in(self, person: Person, password: str | None = None):
        token = self.csrf("/login")
        response = self.post(
            "/login",
            data={
                "csrf_token": token,
                "email": person.email,
                "password": password or person.password,
            },
        )
        if password is None:
            assert response.status_code == 303, response.text
        return response

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, files=None):
        """POST a form with the CSRF token read from `page` (the form's own page)."""
        token = self.csrf(page or "/")
        return self.post(url, data={"csrf_token": token, **(data or {})}, files=files)
