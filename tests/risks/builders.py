"""Register entries in a given state, built through the services as people would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from qms.auth.models import User
from qms.db import unit_of_work
from qms.risks import service
from qms.risks.models import Risk, RiskAction

STATES = ("open", "treating", "monitored", "closed")


@dataclass
class Built:
    id: int
    code: str
    version: int
    action_ids: list[int] = field(default_factory=list)


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def _user(session, person) -> User:
    return session.get(User, person.id)


def build(
    world,
    state: str = "open",
    *,
    kind: str = "risk",
    likelihood: int = 3,
    impact: int = 4,
    department=None,
    day: date | None = None,
    title: str = "Hồ sơ trễ hạn tại Trung tâm Phục vụ hành chính công",
) -> Built:
    """An entry of department A (owner: its manager) brought to `state`; in treating and
    after, it has one action owned by the staff member."""
    day = day or today(world)
    department = department or world.dept_a
    with unit_of_work(world.engine) as session:
        manager = _user(session, world.manager)
        risk = service.raise_risk(
            session=session,
            by=manager,
            kind=kind,
            title=title,
            department_id=department.id,
            owner_id=manager.id,
            likelihood=likelihood,
            impact=impact,
            cause="Thiếu cán bộ tiếp nhận vào giờ cao điểm.",
            consequence="Người dân phải chờ, hồ sơ trễ hạn.",
            clauses=["6.1", "8.5.1"],
            today=day,
        )
        actions = []
        if state in ("treating", "monitored", "closed"):
            service.decide_treatment(
                session=session,
                risk=risk,
                by=manager,
                treatment="pursue" if kind == "opportunity" else "mitigate",
                version=risk.version,
            )
            action = service.plan_action(
                session=session,
                risk=risk,
                by=manager,
                description="Bố trí thêm một cán bộ vào giờ cao điểm.",
                owner_id=world.staff.id,
                due_on=day + timedelta(days=14),
                today=day,
            )
            actions.append(action)
        if state in ("monitored", "closed"):
            service.complete_action(
                session=session,
                action=actions[0],
                by=_user(session, world.staff),
                evidence="Lịch trực đã ban hành.",
                today=day,
            )
        if state == "closed":
            service.close(
                session=session,
                risk=risk,
                by=manager,
                reason="Không còn phát sinh hồ sơ trễ hạn.",
                today=day,
                version=risk.version,
            )
        session.flush()
        return Built(risk.id, risk.code, risk.version, [a.id for a in actions])


def load(world, built: Built) -> Risk:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(Risk, built.id)


def load_action(world, action_id: int) -> RiskAction:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(RiskAction, action_id)
