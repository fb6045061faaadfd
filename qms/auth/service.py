"""Rules for departments, users, sign-in (with throttling), sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func
from sqlalchemy.orm import joinedload, lazyload
from sqlmodel import Session, col, select

from qms.auth import passwords
from qms.auth.models import (
    ApiToken,
    Department,
    LoginFailure,
    LoginSession,
    Role,
    User,
    UserRole,
)
from qms.auth.permissions import require
from qms.db import utcnow
from qms.errors import Conflict, Invalid, NotFound, TooManyAttempts, check_version
from qms.trail import service as trail

USER_FIELDS = (
    "email",
    "full_name",
    "position_title",
    "department_id",
    "is_active",
    "lang",
    "email_notifications",
    "roles",
    "top_management",
)
CODE_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+")
FAILURE_WINDOW = timedelta(minutes=15)
MAX_LOCKOUT = timedelta(minutes=15)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user_snapshot(user: User) -> dict:
    return {name: getattr(user, name) for name in USER_FIELDS}


# --- departments ------------------------------------------------------------------------


def create_department(*, session: Session, by: User | None, code: str, name: str) -> Department:
    if by is not None:
        require(by, "department.create")
    code, name = code.strip(), name.strip()
    if not code:
        raise Invalid("Enter a department code.", field="code")
    if not CODE_PATTERN.fullmatch(code) or len(code) > 20:
        raise Invalid(
            "A department code has at most 20 letters, digits, dots, dashes or underscores.",
            field="code",
        )
    if not name:
        raise Invalid("Enter a department name.", field="name")
    if session.exec(select(Department).where(Department.code == code)).first():
        raise Conflict("A department with code %(code)s already exists.", field="code", code=code)
    department = Department(code=code, name=name)
    session.add(department)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type="department",
        record_id=department.id,
        changes={"code": [None, code], "name": [None, name]},
    )
    return department


def list_departments(*, session: Session) -> list[Department]:
    return list(session.exec(select(Department).order_by(col(Department.code))).all())


def get_department(*, session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound("Department %(id)s does not exist.", id=department_id)
    return department


def department_by_code(*, session: Session, code: str) -> Department:
    department = session.exec(select(Department).where(Department.code == code)).first()
    if department is None:
        raise NotFound("Department %(code)s does not exist.", field="department", code=code)
    return department


# --- users ------------------------------------------------------------------------------


def _check_department(session: Session, department_id: int | None) -> None:
    if department_id is not None and session.get(Department, department_id) is None:
        raise Invalid("Department %(id)s does not exist.", field="department_id", id=department_id)


def _check_password(password: str) -> None:
    if len(password or "") < 8:
        raise Invalid("The password must have at least 8 characters.", field="password")


def create_user(
    *,
    session: Session,
    by: User | None,
    email: str,
    full_name: str,
    password: str,
    roles: list[Role] | set[Role],
    department_id: int | None = None,
    position_title: str = "",
    lang: str | None = None,
    top_management: bool = False,
) -> User:
    if by is not None:
        require(by, "user.create")
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid("Enter a valid e-mail address.", field="email")
    if not full_name.strip():
        raise Invalid("Enter the person's full name.", field="full_name")
    if not roles:
        raise Invalid("Choose at least one role.", field="roles")
    _check_password(password)
    _check_department(session, department_id)
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict("A user with e-mail %(email)s already exists.", field="email", email=email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        position_title=position_title.strip(),
        department_id=department_id,
        password_hash=passwords.hash_password(password),
        lang=lang or None,
        top_management=bool(top_management),
        role_rows=[UserRole(role=Role(r).value) for r in sorted(set(roles))],
    )
    session.add(user)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type="user",
        record_id=user.id,
        changes={k: [None, v] for k, v in _user_snapshot(user).items()},
    )
    return user


def update_user(*, session: Session, by: User, user: User, version: int | None, **fields) -> User:
    """Change a user's profile; an admin may change anyone, a person only their preferences."""
    own_preferences = {"lang", "email_notifications", "full_name", "position_title"}
    if by.id != user.id or set(fields) - own_preferences:
        require(by, "user.update", user)
    check_version(user, version)
    if "top_management" in fields and fields["top_management"] is None:
        fields.pop("top_management")
    before = _user_snapshot(user)
    if "department_id" in fields:
        _check_department(session, fields["department_id"])
    if "roles" in fields:
        roles = fields.pop("roles")
        if not roles:
            raise Invalid("Choose at least one role.", field="roles")
        if user.id == by.id and Role.admin not in set(roles) and user.has_role(Role.admin):
            raise Conflict("You cannot remove your own administrator role.", field="roles")
        user.role_rows = [UserRole(role=Role(r).value) for r in sorted(set(roles))]
    if fields.get("is_active") is False and user.id == by.id:
        raise Conflict("You cannot deactivate your own account.", field="is_active")
    for name, value in fields.items():
        if name in ("full_name",) and not (value or "").strip():
            raise Invalid("Enter the person's full name.", field="full_name")
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    changes = trail.changes_of(user, before, USER_FIELDS)
    if not changes:
        return user
    user.version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="updated",
        record_type="user",
        record_id=user.id,
        changes=changes,
    )
    if fields.get("is_active") is False:
        end_all_sessions(session=session, user=user)
    return user


