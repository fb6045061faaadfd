"""The rules of internal audits: the programme, planning with an impartial team, checklists
filled item by item, the signed report with its PDF record, closing and cancelling."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from qms import files
from qms.audits import checklists, findings
from qms.audits import permissions as _rules  # noqa: F401  (declares the domain's rules)
from qms.audits.models import (
    LONG_TEXT,
    TITLE_LIMIT,
    Audit,
    AuditProgramme,
    AuditTeamMember,
    Checklist,
    ChecklistAttachment,
    ChecklistItem,
    Result,
)
from qms.audits.states import ANSWER, CANCEL, CLOSE, REPORT, START, UPDATE, AuditStatus
from qms.auth import service as auth_service
from qms.auth.models import Department, Role, User, UserRole
from qms.auth.permissions import require
from qms.counters import next_number
from qms.db import utcnow
from qms.errors import (
    Conflict,
    Invalid,
    NotFound,
    Problems,
    StaleVersion,
    check_length,
    check_version,
)
from qms.home.service import Slice, first_rows
from qms.i18n import N_
from qms.reports import service as reports
from qms.trail import service as trail

CODE_SERIES = "IA"
AUDIT_FIELDS = (
    "title",
    "scope",
    "criteria",
    "department_id",
    "lead_auditor_id",
    "auditor_ids",
    "planned_start_on",
    "planned_end_on",
    "template_keys",
)
# Answers that say something was seen that needs words: the evidence is required.
NEEDS_EVIDENCE = {Result.minor_nc, Result.major_nc, Result.observation, Result.improvement}


# --- programme --------------------------------------------------------------------------


def get_programme(*, session: Session, year: int) -> AuditProgramme:
    programme = session.exec(select(AuditProgramme).where(AuditProgramme.year == year)).first()
    if programme is None:
        raise NotFound("There is no audit programme for %(year)s.", year=year)
    return programme


def list_programmes(*, session: Session) -> list[AuditProgramme]:
    return list(
        session.exec(select(AuditProgramme).order_by(col(AuditProgramme.year).desc())).all()
    )


def read_programmes(*, session: Session, by: User) -> list[AuditProgramme]:
    """The programmes, newest first, for those who may see the audit programme."""
    require(by, "audit.programme.read")
    return list_programmes(session=session)


def read_programme(*, session: Session, by: User, year: int) -> AuditProgramme:
    require(by, "audit.programme.read")
    return get_programme(session=session, year=year)


def read_departments_without_audit(*, session: Session, by: User, year: int) -> list[Department]:
    """The programme's warning, for those who may see the audit programme."""
    require(by, "audit.programme.read")
    return departments_without_audit(session=session, year=year)


def read_templates(*, by: User) -> checklists.Catalogue:
    """The checklist templates (and those that cannot be used, with why), for those who may
    see them."""
    require(by, "audit.template.read")
    return checklists.catalogue()


def programme_audits(*, session: Session, programme: AuditProgramme) -> list[Audit]:
    return list(
        session.exec(
            select(Audit)
            .where(Audit.programme_id == programme.id)
            .order_by(col(Audit.planned_start_on), col(Audit.code))
        ).all()
    )


def programme_status(audits: list[Audit]) -> str:
    """`completed` once every audit of the programme is closed or cancelled, else `active`."""
    done = {AuditStatus.closed.value, AuditStatus.cancelled.value}
    if audits and all(a.status in done for a in audits):
        return "completed"
    return "active"


def departments_without_audit(*, session: Session, year: int) -> list[Department]:
    """The departments the year's programme does not cover (ISO 9001:2015, 9.2.2 a: a
    programme covering the processes): those with no internal audit of that calendar year
    planned, under way, reported or closed. A cancelled audit does not count: the
    department was not audited. The year of an audit is that of its planned start (the
    programme it belongs to)."""
    covered = (
        select(Audit.department_id)
        .join(AuditProgramme, col(AuditProgramme.id) == Audit.programme_id)
        .where(AuditProgramme.year == year, Audit.status != AuditStatus.cancelled.value)
    )
    return list(
        session.exec(
            select(Department)
            .where(col(Department.id).not_in(covered))
            .order_by(col(Department.code))
        ).all()
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise Invalid("Enter a year between 2000 and 2100.", field="year")


def create_programme(
    *, session: Session, by: User | None, year: int, objectives: str = ""
) -> AuditProgramme:
    if by is not None:
        require(by, "audit.programme.manage")
    _check_year(year)
    if session.exec(select(AuditProgramme).where(AuditProgramme.year == year)).first():
        raise Conflict("There is already an audit programme for %(year)s.", field="year", year=year)
    objectives = check_length(objectives.strip(), field="objectives", limit=LONG_TEXT)
    return _open_programme(session, by, year, objectives=objectives)


def _open_programme(
    session: Session, by: User | None, year: int, *, objectives: str | None = None, reason=""
) -> AuditProgramme:
    """A new programme for the year, in the trail (its objectives, when it is given any)."""
    programme = AuditProgramme(year=year, created_by_id=getattr(by, "id", None))
    changes = {"year": [None, year]}
    if objectives is not None:
        programme.objectives = objectives
        changes["objectives"] = [None, objectives]
    session.add(programme)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type="audit_programme",
        record_id=programme.id,
        changes=changes,
        reason=reason,
    )
    return programme


