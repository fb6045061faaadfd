"""FastAPI app factory: routers, middleware, static files and one way of answering errors."""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from importlib import import_module
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from qms import db
from qms.auth import passwords
from qms.config import Settings, get_settings
from qms.deps import LoginRequired
from qms.errors import Label, QMSError, readable
from qms.i18n import N_
from qms.middleware import GuardMiddleware
from qms.pages import TEMPLATES_DIR, gettext_for, render, request_lang
from qms.registry import DOMAINS, load_models

log = logging.getLogger("qms")


_STATUS_MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Sign in to continue."),
    403: N_("You are not allowed to do this."),
    404: N_("There is no such page or record."),
    405: N_("This address does not accept that kind of request."),
    409: N_("The change conflicts with the current state of the record."),
    413: N_("The upload is too large."),
    422: N_("Some of what was sent cannot be accepted."),
    429: N_("Too many requests; wait a moment and try again."),
    503: N_("The database is not answering. Try again in a moment."),
}


class ErrorBody(BaseModel):
    """Every refusal of the API: the message, and the field it is about when there is one."""

    detail: str
    field: str | None = None
    # Every field refused, when a request is refused for several at once.
    errors: list[dict[str, str]] | None = None


# Documented on every API operation, so clients (and schemathesis) know each refusal's shape.
ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": _STATUS_MESSAGES[status]}
    for status in (400, 401, 403, 404, 409, 413, 422, 503)
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, *, field=None, params=None):
    """One shape for every refusal: JSON for the API, the layout with the message for pages."""
    lang = request_lang(request, getattr(request.state, "viewer", None))
    gettext = gettext_for(lang)
    translated = gettext(message)
    if params:
        translated = translated % readable(params, gettext)
    if _is_api(request):
        body = {"detail": translated}
        if field:
            body["field"] = field
        for key, value in (params or {}).items():
            if isinstance(value, int | str | float | bool):
                body.setdefault(key, str(value) if isinstance(value, Label) else value)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    return render(
        request,
        "error.html",
        {"status": status, "message": translated, "field": field},
        status_code=status,
    )


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(QMSError)
    async def _qms_error(request: Request, exc: QMSError):
        if exc.status == 401 and not _is_api(request):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        response = _error(request, exc.status, exc.message, field=exc.field, params=exc.params)
        if _is_api(request) and getattr(exc, "errors", None):
            gettext = gettext_for(request_lang(request, getattr(request.state, "viewer", None)))
            body = json.loads(response.body)
            body["errors"] = [{"field": e.field, "message": e.render(gettext)} for e in exc.errors]
            return JSONResponse(body, status_code=exc.status)
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired):
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        field = _field_of(errors[0]["loc"]) if errors else "body"
        if _is_api(request):
            detail = [
                {"field": _field_of(e["loc"]), "message": e["msg"], "type": e["type"]}
                for e in errors
            ]
            message = gettext_for(request_lang(request))(N_("Check the field %(field)s."))
            return JSONResponse(
                {"detail": message % {"field": field}, "field": field, "errors": detail},
                status_code=422,
            )
        return _error(request, 422, N_("Check the field %(field)s."), params={"field": field})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = _STATUS_MESSAGES.get(exc.status_code, _STATUS_MESSAGES[400])
        response = _error(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        if exc.status_code == 405:
            # Starlette names only the first route's methods; a path may have several routes.
            response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return response

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError):
        log.info("integrity error answered 409: %s", exc.orig)
        return _error(
            request, 409, N_("The change conflicts with another record (a duplicate code?).")
        )

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError):
        return _error(
            request,
            409,
            N_("Someone else changed this record at the same moment. Reload it and try again."),
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        log.info("data error answered 422: %s", exc.orig)
        return _error(
            request,
            422,
            N_("A value is out of range or contains characters that cannot be stored."),
        )

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError):
        return _error(
            request,
            422,
            N_("A value is out of range or contains characters that cannot be stored."),
        )

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError):
        log.warning("database unavailable: %s", exc.orig)
        if "locked" in str(exc.orig).lower():
            return _error(request, 503, N_("The database is busy. Try again in a moment."))
        return _error(request, 503, _STATUS_MESSAGES[503])

    @app.exception_handler(PoolTimeout)
    async def _pool_full(request: Request, exc: PoolTimeout):
        # Every pooled connection stayed busy for the pool's whole timeout: the database is
        # overloaded, not the request wrong (nor its token: authentication never answers
        # 401 for a database that did not answer).
        log.warning("no database connection free: %s", exc)
        return _error(request, 503, N_("The database is busy. Try again in a moment."))

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError):
        if exc.connection_invalidated:
            return _error(request, 503, _STATUS_MESSAGES[503])
        log.exception("database error")
        return _error(request, 500, N_("Something went wrong on our side; nothing was saved."))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(request, 500, N_("Something went wrong on our side; nothing was saved."))


