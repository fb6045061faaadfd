"""Records of the other domains made for the review tests, through their own services."""

from __future__ import annotations

from datetime import date

from qms.auth.models import User
from qms.db import unit_of_work
from qms.nonconformities import service as nonconformities


def raise_nc(world, *, on: date, source="internal_audit", department=None, severity="minor"):
    with unit_of_work(world.engine) as session:
        nc = nonconformities.raise_nonconformity(
            session=session,
            by=session.get(User, world.auditor.id),
            source=source,
            department_id=(department or world.dept_a).id,
            clause="8.2.1",
            severity=severity,
            description="Công dân phản ánh trả kết quả trễ hạn.",
            today=on,
        )
        return nc.id, nc.code


def cancel_nc(world, nc_id: int):
    with unit_of_work(world.engine) as session:
        nonconformities.cancel(
            session=session,
            nc=nonconformities.get_nonconformity(session=session, nonconformity_id=nc_id),
            by=session.get(User, world.quality_officer.id),
            reason="Trùng lặp.",
        )