def update_programme(
    *, session: Session, by: User, programme: AuditProgramme, objectives: str, version: int | None
) -> AuditProgramme:
    require(by, "audit.programme.manage")
    check_version(programme, version)
    objectives = check_length(objectives.strip(), field="objectives", limit=LONG_TEXT)
    if objectives == programme.objectives:
        return programme
    before = programme.objectives
    programme.objectives = objectives
    programme.version += 1
    programme.updated_at = utcnow()
    session.add(programme)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="updated",
        record_type="audit_programme",
        record_id=programme.id,
        changes={"objectives": [before, objectives]},
    )
    return programme


def _programme_for(session: Session, by: User | None, year: int) -> AuditProgramme:
    """The year's programme; planning the year's first audit opens it."""
    found = session.exec(select(AuditProgramme).where(AuditProgramme.year == year)).first()
    if found is not None:
        return found
    return _open_programme(session, by, year, reason="opened by the year's first audit")


# --- reading audits ---------------------------------------------------------------------


def get_audit(*, session: Session, audit_id: int) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFound("Audit %(id)s does not exist.", id=audit_id)
    return audit


def read_audit(*, session: Session, by: User, audit: Audit) -> Audit:
    """The audit as the person may read it: its team, the quality officer, an administrator
    and the manager of the audited department."""
    require(by, "audit.read", audit)
    return audit


def audit_by_code(*, session: Session, code: str) -> Audit:
    audit = session.exec(select(Audit).where(Audit.code == code.strip().upper())).first()
    if audit is None:
        raise NotFound("There is no audit %(code)s.", field="code", code=code)
    return audit


def _locked_audit(session: Session, audit_id: int, *, shared: bool = False) -> Audit:
    """The audit re-read under a row lock (PostgreSQL; SQLite writers are serialised)."""
    audit = session.exec(
        select(Audit)
        .where(Audit.id == audit_id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).one()
    return audit


@dataclass
class AuditFilters:
    year: int | None = None
    status: str | None = None
    department_id: int | None = None
    q: str | None = None
    # Reported on or after / on or before these days (UTC), e.g. a review period.
    reported_from: date | None = None
    reported_to: date | None = None
    # Those with at least one checklist answer of this result (a finding's grade, an OFI).
    finding: str | None = None


def _reported_between(start: date | None, end: date | None):
    """Audits whose report was signed from `start` to `end`, both days included, days as
    the office counts them (its time zone, QMS_TIMEZONE), not UTC days."""
    from qms.config import get_settings

    tz = get_settings().tz
    conditions = [col(Audit.reported_at).is_not(None)]
    if start is not None:
        conditions.append(Audit.reported_at >= datetime.combine(start, time(), tzinfo=tz))
    if end is not None:
        day_after = datetime.combine(end + timedelta(days=1), time(), tzinfo=tz)
        conditions.append(Audit.reported_at < day_after)
    return and_(*conditions)


def _with_finding(result: str):
    return exists().where(ChecklistItem.audit_id == Audit.id, ChecklistItem.result == result)


def _visible_to(query, user: User):
    if user.has_role(Role.quality_officer, Role.admin):
        return query
    team = select(AuditTeamMember.audit_id).where(AuditTeamMember.user_id == user.id)
    conditions = [Audit.lead_auditor_id == user.id, col(Audit.id).in_(team)]
    if user.has_role(Role.manager) and user.department_id is not None:
        conditions.append(Audit.department_id == user.department_id)
    return query.where(or_(*conditions))


def list_audits(
    *,
    session: Session,
    user: User,
    filters: AuditFilters | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[list[Audit], int]:
    """The audits the user may see, newest plan first, with how many match in all
    (`limit=None`: all of them, for an export)."""
    require(user, "audit.list")
    filters = filters or AuditFilters()
    query = _visible_to(select(Audit), user)
    if filters.year is not None:
        query = query.where(
            col(Audit.programme_id).in_(
                select(AuditProgramme.id).where(AuditProgramme.year == filters.year)
            )
        )
    if filters.status:
        query = query.where(Audit.status == filters.status)
    if filters.department_id is not None:
        query = query.where(Audit.department_id == filters.department_id)
    if filters.reported_from is not None or filters.reported_to is not None:
        query = query.where(_reported_between(filters.reported_from, filters.reported_to))
    if filters.finding:
        query = query.where(_with_finding(filters.finding))
    if filters.q:
        pattern = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Audit.code).like(pattern), func.lower(Audit.title).like(pattern))
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Audit.planned_start_on).desc(), col(Audit.code).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def checklists_of(*, session: Session, audit: Audit) -> list[Checklist]:
    return list(
        session.exec(
            select(Checklist)
            .where(Checklist.audit_id == audit.id)
            .order_by(col(Checklist.position), col(Checklist.id))
        ).all()
    )


def items_of(*, session: Session, audit: Audit) -> list[ChecklistItem]:
    return list(
        session.exec(
            select(ChecklistItem)
            .where(ChecklistItem.audit_id == audit.id)
            .order_by(col(ChecklistItem.checklist_id), col(ChecklistItem.position))
        ).all()
    )


def get_item(*, session: Session, item_id: int) -> ChecklistItem:
    item = session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound("Checklist item %(id)s does not exist.", id=item_id)
    return item


