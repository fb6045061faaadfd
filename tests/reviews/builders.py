"""Management reviews in a given state, built through the services as people would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from qms.auth.models import User
from qms.db import unit_of_work
from qms.reviews import service
from qms.reviews.models import ManagementReview

MINUTES = "Lãnh đạo thống nhất duy trì HTQLCL; giao Phòng Tổng hợp rà soát quy trình trả kết quả."


@dataclass
class Built:
    id: int
    code: str
    output_ids: list[int] = field(default_factory=list)


def today(world) -> date:
    return datetime.now(world.app.state.settings.tz).date()


def make_chair(world, person=None):
    """Mark a manager (world.manager by default) as top management: the chair of the tests."""
    person = person or world.manager
    with unit_of_work(world.engine) as session:
        user = session.get(User, person.id)
        user.top_management = True
        session.add(user)
    return person


def plan(world, *, start=None, end=None, planned_on=None, resources="", attendees=None) -> Built:
    make_chair(world)
    day = today(world)
    attendees = attendees if attendees is not None else [world.quality_officer, world.manager_b]
    with unit_of_work(world.engine) as session:
        review = service.create_review(
            session=session,
            by=session.get(User, world.quality_officer.id),
            period_start=start or date(day.year, 1, 1),
            period_end=end or day,
            planned_on=planned_on or day,
            chair_id=world.manager.id,
            attendee_ids=[p.id for p in attendees],
            resources=resources,
        )
        return Built(review.id, review.code)


def hold(world, built: Built, minutes: str = MINUTES) -> Built:
    with unit_of_work(world.engine) as session:
        review = session.get(ManagementReview, built.id)
        service.hold(
            session=session,
            by=session.get(User, review.chair_id),
            review=review,
            minutes=minutes,
            version=review.version,
            today=today(world),
        )
    return built


def add_output(world, built: Built, *, owner=None, kind="improvement", due_in=30, what=None):
    with unit_of_work(world.engine) as session:
        review = session.get(ManagementReview, built.id)
        output = service.add_output(
            session=session,
            by=session.get(User, world.quality_officer.id),
            review=review,
            kind=kind,
            description=what or "Rà soát quy trình trả kết quả qua bưu điện.",
            owner_id=(owner or world.staff).id,
            due_on=today(world) + timedelta(days=due_in),
        )
        built.output_ids.append(output.id)
        return output.id


def close(world, built: Built) -> Built:
    settings = world.app.state.settings
    with unit_of_work(world.engine) as session:
        review = session.get(ManagementReview, built.id)
        service.close(
            session=session,
            by=session.get(User, review.chair_id),
            review=review,
            password=world.manager.password,
            version=review.version,
            settings=settings,
        )
    return built


def build(world, state: str = "planned", **plan_args) -> Built:
    built = plan(world, **plan_args)
    if state == "planned":
        return built
    if state == "cancelled":
        with unit_of_work(world.engine) as session:
            service.cancel(
                session=session,
                by=session.get(User, world.quality_officer.id),
                review=session.get(ManagementReview, built.id),
                reason="Lãnh đạo đi công tác.",
                version=None,
            )
        return built
    hold(world, built)
    add_output(world, built)
    if state == "held":
        return built
    assert state == "closed", state
    return close(world, built)


def load(world, built: Built) -> ManagementReview:
    with unit_of_work(world.engine, write=False) as session:
        return session.get(ManagementReview, built.id)
