"""ASGI middleware: the upload limit enforced while the body streams, foreign-origin
refusal, security headers and the anonymous cookie that seeds the sign-in form's token."""

from __future__ import annotations

import json
from contextlib import suppress
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException

from qms.i18n import LANGUAGES, N_, translations

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class _BodyTooLarge(HTTPException):
    """Raised from `receive`: an HTTPException, so FastAPI's body parsing passes it on."""

    def __init__(self):
        super().__init__(status_code=413, detail=N_("The upload is too large."))


def _lang(scope, default: str) -> str:
    cookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            # A malformed cookie header only loses the language choice.
            with suppress(Exception):
                cookie.load(value.decode("latin-1"))
    chosen = cookie.get("qms_lang")
    return chosen.value if chosen and chosen.value in LANGUAGES else default


async def _refuse(scope, send, status: int, message: str, default_lang: str) -> None:
    text = translations(_lang(scope, default_lang)).gettext(message)
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": text}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        from html import escape

        body = (
            "<!doctype html><html><head><meta charset='utf-8'><title>QMS</title>"
            f"<link rel='stylesheet' href='/static/style.css'></head><body><main class='page'>"
            f"<p role='alert' class='error'>{escape(text)}</p><p><a href='/'>QMS</a></p>"
            "</main></body></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    def __init__(self, app, *, max_body: int, default_lang: str, secure_cookies: bool = False):
        self.app = app
        self.max_body = max_body
        self.default_lang = default_lang
        self.secure_cookies = secure_cookies

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]

        if method in UNSAFE and not self._same_origin(headers):
            return await _refuse(
                scope, send, 403, N_("Requests from another site are refused."), self.default_lang
            )
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            return await _refuse(
                scope, send, 413, N_("The upload is too large."), self.default_lang
            )

        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = list(SECURITY_HEADERS)
                if not scope["path"].startswith(("/docs", "/redoc")):
                    extra.append((b"content-security-policy", CSP.encode()))
                seed = scope.get("state", {}).get("anon_seed")
                if seed:
                    cookie = f"qms_anon={seed}; Path=/; HttpOnly; SameSite=Lax"
                    if self.secure_cookies:
                        cookie += "; Secure"
                    extra.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started:
                await _refuse(scope, send, 413, N_("The upload is too large."), self.default_lang)

    @staticmethod
    def _same_origin(headers: dict[str, str]) -> bool:
        if headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = headers.get("origin")
        if not origin or (origin == "null" and "authorization" in headers):
            return True
        host = headers.get("host", "")
        return urlsplit(origin).netloc == host
