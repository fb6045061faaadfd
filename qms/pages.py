"""Server-rendered pages: the Jinja2 environment, CSRF tokens, flash messages, rendering."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from qms.auth.models import ROLE_LABELS, User
from qms.auth.permissions import can
from qms.config import PROJECT_ROOT
from qms.deps import SESSION_COOKIE
from qms.errors import Forbidden
from qms.i18n import LANGUAGES, Formatter, ngettext_with, translations
from qms.trail import labels as trail_labels

TEMPLATES_DIR = PROJECT_ROOT / "templates"


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation, shown to those the permission allows."""

    label: str  # msgid
    url: str
    permission: str


ANON_COOKIE = "qms_anon"
LANG_COOKIE = "qms_lang"
FLASH_COOKIE = "qms_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    # Compiled templates stay in memory: no stat() of each template file (and of each it
    # extends or includes) on every render. QMS_TEMPLATES_RELOAD=1 while editing them.
    auto_reload=os.environ.get("QMS_TEMPLATES_RELOAD") == "1",
)
env.install_null_translations(newstyle=True)


def request_lang(request: Request, user: User | None = None) -> str:
    if user is not None and user.lang in LANGUAGES:
        return user.lang
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.app.state.settings.lang


def gettext_for(lang: str):
    return translations(lang).gettext


# --- CSRF -------------------------------------------------------------------------------


def _csrf_seed(request: Request) -> str:
    """The session cookie when signed in, else the browser's anonymous cookie."""
    return (
        request.cookies.get(SESSION_COOKIE)
        or request.cookies.get(ANON_COOKIE)
        or getattr(request.state, "anon_seed", "")
    )


def csrf_token(request: Request, seed: str | None = None) -> str:
    key = request.app.state.settings.secret_key.encode()
    seed = _csrf_seed(request) if seed is None else seed
    return hmac.new(key, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


async def verify_csrf(request: Request) -> None:
    """Dependency for pages: an unsafe request must carry the token bound to the session."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = form.get(CSRF_FIELD)
    if (
        not _csrf_seed(request)
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, csrf_token(request))
    ):
        raise Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
        )


def check_csrf_header(request: Request) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent, csrf_token(request)):
        raise Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
        )


def ensure_anon_cookie(request: Request) -> str | None:
    """A browser without any cookie gets a random seed for the sign-in form's token."""
    if request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE):
        return None
    seed = getattr(request.state, "anon_seed", None) or secrets.token_urlsafe(24)
    request.state.anon_seed = seed
    return seed


# --- rendering --------------------------------------------------------------------------


@pass_context
def _url_with(context, **changes) -> str:
    """The current URL with some query parameters changed (filters kept, page moved)."""
    request: Request = context["request"]
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
    return request.url.path + ("?" + query if query else "")


env.globals["url_with"] = _url_with
env.globals["role_labels"] = ROLE_LABELS
env.globals["trail_action"] = trail_labels.action_label
env.globals["trail_record"] = trail_labels.record_label
env.globals["record_page"] = trail_labels.record_page
env.globals["signature_meaning"] = lambda meaning: trail_labels.MEANINGS.get(meaning, meaning)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    settings = request.app.state.settings
    if user is None:
        user = getattr(request.state, "viewer", None)
    lang = request_lang(request, user)
    translator = translations(lang)
    fmt = Formatter(lang, settings.tz)
    flash = read_flash(request)

    def _(message: str, **params) -> str:
        text = translator.gettext(message)
        return text % params if params else text

    def pgettext(context: str, message: str, **params) -> str:
        text = translator.pgettext(context, message)
        return text % params if params else text

    def ngettext(singular: str, plural: str, n: int, **params) -> str:
        params.setdefault("num", n)
        return ngettext_with(translator, singular, plural, n) % params

    ensure_anon_cookie(request)
    counter = getattr(request.app.state, "unread_counter", None)
    # Counted in the request's own transaction when it is still open: a second pooled
    # connection per page would double what a page holds of a full pool.
    session = getattr(request.state, "db_session", None)
    # Read with the sign-in (deps.resolve_user) on a GET: one round trip less per page.
    known = getattr(request.state, "unread", None)
    if user is None or not counter:
        unread = 0
    elif known is not None and known[0] == user.id:
        unread = known[1]
    else:
        unread = counter(request.app.state.engine, user.id, session=session)
    values = {
        "unread": unread,
        "request": request,
        "user": user,
        "lang": lang,
        "languages": LANGUAGES,
        "settings": settings,
        "organisation": settings.organisation,
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "can": lambda action, record=None: can(user, action, record),
        "nav_items": [
            item
            for item in request.app.state.nav
            if user is not None and can(user, item.permission)
        ],
        "fmt": fmt,
        "_": _,
        "gettext": _,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "flash": _(flash) if flash else None,
        "errors": {},
        "form": {},
    }
    values.update(context or {})
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE)
    return response


def _flash_mac(request: Request, message: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"flash:" + message.encode(), hashlib.sha256).hexdigest()[:32]


def read_flash(request: Request) -> str | None:
    """The one-time message (a msgid) if its cookie is ours: a cookie never injects text."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "|" not in raw:
        return None
    mac, _, message = raw.partition("|")
    return message if hmac.compare_digest(mac, _flash_mac(request, message)) else None


def redirect(request: Request, url: str, *, flash: str | None = None) -> RedirectResponse:
    """POST → 303 → GET, optionally carrying a one-time message."""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            f"{_flash_mac(request, flash)}|{flash}",
            httponly=True,
            samesite="lax",
            max_age=60,
        )
    return response


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form as a plain dict (lists for repeated names), for lenient page handlers."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    data.pop(CSRF_FIELD, None)
    return data


def refused(
    request: Request,
    template: str,
    exc,
    context: dict[str, Any] | None = None,
) -> HTMLResponse:
    """Show the form again with what was typed and the message beside its field."""
    lang = request_lang(request, getattr(request.state, "viewer", None))
    values = dict(context or {})
    errors = {}
    for each in getattr(exc, "errors", None) or [exc]:
        errors.setdefault(each.field or "_form", each.render(gettext_for(lang)))
    values["errors"] = errors
    return render(request, template, values, status_code=exc.status)


def safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
