"""JSON API for departments, users and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlmodel import SQLModel

from qms.auth import service
from qms.auth.models import (
    DepartmentCreate,
    DepartmentPublic,
    Role,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from qms.auth.permissions import require
from qms.deps import MAX_ID, CurrentUser, IdPath, SessionDep

router = APIRouter(tags=["people"])


class TokenCreate(SQLModel):
    name: str = ""


def _token_public(row, cls=TokenPublic, **extra):
    return cls(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        status="revoked" if row.revoked_at else "active",
        **extra,
    )


@router.post("/departments", status_code=201, response_model=DepartmentPublic)
def create_department(body: DepartmentCreate, session: SessionDep, user: CurrentUser):
    return service.create_department(session=session, by=user, code=body.code, name=body.name)


@router.get("/departments", response_model=list[DepartmentPublic])
def list_departments(session: SessionDep, user: CurrentUser):
    require(user, "department.list")
    return service.list_departments(session=session)


@router.post("/users", status_code=201, response_model=UserPublic)
def create_user(body: UserCreate, session: SessionDep, user: CurrentUser):
    created = service.create_user(session=session, by=user, **body.model_dump())
    return UserPublic.of(created)


@router.get("/users", response_model=list[UserPublic])
def list_users(
    session: SessionDep,
    user: CurrentUser,
    role: Role | None = None,
    department_id: int | None = Query(default=None, ge=1, le=MAX_ID),
):
    require(user, "user.list")
    users = service.list_users(session=session, role=role, department_id=department_id)
    return [UserPublic.of(u) for u in users]


@router.get("/users/me", response_model=UserPublic)
def me(user: CurrentUser):
    return UserPublic.of(user)


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(user_id: IdPath, body: UserUpdate, session: SessionDep, user: CurrentUser):
    target = service.get_user(session=session, user_id=user_id)
    fields = body.model_dump(exclude_unset=True)
    version = fields.pop("version")
    updated = service.update_user(session=session, by=user, user=target, version=version, **fields)
    return UserPublic.of(updated)


@router.get("/users/me/tokens", response_model=list[TokenPublic])
def my_tokens(session: SessionDep, user: CurrentUser):
    return [_token_public(t) for t in service.list_tokens(session=session, user=user)]


@router.post("/users/me/tokens", status_code=201, response_model=TokenCreated)
def create_token(body: TokenCreate, session: SessionDep, user: CurrentUser):
    token, secret = service.create_token(session=session, user=user, name=body.name)
    return _token_public(token, TokenCreated, token=secret)


@router.delete("/tokens/{token_id}", response_model=TokenPublic)
def revoke_token(token_id: IdPath, session: SessionDep, user: CurrentUser):
    return _token_public(service.revoke_token(session=session, by=user, token_id=token_id))
