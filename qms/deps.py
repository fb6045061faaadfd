"""FastAPI dependencies: the request's database session, the signed-in user, settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import BeforeValidator
from sqlmodel import Session

from qms.auth import service as auth
from qms.auth.models import User, Viewer
from qms.config import Settings
from qms.db import MAX_ID, read_only, unit_of_work, utcnow
from qms.errors import Unauthenticated

SESSION_COOKIE = "qms_session"
# Writing last_seen_at on every page view would turn reads into writes.
TOUCH_EVERY = timedelta(minutes=1)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def get_settings(request: Request) -> Settings:
    # async: no I/O, so no hop to the threadpool.
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    engine = request.app.state.engine
    write = request.method not in SAFE_METHODS
    with Session(engine if write else read_only(engine), expire_on_commit=False) as session:
        # Pages rendered inside the handler read their header figures (the unread badge)
        # in this same transaction; error pages rendered after it ends open their own.
        request.state.db_session = session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            request.state.db_session = None


# Ids as the databases store them: anything else is a 422 naming the parameter, not a 500.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]

SettingsDep = Annotated[Settings, Depends(get_settings)]


def _iso_day(value):
    """Only YYYY-MM-DD: pydantic alone would also read "0" as a day (a Unix timestamp)."""
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("Enter the date as YYYY-MM-DD.")
    return value


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A day in a query string (a register's filter), as YYYY-MM-DD.
DayQuery = Annotated[date | None, BeforeValidator(_iso_day)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class LoginRequired(Exception):
    """A page needs a signed-in person: the handler redirects to the sign-in page."""


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def resolve_user(request: Request, session: Session) -> User | None:
    """The user behind the request's bearer token or session cookie, or None."""
    if "qms_user" in request.state._state:
        return request.state.qms_user
    settings: Settings = request.app.state.settings
    user = None
    token = _bearer(request)
    if token:
        found = auth.user_for_token(session=session, token=token)
        if found:
            user = found[0]
            request.state.auth_method = "token"
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            # A page read by a person: the header's unread count comes in the same query.
            badge = getattr(request.app.state, "unread_column", None)
            also = (badge(),) if badge is not None and request.method in SAFE_METHODS else ()
            found = auth.user_for_session(
                session=session,
                token=cookie,
                idle=timedelta(minutes=settings.session_idle_minutes),
                also=also,
            )
            if found:
                user, login, *extra = found
                if extra:
                    request.state.unread = (user.id, extra[0])
                request.state.auth_method = "session"
                if utcnow() - login.last_seen_at > TOUCH_EVERY:
                    if request.method in SAFE_METHODS and settings.is_sqlite:
                        # A SQLite read request's transaction stays a reader (a deferred
                        # transaction cannot safely turn into a writer): touch in a short one.
                        # PostgreSQL writes in the request's own transaction, so a request
                        # never holds two pooled connections (which deadlocks a full pool).
                        with unit_of_work(request.app.state.engine) as writer:
                            auth.touch_session(session=writer, session_id=login.id)
                    else:
                        auth.touch_session(session=session, session_id=login.id)
    request.state.qms_user = user
    request.state.viewer = Viewer.of(user) if user is not None else None
    return user


def current_user(request: Request, session: SessionDep) -> User:
    user = resolve_user(request, session)
    if user is None:
        raise Unauthenticated("Sign in, or send a valid API token, to use this.")
    if request.method not in SAFE_METHODS and request.state.auth_method == "session":
        # The API used by the browser's own script: the session cookie alone is not
        # enough to change anything, the page's CSRF token must come along.
        from qms.pages import check_csrf_header

        check_csrf_header(request)
    return user


def page_user(request: Request, session: SessionDep) -> User:
    user = resolve_user(request, session)
    if user is None:
        raise LoginRequired()
    return user


def optional_user(request: Request, session: SessionDep) -> User | None:
    return resolve_user(request, session)


CurrentUser = Annotated[User, Depends(current_user)]
PageUser = Annotated[User, Depends(page_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
