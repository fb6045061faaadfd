"""Nonconformities in a given state, built through the services as people would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from qms.auth.models import User
from qms.db import unit_of_work
from qms.nonconformities import service
from qms.nonconformities.models import CorrectiveAction, Nonconformity

STATES = (
    "open",
    "investigating",
    "action_planned",
    "verifying",
    "ready",  # verifying, found effective
    "closed",
    "cancelled",
)
WHYS = [
    "Thư xin lỗi không được gửi khi hồ sơ trễ hạn.",
    "Chuyên viên không biết hồ sơ đã trễ hạn.",
    "Phần mềm một cửa không cảnh báo hồ sơ sắp đến hạn.",
    "Chức năng cảnh báo chưa được cấu hình.",
    "Quy trình không giao ai theo dõi cảnh báo hạn.",
]


@dataclass
class Built:
    id: int
    code: str
    action_ids: list[int] = field(default_factory=list)


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def _user(session, person) -> User:
    return session.get(User, person.id)


def build(world, state: str = "open", *, owners=None, verifier=None, department=None) -> Built:
    """A nonconformity of department A (owner: its manager) brought to `state`; its two
    actions are owned by `owners` (staff and the second auditor by default)."""
    settings = world.app.state.settings
    owners = owners or (world.staff, world.auditor_a)
    verifier = verifier or world.quality_officer
    department = department or world.dept_a
    day = today(world)
    with unit_of_work(world.engine) as session:
        nc = service.raise_nonconformity(
            session=session,
            by=_user(session, world.auditor),
            source="internal_audit",
            department_id=department.id,
            clause="8.5.1",
            severity="minor",
            description="Hồ sơ trễ hạn không có thư xin lỗi gửi công dân.",
            today=day,
        )
        built = Built(nc.id, nc.code)
        owner = session.get(User, nc.owner_id)
        if state == "cancelled":
            service.cancel(
                session=session,
                nc=nc,
                by=_user(session, world.quality_officer),
                reason="Trùng với NC đã có.",
            )
            return built
        if state == "open":
            return built
        service.investigate(
            session=session,
            nc=nc,
            by=owner,
            containment="Gửi ngay thư xin lỗi cho các công dân bị trễ hạn.",
            root_cause_method="five_whys",
            whys=WHYS,
        )
        if state == "investigating":
            return built
        for person in owners:
            action = service.plan_action(
                session=session,
                nc=nc,
                by=owner,
                description=f"Hành động của {person.email}",
                owner_id=person.id,
                due_on=day + timedelta(days=14),
                today=day,
            )
            built.action_ids.append(action.id)
        if state == "action_planned":
            return built
        for action_id in built.action_ids:
            action = session.get(CorrectiveAction, action_id)
            service.complete_action(
                session=session,
                action=action,
                by=session.get(User, action.owner_id),
                evidence="Biên bản thực hiện đính kèm.",
                today=day,
                check_days=settings.effectiveness_check_days,
            )
        if state == "verifying":
            return built
        service.verify(
            session=session,
            nc=nc,
            by=_user(session, verifier),
            result="effective",
            comment="Không còn hồ sơ trễ hạn thiếu thư xin lỗi.",
            today=day,
        )
        if state == "ready":
            return built
        assert state == "closed", state
        service.close(
            session=session,
            nc=nc,
            by=owner,
            password=world.manager.password,
            settings=world.app.state.settings,
        )
        return built


def load(world, nc_id: int) -> Nonconformity:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(Nonconformity, nc_id)