def read_item(*, session: Session, by: User, item: ChecklistItem) -> ChecklistItem:
    """The checklist item, to those who may read its audit."""
    read_audit(session=session, by=by, audit=get_audit(session=session, audit_id=item.audit_id))
    return item


def attachments_of(*, session: Session, item_ids) -> dict[int, list[ChecklistAttachment]]:
    ids = list(item_ids)
    out: dict[int, list[ChecklistAttachment]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.exec(
        select(ChecklistAttachment)
        .where(col(ChecklistAttachment.item_id).in_(ids))
        .order_by(col(ChecklistAttachment.id))
    ).all()
    for row in rows:
        out[row.item_id].append(row)
    return out


def get_attachment(*, session: Session, attachment_id: int) -> ChecklistAttachment:
    row = session.get(ChecklistAttachment, attachment_id)
    if row is None:
        raise NotFound("Attachment %(id)s does not exist.", id=attachment_id)
    return row


def progress(*, session: Session, audit_ids) -> dict[int, tuple[int, int]]:
    """(answered, total) checklist items of each audit."""
    ids = list(audit_ids)
    out = dict.fromkeys(ids, (0, 0))
    if not ids:
        return out
    rows = session.exec(
        select(
            ChecklistItem.audit_id,
            func.count(col(ChecklistItem.result)),
            func.count(),
        )
        .where(col(ChecklistItem.audit_id).in_(ids))
        .group_by(col(ChecklistItem.audit_id))
    ).all()
    for audit_id, answered, total in rows:
        out[audit_id] = (int(answered), int(total))
    return out


def finding_counts(*, session: Session, audit_ids) -> dict[int, dict[str, int]]:
    """How many checklist answers of each result each audit has (its findings by grade)."""
    ids = list(audit_ids)
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = session.exec(
        select(ChecklistItem.audit_id, ChecklistItem.result, func.count())
        .where(col(ChecklistItem.audit_id).in_(ids), col(ChecklistItem.result).is_not(None))
        .group_by(col(ChecklistItem.audit_id), col(ChecklistItem.result))
    ).all()
    for audit_id, result, count in rows:
        out[audit_id][result] = int(count)
    return out


people = auth_service.people_named


# --- planning ---------------------------------------------------------------------------


def _check_team(
    session: Session, *, department_id: int, lead_auditor_id: int, auditor_ids
) -> tuple[Department, list[int]]:
    """The auditee exists; every auditor exists, is an active auditor, and does not belong
    to the audited department (9.2.2 c: objectivity and impartiality of the audit)."""
    department = session.get(Department, department_id)
    if department is None:
        raise Invalid("Choose the audited department from the list.", field="department_id")
    team = [lead_auditor_id] + [i for i in dict.fromkeys(auditor_ids) if i != lead_auditor_id]
    for index, user_id in enumerate(team):
        field = "lead_auditor_id" if index == 0 else "auditor_ids"
        person = session.get(User, user_id)
        if person is None or not person.is_active:
            raise Invalid("User %(id)s is not an active user.", field=field, id=user_id)
        if person.department_id == department.id:
            raise Conflict(
                "%(name)s belongs to %(department)s and cannot audit it: auditors do not audit "
                "their own department (ISO 9001:2015, 9.2.2 c).",
                field=field,
                name=person.full_name,
                department=department.name,
            )
        if not person.has_role(Role.auditor):
            raise Invalid(
                "%(name)s is not an auditor; give them the auditor role first.",
                field=field,
                name=person.full_name,
            )
    return department, team[1:]


def _check_templates(keys) -> list[str]:
    unique = list(dict.fromkeys(k.strip() for k in keys if k and k.strip()))
    if not unique:
        raise Invalid("Choose at least one checklist template.", field="template_keys")
    for key in unique:
        checklists.get_template(key)
    return unique


def _check_dates(start: date, end: date) -> None:
    if end < start:
        raise Invalid("The planned end cannot be before the planned start.", field="planned_end_on")


def _text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(message, field=field)
    return check_length(text, field=field, limit=TITLE_LIMIT if field == "title" else LONG_TEXT)


def _snapshot(audit: Audit) -> dict:
    return {name: getattr(audit, name) for name in AUDIT_FIELDS}


def create_audit(
    *,
    session: Session,
    by: User | None,
    title: str,
    scope: str,
    criteria: str,
    department_id: int | None,
    lead_auditor_id: int | None,
    auditor_ids=(),
    planned_start_on: date | None,
    planned_end_on: date | None,
    template_keys,
) -> Audit:
    if by is not None:
        require(by, "audit.create")
    # Every field is checked before any is refused: a form shows all its messages at once.
    problems = Problems()
    title = problems.check(_text, title, "title", "Give the audit a title.")
    scope = problems.check(_text, scope, "scope", "Describe the scope of the audit.")
    criteria = problems.check(_text, criteria, "criteria", "Name the audit criteria.")
    if department_id is None:
        problems.add("Choose the audited department.", field="department_id")
    if lead_auditor_id is None:
        problems.add("Choose the lead auditor.", field="lead_auditor_id")
    for field, day in (("planned_start_on", planned_start_on), ("planned_end_on", planned_end_on)):
        if day is None:
            problems.add("Enter a date (day, month, year).", field=field)
    if planned_start_on is not None and planned_end_on is not None:
        problems.check(_check_dates, planned_start_on, planned_end_on)
    keys = problems.check(_check_templates, template_keys)
    problems.raise_any()
    _department, team = _check_team(
        session,
        department_id=department_id,
        lead_auditor_id=lead_auditor_id,
        auditor_ids=auditor_ids,
    )
    programme = _programme_for(session, by, planned_start_on.year)
    number = next_number(session=session, name=CODE_SERIES, year=programme.year)
    audit = Audit(
        code=f"{CODE_SERIES}-{programme.year}-{number:02d}",
        programme_id=programme.id,
        title=title,
        scope=scope,
        criteria=criteria,
        department_id=department_id,
        lead_auditor_id=lead_auditor_id,
        planned_start_on=planned_start_on,
        planned_end_on=planned_end_on,
        template_keys=keys,
        status=AuditStatus.planned.value,
        created_by_id=getattr(by, "id", None),
        team_rows=[AuditTeamMember(user_id=user_id) for user_id in team],
    )
    session.add(audit)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="created",
        record_type="audit",
        record_id=audit.id,
        changes={"code": [None, audit.code]}
        | {name: [None, value] for name, value in _snapshot(audit).items()},
    )
    return audit


