"""Pages: sign-in and sign-out, the language switch, one's account, users and departments."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from qms.auth import service
from qms.auth.models import ROLE_LABELS, Role
from qms.auth.permissions import require
from qms.deps import SESSION_COOKIE, IdPath, OptionalUser, PageUser, SessionDep, SettingsDep
from qms.errors import Invalid, QMSError, TooManyAttempts
from qms.i18n import LANGUAGES, N_
from qms.pages import (
    ANON_COOKIE,
    LANG_COOKIE,
    form_data,
    redirect,
    refused,
    render,
    safe_next,
    verify_csrf,
)
from qms.trail.labels import register_values

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# The trail shows roles by their labels.
register_values("user", "roles", ROLE_LABELS)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "/"):
    if user is not None:
        return redirect(request, safe_next(next))
    return render(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep):
    data = await form_data(request)
    email, password = str(data.get("email", "")), str(data.get("password", ""))
    target = safe_next(str(data.get("next", "/")))
    context = {"next": target, "form": {"email": email}}
    if not email.strip():
        return refused(
            request,
            "auth/login.html",
            Invalid("Enter your e-mail address.", field="email"),
            context,
        )
    if not password:
        return refused(
            request, "auth/login.html", Invalid("Enter your password.", field="password"), context
        )
    try:
        result = service.authenticate(
            session=session,
            email=email,
            password=password,
            ip=_client_ip(request),
            max_failures=settings.login_max_failures,
        )
    except TooManyAttempts as exc:
        return refused(request, "auth/login.html", exc, context)
    if result.user is None:
        # The failure is committed with this response: it slows the next attempt.
        exc = Invalid("The e-mail address or the password is not correct.", field="_form")
        exc.status = 401
        return refused(request, "auth/login.html", exc, context)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        service.end_session(session=session, token=old)
    response = redirect(request, target)
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https"),
    )
    response.delete_cookie(ANON_COOKIE)
    if result.user.lang:
        response.set_cookie(LANG_COOKIE, result.user.lang, samesite="lax", max_age=31536000)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session=session, token=token)
    response = redirect(request, "/login", flash=N_("You have signed out."))
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/lang")
async def choose_language(request: Request, session: SessionDep, user: OptionalUser):
    data = await form_data(request)
    lang = data.get("lang")
    if lang not in LANGUAGES:
        raise Invalid("Choose Vietnamese or English.", field="lang")
    if user is not None and user.lang != lang:
        service.update_user(session=session, by=user, user=user, version=user.version, lang=lang)
    response = redirect(request, safe_next(str(data.get("next", "/"))))
    response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=31536000)
    return response


# --- one's account ----------------------------------------------------------------------


def _account_context(session, user, **extra):
    return {"tokens": service.list_tokens(session=session, user=user), **extra}


@router.get("/account")
def account(request: Request, session: SessionDep, user: PageUser):
    return render(request, "auth/account.html", _account_context(session, user))


@router.post("/account")
async def update_account(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        service.update_user(
            session=session,
            by=user,
            user=user,
            version=int(data.get("version") or 0),
            full_name=str(data.get("full_name", user.full_name)),
            position_title=str(data.get("position_title", "")),
            lang=data.get("lang") if data.get("lang") in LANGUAGES else user.lang,
            email_notifications=data.get("email_notifications") == "on",
        )
    except QMSError as exc:
        session.rollback()
        return refused(
            request, "auth/account.html", exc, _account_context(session, user, form=data)
        )
    response = redirect(request, "/account", flash=N_("Your account was saved."))
    if user.lang:
        response.set_cookie(LANG_COOKIE, user.lang, samesite="lax", max_age=31536000)
    return response


@router.post("/account/password")
async def change_password(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        if data.get("new_password") != data.get("confirm_password"):
            raise Invalid("The two new passwords differ.", field="confirm_password")
        service.change_password(
            session=session,
            user=user,
            current_password=str(data.get("current_password", "")),
            new_password=str(data.get("new_password", "")),
        )
    except QMSError as exc:
        session.rollback()
        return refused(request, "auth/account.html", exc, _account_context(session, user))
    return redirect(request, "/account", flash=N_("Your password was changed."))


@router.post("/account/tokens")
async def create_token(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    _row, secret = service.create_token(session=session, user=user, name=str(data.get("name", "")))
    context = _account_context(session, user, new_token=secret)
    return render(request, "auth/account.html", context, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: IdPath, session: SessionDep, user: PageUser):
    service.revoke_token(session=session, by=user, token_id=token_id)
    return redirect(request, "/account", flash=N_("The token was revoked."))


# --- administration ---------------------------------------------------------------------


USERS_PER_PAGE = 50


def _users_context(session, filters: dict | None = None, **extra):
    """The register page: filters (name or e-mail, role, department) and one page of people."""
    filters = filters or {}
    departments = service.list_departments(session=session)
    role = filters.get("role")
    role = Role(role) if role in {r.value for r in Role} else None
    department_id = filters.get("department_id")
    department_id = (
        int(department_id)
        if str(department_id or "").isdigit() and int(department_id) in {d.id for d in departments}
        else None
    )
    page = filters.get("page")
    page = min(int(page), 100_000) if str(page or "").isdigit() and int(page) > 0 else 1
    q = str(filters.get("q") or "")[:200]
    users, total = service.search_users(
        session=session,
        q=q,
        role=role,
        department_id=department_id,
        limit=USERS_PER_PAGE,
        offset=(page - 1) * USERS_PER_PAGE,
    )
    return {
        "users": users,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // USERS_PER_PAGE)),
        "filters": {
            "q": q,
            "role": role.value if role else "",
            "department_id": department_id or "",
        },
        "departments": departments,
        "roles": list(Role),
        **extra,
    }


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, user: PageUser):
    require(user, "user.list")
    return render(request, "admin/users.html", _users_context(session, request.query_params))


def _department_id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid("Choose a department from the list.", field="department_id") from None


def _roles(value) -> list[Role]:
    values = value if isinstance(value, list) else [value] if value else []
    try:
        return [Role(v) for v in values]
    except ValueError:
        raise Invalid("Choose roles from the list.", field="roles") from None


@router.post("/admin/users")
async def add_user(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        service.create_user(
            session=session,
            by=user,
            email=str(data.get("email", "")),
            full_name=str(data.get("full_name", "")),
            password=str(data.get("password", "")),
            roles=_roles(data.get("roles")),
            department_id=_department_id(data.get("department_id")),
            position_title=str(data.get("position_title", "")),
            lang=data.get("lang") if data.get("lang") in LANGUAGES else None,
        )
    except QMSError as exc:
        session.rollback()
        data.pop("password", None)
        return refused(request, "admin/users.html", exc, _users_context(session, form=data))
    return redirect(request, "/admin/users", flash=N_("The user was created."))


@router.get("/admin/users/{user_id}")
def user_page(request: Request, user_id: IdPath, session: SessionDep, user: PageUser):
    require(user, "user.update")
    target = service.get_user(session=session, user_id=user_id)
    return render(
        request,
        "admin/user.html",
        {
            "target": target,
            "departments": service.list_departments(session=session),
            "roles": list(Role),
        },
    )


@router.post("/admin/users/{user_id}")
async def edit_user(request: Request, user_id: IdPath, session: SessionDep, user: PageUser):
    data = await form_data(request)
    target = service.get_user(session=session, user_id=user_id)
    try:
        service.update_user(
            session=session,
            by=user,
            user=target,
            version=int(data.get("version") or 0),
            full_name=str(data.get("full_name", "")),
            position_title=str(data.get("position_title", "")),
            department_id=_department_id(data.get("department_id")),
            roles=_roles(data.get("roles")),
            is_active=data.get("is_active") == "on",
            top_management=data.get("top_management") == "on",
        )
    except QMSError as exc:
        session.rollback()
        target = service.get_user(session=session, user_id=user_id)
        return refused(
            request,
            "admin/user.html",
            exc,
            {
                "target": target,
                "departments": service.list_departments(session=session),
                "roles": list(Role),
                "form": data,
            },
        )
    return redirect(request, "/admin/users", flash=N_("The user was saved."))


@router.get("/admin/departments")
def departments_page(request: Request, session: SessionDep, user: PageUser):
    return render(
        request,
        "admin/departments.html",
        {"departments": service.list_departments(session=session)},
    )


@router.post("/admin/departments")
async def add_department(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        service.create_department(
            session=session, by=user, code=str(data.get("code", "")), name=str(data.get("name", ""))
        )
    except QMSError as exc:
        session.rollback()
        return refused(
            request,
            "admin/departments.html",
            exc,
            {"departments": service.list_departments(session=session), "form": data},
        )
    return redirect(request, "/admin/departments", flash=N_("The department was created."))
