"""Tables and shapes of departments, users and their roles, sign-in sessions and API tokens."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr, StrictBool, field_validator
from sqlalchemy import Index
from sqlmodel import Field, Relationship, SQLModel

from qms.db import MAX_ID, RecordBase, utcnow
from qms.i18n import N_


class Role(StrEnum):
    admin = "admin"
    quality_officer = "quality_officer"
    auditor = "auditor"
    manager = "manager"
    staff = "staff"


ROLE_LABELS = {
    Role.admin: N_("Administrator"),
    Role.quality_officer: N_("Quality officer"),
    Role.auditor: N_("Auditor"),
    Role.manager: N_("Manager"),
    Role.staff: N_("Staff"),
}


class Department(RecordBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)

    @property
    def status(self) -> str:
        return "active"


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=32, primary_key=True)


class User(RecordBase, table=True):
    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    position_title: str = Field(default="", max_length=200)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    lang: str | None = Field(default=None, max_length=5)
    email_notifications: bool = True
    # Top management (ISO 9001:2015 5.1): may chair a management review (9.3) when also a
    # manager or an administrator.
    top_management: bool = False

    role_rows: list[UserRole] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"}
    )

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def status(self) -> str:
        return "active" if self.is_active else "inactive"


@dataclass(frozen=True)
class Viewer:
    """A detached snapshot of the signed-in user, safe to read after the request's
    transaction ended (error pages render after a rollback has expired the ORM object)."""

    id: int
    email: str
    full_name: str
    position_title: str
    department_id: int | None
    roles: frozenset[Role]
    lang: str | None
    is_active: bool
    email_notifications: bool
    version: int
    top_management: bool = False

    @classmethod
    def of(cls, user: User) -> "Viewer":
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            position_title=user.position_title,
            department_id=user.department_id,
            roles=frozenset(user.roles),
            lang=user.lang,
            is_active=user.is_active,
            email_notifications=user.email_notifications,
            version=user.version,
            top_management=user.top_management,
        )

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class LoginSession(SQLModel, table=True):
    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ip: str = Field(default="", max_length=64)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    ip: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


# --- API shapes -------------------------------------------------------------------------


class DepartmentCreate(SQLModel):
    code: str = Field(min_length=1, max_length=20, schema_extra={"pattern": r"^[A-Za-z0-9_.\-]+$"})
    name: str = Field(min_length=1, max_length=200)


class DepartmentPublic(SQLModel):
    id: int
    code: str
    name: str
    status: str
    version: int


class UserCreate(SQLModel):
    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=256)
    roles: list[Role] = Field(min_length=1)
    department_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    position_title: str = Field(default="", max_length=200)
    lang: str | None = Field(default=None, schema_extra={"pattern": r"^(vi|en)$"})
    # Strict: a 0 or "no" is refused (422), not read as false.
    top_management: StrictBool = False

    @field_validator("full_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class UserUpdate(SQLModel):
    version: int
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    position_title: str | None = Field(default=None, max_length=200)
    roles: list[Role] | None = Field(default=None, min_length=1)
    department_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    is_active: bool | None = None
    lang: str | None = Field(default=None, schema_extra={"pattern": r"^(vi|en)$"})
    email_notifications: bool | None = None
    top_management: StrictBool | None = None


class UserPublic(SQLModel):
    id: int
    email: str
    full_name: str
    position_title: str
    department_id: int | None
    roles: list[Role]
    lang: str | None
    email_notifications: bool
    top_management: bool = False
    status: str
    version: int

    @classmethod
    def of(cls, user: User) -> "UserPublic":
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            position_title=user.position_title,
            department_id=user.department_id,
            roles=sorted(user.roles),
            lang=user.lang,
            email_notifications=user.email_notifications,
            top_management=user.top_management,
            status=user.status,
            version=user.version,
        )


class TokenPublic(SQLModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    status: str


class TokenCreated(TokenPublic):
    token: str