def update_audit(
    *, session: Session, by: User, audit: Audit, version: int | None, **fields
) -> Audit:
    """Change the plan: anything while planned; the team, dates and words while in progress."""
    UPDATE.require(session=session, user=by, record=audit, version=version)
    # A plan is changed only against the version it was read at (the form always sends it).
    check_version(audit, version)
    status = AuditStatus(audit.status)
    fields = {k: v for k, v in fields.items() if v is not None}
    if status is AuditStatus.in_progress:
        for frozen in ("department_id", "template_keys"):
            if frozen in fields and fields[frozen] != getattr(audit, frozen):
                raise Conflict(
                    "Audit %(code)s has started: its checklists exist, so its auditee and "
                    "templates can no longer change.",
                    field=frozen,
                    code=audit.code,
                )
    before = _snapshot(audit)
    for name in ("title", "scope", "criteria"):
        if name in fields:
            fields[name] = _text(fields[name], name, "This field cannot be empty.")
    start = fields.get("planned_start_on", audit.planned_start_on)
    end = fields.get("planned_end_on", audit.planned_end_on)
    _check_dates(start, end)
    if start.year != audit.year:
        raise Invalid(
            "An audit stays in the programme of its year (%(year)s): cancel it and plan a new "
            "one for another year.",
            field="planned_start_on",
            year=audit.year,
        )
    _department, team = _check_team(
        session,
        department_id=fields.get("department_id", audit.department_id),
        lead_auditor_id=fields.get("lead_auditor_id", audit.lead_auditor_id),
        auditor_ids=fields.get("auditor_ids", audit.auditor_ids),
    )
    if "template_keys" in fields:
        fields["template_keys"] = _check_templates(fields["template_keys"])
    for name in ("title", "scope", "criteria", "department_id", "lead_auditor_id"):
        if name in fields:
            setattr(audit, name, fields[name])
    audit.planned_start_on, audit.planned_end_on = start, end
    if "template_keys" in fields:
        audit.template_keys = fields["template_keys"]
    # Only the difference is written: rows of auditors who stay are kept as they are.
    audit.team_rows = [row for row in audit.team_rows if row.user_id in team]
    present = {row.user_id for row in audit.team_rows}
    audit.team_rows.extend(AuditTeamMember(user_id=i) for i in team if i not in present)
    changes = trail.changes_of(audit, before, AUDIT_FIELDS)
    if changes:
        UPDATE.apply(session=session, record=audit, by=by, also=changes)
    return audit


def start_audit(*, session: Session, by: User, audit: Audit, version: int | None = None) -> Audit:
    """Begin the audit: its checklists are made from its templates, item for item."""
    audit = _locked_audit(session, audit.id)
    START.require(session=session, user=by, record=audit, version=version)
    # The team is checked again: someone may have changed department since the planning.
    _check_team(
        session,
        department_id=audit.department_id,
        lead_auditor_id=audit.lead_auditor_id,
        auditor_ids=audit.auditor_ids,
    )
    templates = [checklists.get_template(key) for key in audit.template_keys]
    total = 0
    for position, template in enumerate(templates):
        checklist = Checklist(
            audit_id=audit.id,
            template_key=template.key,
            position=position,
            title_vi=template.title.vi,
            title_en=template.title.en,
        )
        session.add(checklist)
        session.flush()
        number = 0
        for section in template.sections:
            for entry in section.items:
                session.add(
                    ChecklistItem(
                        checklist_id=checklist.id,
                        audit_id=audit.id,
                        position=number,
                        clause=section.clause,
                        section_title_vi=section.title.vi,
                        section_title_en=section.title.en,
                        ref=entry.ref,
                        question_vi=entry.question.vi,
                        question_en=entry.question.en,
                        guidance_vi=entry.guidance.vi,
                        guidance_en=entry.guidance.en,
                    )
                )
                number += 1
        total += number
    session.flush()
    START.apply(session=session, record=audit, by=by, also={"checklist_items": [0, total]})
    return audit


# --- filling the checklist --------------------------------------------------------------


