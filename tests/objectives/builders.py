"""Objectives in a given state, with an indicator and figures, built through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from qms.auth.models import User
from qms.db import unit_of_work
from qms.objectives import service

STATES = ("draft", "active", "achieved", "not_achieved", "cancelled")


@dataclass
class Built:
    id: int
    code: str
    year: int
    indicator_id: int | None = None
    indicator_code: str = ""
    measurement_ids: list[int] = field(default_factory=list)


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def objective_body(world, **changes) -> dict:
    body = {
        "title": "Giải quyết hồ sơ TTHC đúng hạn",
        "year": today(world).year,
        "department_id": world.dept_a.id,
        "owner_id": world.manager.id,
        "plan": "Theo dõi hạn xử lý từng hồ sơ trên phần mềm một cửa; nhắc việc hằng tuần.",
        "resources": "Phần mềm một cửa, 2 chuyên viên tiếp nhận",
        "responsible": "Trưởng phòng A",
        "due_on": date(today(world).year, 12, 31).isoformat(),
        "evaluation": "Tỷ lệ hồ sơ giải quyết đúng hạn trên tổng số hồ sơ đã giải quyết, hằng tháng.",
    }
    body.update(changes)
    return body


def indicator_body(**changes) -> dict:
    body = {
        "name": "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "unit": "%",
        "kind": "ratio",
        "direction": "higher_is_better",
        "target": 95,
        "at_risk_margin": 2,
        "frequency": "monthly",
    }
    body.update(changes)
    return body


def build(
    world,
    state: str = "active",
    *,
    figures=(),
    indicator: dict | None = None,
    with_indicator: bool = True,
    data_owner=None,
) -> Built:
    """An objective of department A (owner: its manager) brought to `state`, with one
    indicator (data owner: staff of A) and `figures` entered while it was active: each
    (period, numerator, denominator) for a ratio or (period, value)."""
    from datetime import date as _date

    with unit_of_work(world.engine) as session:
        officer = session.get(User, world.quality_officer.id)
        body = objective_body(world)
        body["due_on"] = _date.fromisoformat(body["due_on"])
        objective = service.create_objective(session=session, by=officer, **body)
        built = Built(objective.id, objective.code, objective.year)
        if with_indicator:
            spec = indicator_body(**(indicator or {}))
            made = service.add_indicator(
                session=session,
                objective=objective,
                by=officer,
                data_owner_id=(data_owner or world.staff).id,
                **spec,
            )
            built.indicator_id, built.indicator_code = made.id, made.code
        if state == "draft":
            return built
        if state == "cancelled":
            service.cancel(
                session=session, objective=objective, by=officer, reason="Trùng mục tiêu."
            )
            return built
        service.activate(session=session, objective=objective, by=officer)
        for entry in figures:
            if len(entry) == 3:
                period, numerator, denominator = entry
                fields = {"numerator": numerator, "denominator": denominator}
            else:
                period, value = entry
                fields = {"value": value}
            m = service.enter_measurement(
                session=session,
                indicator=service.get_indicator(session=session, indicator_id=built.indicator_id),
                by=officer,
                period=period,
                **fields,
            )
            built.measurement_ids.append(m.id)
        if state in ("achieved", "not_achieved"):
            service.evaluate(
                session=session,
                objective=objective,
                by=officer,
                result=state,
                comment="Đánh giá cuối năm theo số liệu 12 tháng.",
            )
    return built