def walk_routes(routes, prefix: str = ""):
    """Every APIRoute with its full path, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router (FastAPI keeps it lazy)
            yield from walk_routes(
                route.original_router.routes, prefix + route.include_context.prefix
            )


def _path_params(dependant):
    """A route's path parameters, with those its dependencies read."""
    yield from dependant.path_params
    for each in dependant.dependencies:
        yield from _path_params(each)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods of every route this path would reach (an integer parameter only
    reaches a route when it is a number: /users/me is not /users/{user_id})."""
    if not hasattr(app.state, "route_table"):
        app.state.route_table = [
            (
                compile_path(full)[0],
                route.methods,
                # Those a dependency reads too (CurrentAudit's audit_id).
                {p.name for p in _path_params(route.dependant) if p.field_info.annotation is int},
            )
            for full, route in walk_routes(app.routes)
        ]
    methods: set[str] = set()
    for pattern, route_methods, numeric in app.state.route_table:
        found = pattern.match(path)
        if found and all(found.group(name).isdigit() for name in numeric):
            methods |= route_methods
    return sorted(methods)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or get_settings()).prepare()
    load_models()
    passwords.configure(settings.password_hashing)
    engine = db.make_engine(settings)

    # The lifespan and the health check read the engine and settings from app.state, as
    # the requests do, not from this closure: the tests bind one app per worker to each
    # test's database (tests/conftest.py) instead of building the routes again.
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # The threadpool of the blocking handlers and dependencies (see Settings.threads).
        to_thread.current_default_thread_limiter().total_tokens = _app.state.settings.threads
        scheduler = lock = None
        if _app.state.settings.scheduler == "on":
            from qms.reminders.scheduler import start_background

            scheduler, lock = start_background(_app.state.engine, _app.state.settings)
        _app.state.scheduler = scheduler
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
            lock.release()
        _app.state.engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="QMS Tracker",
        version="1.0",
        description="ISO 9001:2015 quality-management system: documents, audits, "
        "nonconformities and corrective actions.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine

    install_error_handlers(app)
    app.add_middleware(
        GuardMiddleware,
        max_body=settings.upload_max_bytes + 1024 * 1024,
        default_lang=settings.lang,
        secure_cookies=settings.base_url.startswith("https"),
    )
    app.mount("/static", StaticFiles(directory=TEMPLATES_DIR / "static"), name="static")

    @app.get("/healthz", tags=["system"], include_in_schema=False)
    def healthz(request: Request) -> Response:
        try:
            with request.app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    app.state.nav = []
    for name in DOMAINS:
        api = import_module(f"{name}.api")
        web = import_module(f"{name}.web")
        app.include_router(api.router, prefix="/api/v1", responses=ERROR_RESPONSES)
        app.include_router(web.router)
        # A domain's web module may list its entries of the main navigation.
        app.state.nav.extend(getattr(web, "NAV", []))
        if hasattr(web, "unread_badge"):
            app.state.unread_counter = web.unread_badge
        if hasattr(web, "unread_column"):
            app.state.unread_column = web.unread_column

    return app