def answer_item(
    *,
    session: Session,
    by: User,
    item: ChecklistItem,
    result: Result | str | None,
    evidence: str,
    version: int | None,
    lang: str = "vi",
    today: date | None = None,
    confirm_nonconformity: bool = True,
    change_reason: str = "",
) -> ChecklistItem:
    """Save an auditor's answer to one item, refusing a save made on an older version.

    A nonconforming answer raises the item's nonconformity, once, with the evidence as its
    finding: answering again links to the same one. The checklist page asks for
    `confirm_nonconformity` before the first; the API's caller states it by sending the
    result. Changing the answer that raised a nonconformity cancels it, with
    `change_reason`, while the audit is in progress.
    """
    # Lock order: the audit (shared, so that reporting waits for answers in flight), then
    # the item (exclusive, so that two saves of one item are compared one after the other).
    audit = _locked_audit(session, item.audit_id, shared=True)
    ANSWER.require(session=session, user=by, record=audit)
    item = session.exec(
        select(ChecklistItem)
        .where(ChecklistItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if version is None:
        raise Invalid("The version of the item you answered is required.", field="version")
    if item.version != version:
        answered_by = session.get(User, item.answered_by_id) if item.answered_by_id else None
        raise StaleVersion(
            "Item %(ref)s was changed by %(by)s after you opened it (now version "
            "%(current_version)s, you sent %(sent_version)s). Your answer was not saved: read "
            "the newer answer and save again if needed.",
            field="version",
            ref=item.ref,
            by=answered_by.full_name if answered_by else "?",
            current_version=item.version,
            sent_version=version,
            current_result=item.result or "",
            current_evidence=item.evidence,
        )
    try:
        new_result = Result(result) if result else None
    except ValueError:
        raise Invalid("Choose a result from the list.", field="result") from None
    evidence = check_length((evidence or "").strip(), field="evidence", limit=LONG_TEXT)
    if new_result in NEEDS_EVIDENCE and not evidence:
        raise Invalid("Write down the evidence behind this result.", field="evidence")
    if item.result and new_result is None:
        raise Invalid("Choose a result: an answered item cannot become open again.", field="result")
    withdrawn = None
    if item.result and new_result != Result(item.result) and Result(item.result).is_nonconformity:
        raised = findings.for_item(session=session, item=item)
        if raised is not None and raised.status != "cancelled":
            reason = check_length(
                (change_reason or "").strip(), field="change_reason", limit=LONG_TEXT
            )
            if not reason:
                raise Conflict(
                    "This item raised %(nc)s. To change its answer, say why: %(nc)s is then "
                    "cancelled with that reason.",
                    field="change_reason",
                    nc=raised.code,
                )
            withdrawn = raised
    raises_new = (
        new_result is not None
        and new_result.is_nonconformity
        and (withdrawn is not None or findings.for_item(session=session, item=item) is None)
    )
    if raises_new and not confirm_nonconformity:
        raise Invalid(
            "Tick the box to confirm: saving this answer raises a numbered nonconformity "
            "with this evidence as its finding.",
            field="confirm_nonconformity",
        )
    before = {"result": item.result, "evidence": item.evidence}
    item.result = new_result.value if new_result else None
    item.evidence = evidence
    changes = trail.changes_of(item, before, ("result", "evidence"))
    if not changes:
        return item
    now = utcnow()
    item.answered_at = now
    item.answered_by_id = by.id
    item.version += 1
    item.updated_at = now
    session.add(item)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="answered",
        record_type="checklist_item",
        record_id=item.id,
        changes=changes,
    )
    if withdrawn is not None:
        findings.withdraw(session=session, by=by, nc=withdrawn, reason=change_reason)
    if new_result is not None and new_result.is_nonconformity:
        findings.raise_for_item(
            session=session, by=by, audit=audit, item=item, lang=lang, today=today
        )
    return item


def add_attachment(
    *,
    session: Session,
    by: User,
    item: ChecklistItem,
    filename: str,
    stream: BinaryIO | None,
    files_dir: Path,
    max_bytes: int,
) -> ChecklistAttachment:
    audit = _locked_audit(session, item.audit_id, shared=True)
    ANSWER.require(session=session, user=by, record=audit)
    if stream is None:
        raise Invalid("Choose a photo or a file to attach.", field="file")
    stored = files.keep(
        session,
        files_dir=files_dir,
        source=stream,
        filename=filename,
        max_bytes=max_bytes,
        accept=files.PHOTOS_PDF_OFFICE,
    )
    label = stored.name
    row = ChecklistAttachment(
        item_id=item.id,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.media_type,
        filename=label,
        uploaded_at=utcnow(),
        uploaded_by_id=by.id,
    )
    session.add(row)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="attachment_added",
        record_type="checklist_item",
        record_id=item.id,
        changes={"attachment": [None, {"id": row.id, "name": label, "sha256": stored.sha256}]},
    )
    return row


def remove_attachment(*, session: Session, by: User, attachment: ChecklistAttachment) -> None:
    item = get_item(session=session, item_id=attachment.item_id)
    audit = _locked_audit(session, item.audit_id, shared=True)
    ANSWER.require(session=session, user=by, record=audit)
    session.delete(attachment)
    session.flush()
    # The bytes stay in the store: other records may hold the same file.
    trail.record(
        session=session,
        actor=by,
        action="attachment_removed",
        record_type="checklist_item",
        record_id=item.id,
        changes={
            "attachment": [
                {"id": attachment.id, "name": attachment.filename, "sha256": attachment.sha256},
                None,
            ]
        },
    )