def change_password(
    *, session: Session, user: User, current_password: str, new_password: str
) -> None:
    if not passwords.verify_password(current_password, user.password_hash):
        raise Invalid("The current password is not correct.", field="current_password")
    _check_password(new_password)
    user.password_hash = passwords.hash_password(new_password)
    user.version += 1
    user.updated_at = utcnow()
    session.add(user)
    trail.record(
        session=session,
        actor=user,
        action="password_changed",
        record_type="user",
        record_id=user.id,
    )


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User %(id)s does not exist.", id=user_id)
    return user


def user_by_email(*, session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("No user has the e-mail %(email)s.", field="email", email=email)
    return user


def list_users(
    *,
    session: Session,
    role: Role | None = None,
    department_id: int | None = None,
    active_only: bool = True,
) -> list[User]:
    query = select(User)
    if active_only:
        query = query.where(col(User.is_active).is_(True))
    if role is not None:
        query = query.where(
            col(User.id).in_(select(UserRole.user_id).where(UserRole.role == role.value))
        )
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    return list(session.exec(query.order_by(col(User.full_name))).all())


def people_named(*, session: Session, ids) -> dict[int, User]:
    """{id: user} of the given ids (None ignored), loaded for their names: their roles are
    not loaded with them (one query less; read lazily if ever needed)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    query = select(User).options(lazyload(User.role_rows)).where(col(User.id).in_(wanted))  # type: ignore[arg-type]
    return {u.id: u for u in session.exec(query).all()}


def user_names(*, session: Session):
    """Active users as (id, full_name, position_title) rows, by name: for a choice of
    person in a form, without loading each user and their roles."""
    return list(
        session.exec(
            select(User.id, User.full_name, User.position_title)
            .where(col(User.is_active).is_(True))
            .order_by(col(User.full_name))
        ).all()
    )


def search_users(
    *,
    session: Session,
    q: str = "",
    role: Role | None = None,
    department_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[User], int]:
    """One page of the people register, by name, with the total the filters match."""
    query = select(User)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            func.lower(User.full_name).like(pattern) | func.lower(User.email).like(pattern)
        )
    if role is not None:
        query = query.where(
            col(User.id).in_(select(UserRole.user_id).where(UserRole.role == role.value))
        )
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(User.full_name), col(User.id)).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def managers_of(*, session: Session, department_id: int) -> list[User]:
    return list_users(session=session, role=Role.manager, department_id=department_id)


# --- sign-in ----------------------------------------------------------------------------


@dataclass
class SignIn:
    user: User | None
    session_token: str | None = None


def _lockout(failures: int, limit: int) -> timedelta:
    """Doubling delay from the limit on: 30 s, 1 min, 2 min … never more than MAX_LOCKOUT."""
    if failures < limit:
        return timedelta(0)
    return min(timedelta(seconds=30) * (2 ** (failures - limit)), MAX_LOCKOUT)


def _check_throttle(session: Session, column, value: str, limit: int, now: datetime) -> None:
    since = now - FAILURE_WINDOW
    count, last = session.exec(
        select(func.count(), func.max(LoginFailure.at)).where(
            column == value, LoginFailure.at > since
        )
    ).one()
    wait = _lockout(count, limit)
    if last is not None and wait and now < last + wait:
        seconds = int((last + wait - now).total_seconds()) + 1
        raise TooManyAttempts(
            "Too many failed sign-ins. Wait %(seconds)s seconds and try again.",
            seconds=seconds,
        )


def authenticate(
    *, session: Session, email: str, password: str, ip: str, max_failures: int
) -> SignIn:
    """Check a sign-in; a failure is recorded (the caller commits it) and slows the next."""
    email = (email or "").strip().lower()
    now = utcnow()
    _check_throttle(session, LoginFailure.email, email, max_failures, now)
    _check_throttle(session, LoginFailure.ip, ip, max_failures * 4, now)
    user = session.exec(select(User).where(User.email == email)).first()
    ok = passwords.verify_password(password or "", user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        session.add(LoginFailure(email=email[:254], ip=ip[:64], at=now))
        return SignIn(user=None)
    session.exec(delete(LoginFailure).where(col(LoginFailure.email) == email))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_digest(token), user_id=user.id, ip=ip[:64]))
    trail.record(
        session=session, actor=user, action="signed_in", record_type="user", record_id=user.id
    )
    return SignIn(user=user, session_token=token)


def _sign_in_query(record):
    """(user with their roles, the sign-in session or API token row) for a token digest:
    built once, so each request only binds the digest (SQLAlchemy caches the compiled SQL
    by the statement's cache key, which a prebuilt statement computes once)."""
    return (
        select(User, record)
        .join(record, col(record.user_id) == col(User.id))
        .where(record.token_hash == bindparam("digest"), col(User.is_active))
        .options(joinedload(User.role_rows))  # type: ignore[arg-type]
    )


_SIGN_IN = {}


def _signed_in(session: Session, record, token: str, also=()):
    """The user, the row, and the values of the `also` columns (correlated to the user's
    id: the page header's unread count) in one query: every request authenticates, so it
    costs one round trip, not three or four."""
    if also:
        statement = _sign_in_query(record).add_columns(*also)
    else:
        statement = _SIGN_IN.get(record)
        if statement is None:
            statement = _SIGN_IN[record] = _sign_in_query(record)
    found = session.exec(statement, params={"digest": token_digest(token)}).unique().first()
    return tuple(found) if found is not None else None


def user_for_session(
    *, session: Session, token: str, idle: timedelta, also=()
) -> tuple[User, LoginSession] | None:
    """(user, sign-in session, *values of `also`) for a live session, else None."""
    found = _signed_in(session, LoginSession, token, also)
    if found is None or utcnow() - found[1].last_seen_at > idle:
        return None
    return found


def touch_session(*, session: Session, session_id: int) -> None:
    row = session.get(LoginSession, session_id)
    if row is not None:
        row.last_seen_at = utcnow()
        session.add(row)


def end_session(*, session: Session, token: str) -> None:
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == token_digest(token))
    ).first()
    if row is not None:
        session.delete(row)
        user = session.get(User, row.user_id)
        trail.record(
            session=session,
            actor=user,
            action="signed_out",
            record_type="user",
            record_id=row.user_id,
        )


def end_all_sessions(*, session: Session, user: User) -> None:
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))


# --- API tokens -------------------------------------------------------------------------


def create_token(*, session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    token = "qms_" + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_digest(token), user_id=user.id, name=name.strip()[:100])
    session.add(row)
    session.flush()
    trail.record(
        session=session,
        actor=user,
        action="token_created",
        record_type="api_token",
        record_id=row.id,
        changes={"name": [None, row.name]},
    )
    return row, token


def user_for_token(*, session: Session, token: str) -> tuple[User, ApiToken] | None:
    found = _signed_in(session, ApiToken, token)
    if found is None or found[1].revoked_at is not None:
        return None
    return found[0], found[1]


def list_tokens(*, session: Session, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
        ).all()
    )


def revoke_token(*, session: Session, by: User | None, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("Token %(id)s does not exist.", id=token_id)
    if by is not None:
        require(by, "token.revoke", row)
    if row.revoked_at is not None:
        raise Conflict("Token %(id)s is already revoked.", id=token_id)
    row.revoked_at = utcnow()
    session.add(row)
    trail.record(
        session=session,
        actor=by,
        action="token_revoked",
        record_type="api_token",
        record_id=row.id,
        changes={"revoked_at": [None, row.revoked_at]},
    )
    return row
