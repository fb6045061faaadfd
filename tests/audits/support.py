"""Audits in a given state, built through the services as the people concerned would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from qms.audits import service
from qms.audits.models import Audit, ChecklistItem, Result
from qms.auth.models import Role, User
from qms.db import unit_of_work

SMALL = "one-stop-dossiers"  # 49 items
FULL = "iso9001-2015"  # 140 items
EVIDENCE = "Đã kiểm tra 5 hồ sơ trên hệ thống một cửa: tiếp nhận đúng hạn, có giấy hẹn."
STATES = ("planned", "in_progress", "reported", "closed", "cancelled")


@dataclass
class Built:
    id: int
    code: str


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def user(session, person) -> User:
    return session.get(User, person.id)


def second_auditor(world):
    """Another auditor outside department A (the audited one), made once per world."""
    if not hasattr(world, "_auditor_b2"):
        world._auditor_b2 = world.person(
            "auditor.b2@example.org", [Role.auditor], world.dept_b, full_name="Vũ Thị Mai"
        )
    return world._auditor_b2


def plan(
    world,
    *,
    templates=(SMALL,),
    team=(),
    lead=None,
    department=None,
    start: date | None = None,
    title="Đánh giá quá trình tiếp nhận hồ sơ",
) -> Built:
    start = start or today(world) + timedelta(days=7)
    with unit_of_work(world.engine) as session:
        audit = service.create_audit(
            session=session,
            by=user(session, world.quality_officer),
            title=title,
            scope="Quầy tiếp nhận và trả kết quả; hồ sơ từ 01/01 đến nay.",
            criteria="TCVN ISO 9001:2015; QT-06, QT-07, QT-08.",
            department_id=(department or world.dept_a).id,
            lead_auditor_id=(lead or world.auditor).id,
            auditor_ids=[p.id for p in team],
            planned_start_on=start,
            planned_end_on=start + timedelta(days=1),
            template_keys=list(templates),
        )
        return Built(audit.id, audit.code)


def start(world, built: Built) -> Built:
    with unit_of_work(world.engine) as session:
        audit = session.get(Audit, built.id)
        lead = session.get(User, audit.lead_auditor_id)
        service.start_audit(session=session, by=lead, audit=audit)
    return built


def items(world, built: Built) -> list[ChecklistItem]:
    with unit_of_work(world.engine, write=False) as session:
        return service.items_of(session=session, audit=session.get(Audit, built.id))


def answer(world, built: Built, *, by=None, answers: dict | None = None, default=Result.conform):
    """Answer every open item: `answers` maps a ref to (result, evidence)."""
    answers = answers or {}
    with unit_of_work(world.engine) as session:
        audit = session.get(Audit, built.id)
        auditor = session.get(User, by.id if by else audit.lead_auditor_id)
        for item in service.items_of(session=session, audit=audit):
            if item.result:
                continue
            result, evidence = answers.get(item.ref, (default, EVIDENCE))
            service.answer_item(
                session=session,
                by=auditor,
                item=item,
                result=result,
                evidence=evidence,
                version=item.version,
                lang="vi",
                today=today(world),
            )


def report(world, built: Built, *, summary="Quá trình được thực hiện phù hợp.") -> Built:
    settings = world.app.state.settings
    with unit_of_work(world.engine) as session:
        audit = session.get(Audit, built.id)
        lead = session.get(User, audit.lead_auditor_id)
        service.report_audit(
            session=session,
            by=lead,
            audit=audit,
            password=world.auditor.password,
            summary=summary,
            strengths="Công chức nắm vững quy trình.",
            settings=settings,
        )
    return built


def close(world, built: Built, note="Không còn điểm không phù hợp mở.") -> Built:
    with unit_of_work(world.engine) as session:
        service.close_audit(
            session=session,
            by=user(session, world.quality_officer),
            audit=session.get(Audit, built.id),
            note=note,
        )
    return built


def cancel(world, built: Built) -> Built:
    with unit_of_work(world.engine) as session:
        service.cancel_audit(
            session=session,
            by=user(session, world.quality_officer),
            audit=session.get(Audit, built.id),
            reason="Phòng sáp nhập.",
        )
    return built


def build(world, state: str = "planned", **plan_args) -> Built:
    """An audit of department A led by world.auditor, brought to `state`."""
    built = plan(world, **plan_args)
    if state == "planned":
        return built
    if state == "cancelled":
        return cancel(world, built)
    start(world, built)
    if state == "in_progress":
        return built
    answer(world, built)
    report(world, built)
    if state == "reported":
        return built
    assert state == "closed", state
    return close(world, built)


def load(world, built: Built) -> Audit:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(Audit, built.id)


def shared_reported(world) -> Built:
    """One reported audit per world, for the tests that only read it."""
    if not hasattr(world, "_reported_audit"):
        world._reported_audit = build(world, "reported")
    return world._reported_audit