def read_attachment(
    *, session: Session, by: User, attachment: ChecklistAttachment
) -> ChecklistAttachment:
    """The attachment, to those who may read the audit of its item."""
    read_item(session=session, by=by, item=get_item(session=session, item_id=attachment.item_id))
    return attachment


# --- reporting --------------------------------------------------------------------------


def open_items(*, session: Session, audit: Audit) -> tuple[int, int]:
    answered, total = progress(session=session, audit_ids=[audit.id])[audit.id]
    return total - answered, total


def content_hash(*, session: Session, audit: Audit) -> str:
    """SHA-256 of what the lead auditor signs: the audit and every answer, canonically."""
    items = items_of(session=session, audit=audit)
    body = {
        "code": audit.code,
        "title": audit.title,
        "scope": audit.scope,
        "criteria": audit.criteria,
        "department_id": audit.department_id,
        "lead_auditor_id": audit.lead_auditor_id,
        "auditor_ids": audit.auditor_ids,
        "summary": audit.summary,
        "strengths": audit.strengths,
        "items": [[i.id, i.ref, i.result, i.evidence] for i in items],
    }
    return hashlib.sha256(trail.canonical_json(body).encode()).hexdigest()


def report_signature(*, session: Session, audit: Audit):
    """The report's signature and how it stands against the audit now ("valid", "void",
    "altered"), or (None, None) before the report."""
    from qms.trail.models import Signature

    signature = (
        session.get(Signature, audit.report_signature_id) if audit.report_signature_id else None
    )
    actual = content_hash(session=session, audit=audit) if signature else None
    return signature, trail.signature_state(signature, actual)


def report_audit(
    *,
    session: Session,
    by: User,
    audit: Audit,
    password: str,
    summary: str,
    strengths: str = "",
    version: int | None = None,
    settings,
) -> Audit:
    """The lead auditor signs the report; the PDF audit record is rendered and kept."""
    from qms.audits import pdf

    audit = _locked_audit(session, audit.id)
    REPORT.require(session=session, user=by, record=audit, version=version)
    still_open, total = open_items(session=session, audit=audit)
    if still_open:
        raise Conflict(
            "%(open)s of the %(total)s checklist items are still unanswered: answer them all "
            "before reporting.",
            open=still_open,
            total=total,
        )
    audit.summary = _text(summary, "summary", "Write the summary of the audit.")
    audit.strengths = check_length((strengths or "").strip(), field="strengths", limit=LONG_TEXT)
    signature = trail.sign(
        session=session,
        signer=by,
        password=password,
        meaning="reported",
        record_type="audit",
        record_id=audit.id,
        content_hash=content_hash(session=session, audit=audit),
    )
    data = pdf.render_audit_report(
        session=session, audit=audit, signature=signature, settings=settings
    )
    stored = reports.keep_signed(
        session=session,
        settings=settings,
        record_kind="audit_report",
        record_id=audit.id,
        record_code=audit.code,
        pdf_bytes=data,
        by=by,
    )
    audit.report_signature_id = signature.id
    audit.report_sha256 = stored.sha256
    audit.report_size = stored.size
    REPORT.apply(
        session=session,
        record=audit,
        by=by,
        also={
            "report_sha256": [None, stored.sha256],
            "summary": [None, audit.summary],
            "strengths": [None, audit.strengths],
        },
    )
    return audit


def report_bytes(*, audit: Audit, files_dir: Path) -> bytes:
    """The kept PDF record, byte for byte, after checking it against its SHA-256."""
    if not audit.report_sha256:
        raise NotFound("Audit %(code)s has no report yet.", code=audit.code)
    return files.read_checked(files_dir=files_dir, sha256=audit.report_sha256)


# --- closing and cancelling -------------------------------------------------------------


def close_audit(
    *,
    session: Session,
    by: User,
    audit: Audit,
    note: str,
    carried_over_ids=(),
    version: int | None = None,
) -> Audit:
    """Close once each nonconformity is closed or cancelled, or accepted as carried over."""
    audit = _locked_audit(session, audit.id)
    CLOSE.require(session=session, user=by, record=audit, version=version)
    note = _text(note, "note", "Write a closing note.")
    raised = findings.for_audit(session=session, audit=audit)
    known = {nc.id: nc for nc in raised}
    carried = list(dict.fromkeys(carried_over_ids))
    for nc_id in carried:
        if nc_id not in known:
            raise Invalid(
                "Nonconformity %(id)s was not raised by this audit.",
                field="carried_over_ids",
                id=nc_id,
            )
    unsettled = [nc for nc in raised if nc.status not in findings.SETTLED]
    blocking = [nc for nc in unsettled if nc.id not in carried]
    if blocking:
        raise Conflict(
            "%(count)s nonconformities of this audit are still open (%(codes)s): close them, "
            "or accept them as carried over with a note.",
            field="carried_over_ids",
            count=len(blocking),
            codes=", ".join(nc.code for nc in blocking),
        )
    audit.carried_over_ids = sorted(nc.id for nc in unsettled)
    audit.close_note = note
    CLOSE.apply(
        session=session,
        record=audit,
        by=by,
        reason=note,
        also={"carried_over_ids": [[], audit.carried_over_ids]},
    )
    return audit


def cancel_audit(
    *, session: Session, by: User, audit: Audit, reason: str, version: int | None = None
) -> Audit:
    audit = _locked_audit(session, audit.id)
    CANCEL.require(session=session, user=by, record=audit, version=version)
    audit.cancel_reason = _text(reason, "reason", "Say why the audit is cancelled.")
    CANCEL.apply(session=session, record=audit, by=by, reason=reason)
    return audit


# --- figures and work -------------------------------------------------------------------


def counts_by_status(*, session: Session, year: int) -> Counter:
    rows = session.exec(
        select(Audit.status, func.count())
        .join(AuditProgramme, col(AuditProgramme.id) == col(Audit.programme_id))
        .where(AuditProgramme.year == year)
        .group_by(col(Audit.status))
    ).all()
    return Counter({status: int(n) for status, n in rows})


def _auditing(user: User):
    """The condition: the user leads the audit or is on its team."""
    team = select(AuditTeamMember.audit_id).where(AuditTeamMember.user_id == user.id)
    return or_(Audit.lead_auditor_id == user.id, col(Audit.id).in_(team))


# The home's work lists: each the `limit` most urgent and how many there are in all.


def coming_audits(*, session: Session, user: User, until: date, today: date, limit: int) -> Slice:
    """Planned audits starting by `until` that the user audits or (as manager) whose
    department is audited, earliest first; those past their planned start are overdue."""
    conditions = [_auditing(user)]
    if user.has_role(Role.manager) and user.department_id is not None:
        conditions.append(Audit.department_id == user.department_id)
    query = select(Audit).where(
        Audit.status == AuditStatus.planned.value,
        Audit.planned_start_on <= until,
        or_(*conditions),
    )
    return first_rows(
        session,
        query,
        order_by=[col(Audit.planned_start_on), col(Audit.id)],
        limit=limit,
        overdue=col(Audit.planned_start_on) < today,
    )


def audits_to_work_on(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """Audits in progress the user is on that wait for them: checklist items still to
    answer, or (for the lead auditor) the report to issue; earliest planned end first."""
    unanswered = exists().where(
        ChecklistItem.audit_id == Audit.id, col(ChecklistItem.result).is_(None)
    )
    query = select(Audit).where(
        Audit.status == AuditStatus.in_progress.value,
        _auditing(user),
        or_(unanswered, Audit.lead_auditor_id == user.id),
    )
    return first_rows(
        session,
        query,
        order_by=[col(Audit.planned_end_on), col(Audit.id)],
        limit=limit,
        overdue=col(Audit.planned_end_on) < today,
    )


def audits_to_close(*, session: Session, user: User, limit: int) -> Slice:
    """For a quality officer: reported audits whose nonconformities are all settled."""
    if not user.has_role(Role.quality_officer):
        return Slice([], 0)
    query = select(Audit).where(
        Audit.status == AuditStatus.reported.value,
        col(Audit.id).not_in(findings.unsettled_audit_ids()),
    )
    order = [col(Audit.reported_at), col(Audit.id)]
    return first_rows(session, query, order_by=order, limit=limit)


def reported_audits(*, session: Session) -> list[Audit]:
    return list(
        session.exec(
            select(Audit)
            .where(Audit.status == AuditStatus.reported.value)
            .order_by(col(Audit.reported_at))
        ).all()
    )


def auditors(*, session: Session) -> list[User]:
    """Active users holding the auditor role: who may be put on a team."""
    return list(
        session.exec(
            select(User)
            .where(col(User.is_active).is_(True))
            .where(
                col(User.id).in_(
                    select(UserRole.user_id).where(UserRole.role == Role.auditor.value)
                )
            )
            .order_by(col(User.full_name))
        ).all()
    )


# --- what falls due (for the reminder sweep) ---------------------------------------------

# A reported audit is due to be closed this many days after its report.
CLOSE_WITHIN_DAYS = 30


def starting_before(*, session: Session, until: date, due_in=None) -> list[Audit]:
    """Planned audits whose planned start is on or before `until` (and, given `due_in`, a
    condition on that column: the reminder sweep's windows)."""
    query = select(Audit).where(
        Audit.status == AuditStatus.planned.value, Audit.planned_start_on <= until
    )
    if due_in is not None:
        query = query.where(due_in(col(Audit.planned_start_on)))
    return list(session.exec(query.order_by(col(Audit.planned_start_on))).all())


def awaiting_closure(*, session: Session) -> list[tuple[Audit, date]]:
    """Reported audits not yet closed, with the day their closure is due."""
    return [
        (audit, audit.reported_at.date() + timedelta(days=CLOSE_WITHIN_DAYS))
        for audit in reported_audits(session=session)
        if audit.reported_at is not None
    ]


# --- the management review's inputs (9.3.2 c 6 and f) -----------------------------------

REVIEW_FINDINGS = (
    (Result.major_nc, N_("Major nonconformities found by the audits")),
    (Result.minor_nc, N_("Minor nonconformities found by the audits")),
    (Result.observation, N_("Observations made by the audits")),
)


def review_inputs(*, session: Session, start: date, end: date):
    """The audits reported from `start` to `end` and what they found, for the management
    review; each figure links to the audits' register filtered to the audits it counts."""
    from qms.review_inputs import Figure

    period = f"reported_from={start.isoformat()}&reported_to={end.isoformat()}"
    reported = _reported_between(start, end)
    count = session.exec(select(func.count()).select_from(Audit).where(reported)).one()
    answers = dict(
        session.exec(
            select(ChecklistItem.result, func.count())
            .join(Audit, col(Audit.id) == ChecklistItem.audit_id)
            .where(reported, col(ChecklistItem.result).is_not(None))
            .group_by(col(ChecklistItem.result))
        ).all()
    )
    figures = [
        Figure(
            key="audits.reported",
            section="c6",
            label=N_("Internal audits reported in the period"),
            value=int(count),
            href=f"/audits?{period}",
        )
    ]
    for result, label in REVIEW_FINDINGS:
        figures.append(
            Figure(
                key=f"audits.findings.{result.value}",
                section="c6",
                label=label,
                value=int(answers.get(result.value, 0)),
                href=f"/audits?{period}&finding={result.value}",
            )
        )
    figures.append(
        Figure(
            key="audits.improvements",
            section="f",
            label=N_("Opportunities for improvement found by the audits of the period"),
            value=int(answers.get(Result.improvement.value, 0)),
            href=f"/audits?{period}&finding={Result.improvement.value}",
        )
    )
    # Still open: in audits reported by the end of the period and not yet closed (not those
    # reported after it, which a review of the period could not have seen).
    still_open = session.exec(
        select(func.count())
        .select_from(ChecklistItem)
        .join(Audit, col(Audit.id) == ChecklistItem.audit_id)
        .where(
            Audit.status == AuditStatus.reported.value,
            _reported_between(None, end),
            ChecklistItem.result == Result.improvement.value,
        )
    ).one()
    figures.append(
        Figure(
            key="audits.improvements.open",
            section="f",
            label=N_("Opportunities for improvement of audits reported by %(end)s, not yet closed"),
            value=int(still_open),
            href=f"/audits?status={AuditStatus.reported.value}&finding={Result.improvement.value}"
            f"&reported_to={end.isoformat()}",
            params={"end": end.isoformat()},
        )
    )
    return figures


# --- certification evidence -----------------------------------------------------------


def evidence(*, session: Session, start: date, end: date, today: date):
    """9.2.2: the audit programmes of the period's years and the audits reported in it (their
    kept, signed reports); a gap for a year without a programme, a period without a reported
    audit, and each department whose audit in the programme was to be over by the end of the
    period but none of it was reported in the period."""
    from qms.evidence_records import Gap, Item, Register, pages, years_of

    period = f"reported_from={start.isoformat()}&reported_to={end.isoformat()}"
    yield Register("audits.programme", f"/audits?year={end.year}")
    yield Register("audits.reported", f"/audits?{period}")
    years = years_of(start, end)
    programmes = {
        p.year: p
        for p in session.exec(
            select(AuditProgramme).where(col(AuditProgramme.year).in_(years))
        ).all()
    }
    for year in years:
        programme = programmes.get(year)
        if programme is None:
            yield Gap(
                source="audits.programme",
                message=N_("There is no audit programme for %(year)s."),
                params={"year": year},
                href="/audits",
            )
            continue
        yield Item(
            source="audits.programme",
            code=str(year),
            title=programme.objectives[:200],
            href=f"/audits?year={year}",
        )
    # Columns, a page at a time; the departments audited are few (one each at most).
    reported = select(
        Audit.reported_at, Audit.id, Audit.code, Audit.title, Audit.department_id
    ).where(_reported_between(start, end))
    audited: set[int] = set()
    for rows in pages(
        session,
        reported,
        keys=(col(Audit.reported_at), col(Audit.id)),
        key=lambda r: (r[0], r[1]),
    ):
        for reported_at, audit_id, code, title, department_id in rows:
            audited.add(department_id)
            yield Item(
                source="audits.reported",
                code=code,
                title=title,
                href=f"/audits/{audit_id}",
                on=reported_at.date() if reported_at else None,
                kept_kind="audit_report",
                kept_id=audit_id,
            )
    if not audited:
        yield Gap(
            source="audits.reported",
            message=N_("No internal audit was reported from %(start)s to %(end)s."),
            params={"start": start.isoformat(), "end": end.isoformat()},
            href="/audits",
        )
    if programmes:
        planned = session.exec(
            select(Audit.department_id, func.min(AuditProgramme.year))
            .join(AuditProgramme, col(AuditProgramme.id) == Audit.programme_id)
            .where(
                col(Audit.programme_id).in_([p.id for p in programmes.values()]),
                Audit.status != AuditStatus.cancelled.value,
                # Audits planned to be over by the end of the period: one still to come is not
                # missing yet.
                Audit.planned_end_on <= end,
            )
            .group_by(col(Audit.department_id))
        ).all()
        missing = {
            department_id: year for department_id, year in planned if department_id not in audited
        }
        if missing:
            departments = session.exec(
                select(Department)
                .where(col(Department.id).in_(list(missing)))
                .order_by(col(Department.code))
            ).all()
            for department in departments:
                yield Gap(
                    source="audits.reported",
                    message=N_(
                        "%(department)s is in the audit programme of %(year)s, but no "
                        "internal audit of it was reported in the period."
                    ),
                    params={"department": department.name, "year": missing[department.id]},
                    href=f"/audits?year={missing[department.id]}&department_id={department.id}",
                )
