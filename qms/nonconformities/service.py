"""The rules of nonconformities and corrective actions, from the finding to the signed closure."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, not_, or_
from sqlmodel import Session, col, select

from qms import files
from qms.auth import service as auth
from qms.auth.models import Department, Role, User
from qms.auth.permissions import require
from qms.auth.service import managers_of
from qms.counters import next_number
from qms.db import utcnow
from qms.errors import (
    Conflict,
    Invalid,
    NotFound,
    Problems,
    check_length,
)
from qms.home.service import Slice, first_rows
from qms.i18n import N_
from qms.nonconformities import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.nonconformities.models import (
    LIMITS,
    CheckResult,
    CorrectiveAction,
    EffectivenessCheck,
    EvidenceFile,
    Nonconformity,
    NonconformityDocument,
    RootCauseMethod,
    Severity,
    Source,
)
from qms.nonconformities.states import (
    ACTIONS_DONE,
    ACTIVE,
    ATTACH_EVIDENCE,
    ATTACH_TO_FINDING,
    CANCEL,
    CANCEL_FOR_CHANGED_ANSWER,
    CHECK_EFFECTIVE,
    CHECK_INEFFECTIVE,
    CLOSE,
    COMPLETE_ACTION,
    FIELDS,
    INVESTIGATE,
    LINK_DOCUMENTS,
    PLAN_ACTION,
    Status,
)
from qms.trail import service as trail

RECORD = "nonconformity"
ACTION_RECORD = "corrective_action"
CODE_SERIES = "NC"
CLAUSE = re.compile(r"^\d{1,2}(\.\d{1,2}){0,4}$")


# --- reading ----------------------------------------------------------------------------


def get_nonconformity(*, session: Session, nonconformity_id: int) -> Nonconformity:
    nc = session.get(Nonconformity, nonconformity_id)
    if nc is None:
        raise NotFound("Nonconformity %(id)s does not exist.", id=nonconformity_id)
    return nc


def get_action(*, session: Session, action_id: int) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFound("Corrective action %(id)s does not exist.", id=action_id)
    return action


def get_evidence_file(*, session: Session, file_id: int) -> EvidenceFile:
    row = session.get(EvidenceFile, file_id)
    if row is None:
        raise NotFound("Evidence file %(id)s does not exist.", id=file_id)
    return row


def for_checklist_item(*, session: Session, checklist_item_id: int) -> Nonconformity | None:
    return session.exec(
        select(Nonconformity).where(Nonconformity.checklist_item_id == checklist_item_id)
    ).first()


def for_audit(*, session: Session, audit_id: int) -> list[Nonconformity]:
    return list(
        session.exec(
            select(Nonconformity)
            .where(Nonconformity.audit_id == audit_id)
            .order_by(col(Nonconformity.id))
        ).all()
    )


def for_document(*, session: Session, document_id: int) -> list[Nonconformity]:
    """The nonconformities that name the controlled document (for the document's page)."""
    linked = select(NonconformityDocument.nonconformity_id).where(
        NonconformityDocument.document_id == document_id
    )
    return list(
        session.exec(
            select(Nonconformity)
            .where(col(Nonconformity.id).in_(linked))
            .order_by(col(Nonconformity.id))
        ).all()
    )


def actions_of(*, session: Session, nc: Nonconformity) -> list[CorrectiveAction]:
    return list(
        session.exec(
            select(CorrectiveAction)
            .where(CorrectiveAction.nonconformity_id == nc.id)
            .order_by(col(CorrectiveAction.id))
        ).all()
    )


def checks_of(*, session: Session, nc: Nonconformity) -> list[EffectivenessCheck]:
    return list(
        session.exec(
            select(EffectivenessCheck)
            .where(EffectivenessCheck.nonconformity_id == nc.id)
            .order_by(col(EffectivenessCheck.id))
        ).all()
    )


def files_of(*, session: Session, actions: Sequence[CorrectiveAction]) -> dict[int, list]:
    ids = [a.id for a in actions]
    found: dict[int, list[EvidenceFile]] = {i: [] for i in ids}
    if ids:
        for row in session.exec(
            select(EvidenceFile)
            .where(col(EvidenceFile.action_id).in_(ids))
            .order_by(col(EvidenceFile.id))
        ).all():
            found[row.action_id].append(row)
    return found


def document_ids_of(*, session: Session, nc: Nonconformity) -> list[int]:
    return list(
        session.exec(
            select(NonconformityDocument.document_id)
            .where(NonconformityDocument.nonconformity_id == nc.id)
            .order_by(col(NonconformityDocument.document_id))
        ).all()
    )


def found_effective():
    """The nonconformity's actions were found effective (an effectiveness check said so: a
    check found effective is the last one, since no other may follow it)."""
    return exists().where(
        EffectivenessCheck.nonconformity_id == Nonconformity.id,
        EffectivenessCheck.result == CheckResult.effective.value,
    )


def owning_an_action(user_id):
    """The person owns one of the nonconformity's corrective actions (so, as a quality
    officer, may not check their effectiveness)."""
    return exists().where(
        CorrectiveAction.nonconformity_id == Nonconformity.id,
        CorrectiveAction.owner_id == user_id,
    )


def _holds(session: Session, nc: Nonconformity, clause) -> bool:
    return (
        session.exec(select(Nonconformity.id).where(Nonconformity.id == nc.id, clause)).first()
        is not None
    )


def is_ready_to_close(*, session: Session, nc: Nonconformity) -> bool:
    """Verifying, and its effectiveness check found the actions effective."""
    return nc.status == Status.verifying and _holds(session, nc, found_effective())


def owns_an_action(*, session: Session, nc: Nonconformity, user: User) -> bool:
    return _holds(session, nc, owning_an_action(user.id))


def local_date(instant, tz: ZoneInfo) -> date:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz).date()


def age_days(nc: Nonconformity, *, today: date, tz: ZoneInfo) -> int:
    """Days since it was raised, up to today while it is open, up to its end otherwise."""
    end = today
    if nc.status == Status.closed and nc.closed_at:
        end = local_date(nc.closed_at, tz)
    elif nc.status == Status.cancelled and nc.cancelled_at:
        end = local_date(nc.cancelled_at, tz)
    return max((end - nc.raised_on).days, 0)


def _overdue_clause(today: date):
    late_action = exists().where(
        CorrectiveAction.nonconformity_id == Nonconformity.id,
        col(CorrectiveAction.done_on).is_(None),
        CorrectiveAction.due_on < today,
    )
    return or_(
        and_(Nonconformity.status == Status.action_planned.value, late_action),
        and_(
            Nonconformity.status == Status.verifying.value,
            col(Nonconformity.check_due_on) < today,
            not_(found_effective()),
        ),
    )


@dataclass
class Filters:
    status: str | None = None
    department_id: int | None = None
    audit_id: int | None = None
    source: str | None = None
    severity: str | None = None
    clause: str | None = None
    owner_id: int | None = None
    # Those with an open corrective action of this person.
    action_owner_id: int | None = None
    overdue: bool | None = None
    # Only those still to be dealt with (any state but closed and cancelled).
    active: bool = False
    # Raised on or after / on or before these days (a review period, an age limit).
    raised_from: date | None = None
    raised_to: date | None = None
    # Those with an effectiveness check of this result (effective | ineffective).
    check_result: str | None = None
    # Words found in the code, the description, the containment or the root cause.
    q: str | None = None


def _filtered(query, filters: Filters, today: date):
    if filters.status:
        query = query.where(Nonconformity.status == filters.status)
    if filters.active:
        query = query.where(col(Nonconformity.status).in_([s.value for s in ACTIVE]))
    if filters.department_id is not None:
        query = query.where(Nonconformity.department_id == filters.department_id)
    if filters.audit_id is not None:
        query = query.where(Nonconformity.audit_id == filters.audit_id)
    if filters.source:
        query = query.where(Nonconformity.source == filters.source)
    if filters.severity:
        query = query.where(Nonconformity.severity == filters.severity)
    if filters.clause:
        # A clause finds its sub-clauses too: 8.5 finds 8.5.1.
        clause = filters.clause.strip()
        query = query.where(
            or_(Nonconformity.clause == clause, col(Nonconformity.clause).startswith(clause + "."))
        )
    if filters.owner_id is not None:
        query = query.where(Nonconformity.owner_id == filters.owner_id)
    for word in (filters.q or "").split()[:8]:
        query = query.where(
            or_(
                *(
                    col(column).icontains(word, autoescape=True)
                    for column in (
                        Nonconformity.code,
                        Nonconformity.description,
                        Nonconformity.containment,
                        Nonconformity.root_cause,
                    )
                )
            )
        )
    if filters.action_owner_id is not None:
        query = query.where(
            exists().where(
                CorrectiveAction.nonconformity_id == Nonconformity.id,
                CorrectiveAction.owner_id == filters.action_owner_id,
                col(CorrectiveAction.done_on).is_(None),
            )
        )
    if filters.raised_from is not None:
        query = query.where(Nonconformity.raised_on >= filters.raised_from)
    if filters.raised_to is not None:
        query = query.where(Nonconformity.raised_on <= filters.raised_to)
    if filters.check_result:
        query = query.where(
            exists().where(
                EffectivenessCheck.nonconformity_id == Nonconformity.id,
                EffectivenessCheck.result == filters.check_result,
            )
        )
    if filters.overdue is True:
        query = query.where(_overdue_clause(today))
    elif filters.overdue is False:
        query = query.where(not_(_overdue_clause(today)))
    return query


def list_nonconformities(
    *,
    session: Session,
    filters: Filters,
    today: date,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[list[Nonconformity], int]:
    """One page of the register (newest first) and how many match in all."""
    total = session.exec(
        _filtered(select(func.count()).select_from(Nonconformity), filters, today)
    ).one()
    query = _filtered(select(Nonconformity), filters, today).order_by(col(Nonconformity.id).desc())
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.exec(query).all()), int(total)


def overdue_ids(*, session: Session, ids: Iterable[int], today: date) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.exec(
            select(Nonconformity.id).where(col(Nonconformity.id).in_(ids), _overdue_clause(today))
        ).all()
    )


def ready_ids(*, session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.exec(
            select(Nonconformity.id).where(
                col(Nonconformity.id).in_(ids),
                Nonconformity.status == Status.verifying.value,
                found_effective(),
            )
        ).all()
    )


def action_progress(*, session: Session, ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{nonconformity id: (actions done, actions planned)}."""
    ids = list(ids)
    if not ids:
        return {}
    rows = session.exec(
        select(
            CorrectiveAction.nonconformity_id,
            func.count(col(CorrectiveAction.done_on)),
            func.count(col(CorrectiveAction.id)),
        )
        .where(col(CorrectiveAction.nonconformity_id).in_(ids))
        .group_by(col(CorrectiveAction.nonconformity_id))
    ).all()
    return {nc_id: (int(done), int(total)) for nc_id, done, total in rows}


people_named = auth.people_named


# --- raising ----------------------------------------------------------------------------


def _documents_service():
    """The documents domain's service, once that domain is installed."""
    try:
        found = find_spec("qms.documents.service")
    except ModuleNotFoundError:
        return None
    return import_module("qms.documents.service") if found is not None else None


def _check_documents(session: Session, document_ids: Iterable[int]) -> list[int]:
    """Distinct ids; each checked against the documents domain when it is installed."""
    ids = sorted({int(i) for i in document_ids})
    for document_id in ids:
        if document_id < 1:
            raise Invalid("Document %(id)s does not exist.", field="document_ids", id=document_id)
    documents = _documents_service()
    if ids and documents is not None:
        for document_id in ids:
            try:
                documents.get_document(session=session, document_id=document_id)
            except NotFound:
                raise Invalid(
                    "Document %(id)s does not exist.", field="document_ids", id=document_id
                ) from None
    return ids


def _owner_for(session: Session, department: Department, owner_id: int | None) -> User:
    if owner_id is None:
        managers = managers_of(session=session, department_id=department.id)
        if not managers:
            raise Conflict(
                "The department %(department)s has no manager to own the nonconformity; "
                "an administrator must give it one first.",
                field="owner_id",
                department=department.name,
            )
        return managers[0]
    owner = session.get(User, owner_id)
    if (
        owner is None
        or not owner.is_active
        or not owner.has_role(Role.manager)
        or owner.department_id != department.id
    ):
        raise Invalid(
            "The owner must be an active manager of the department concerned.",
            field="owner_id",
        )
    return owner


def _text(value, field: str, message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid(message, field=field)
    return check_length(text, field=field, limit=LIMITS[field])


def raise_nonconformity(
    *,
    session: Session,
    by: User | None,
    source: str,
    department_id: int,
    clause: str,
    severity: str,
    description: str,
    owner_id: int | None = None,
    audit_id: int | None = None,
    checklist_item_id: int | None = None,
    document_ids: Iterable[int] = (),
    today: date | None = None,
    detected_on: date | None = None,
    uploads: Sequence[tuple[str | None, bytes | BinaryIO]] = (),
    files_dir: Path | None = None,
    max_bytes: int = 0,
) -> Nonconformity:
    """Record a nonconformity with the next code of the year, found on `detected_on` (today
    when not given, never later), with the files of the finding; its owner is a manager of
    the department (the first of them when none is named)."""
    if by is not None:
        require(by, "nonconformity.raise")
    # Every field is checked before any is refused: a form shows all its messages at once.
    problems = Problems()
    try:
        source = Source(source).value
    except ValueError:
        problems.add("Choose the source from the list.", field="source")
    try:
        severity = Severity(severity).value
    except ValueError:
        problems.add("Choose the severity: minor or major.", field="severity")
    clause = (clause or "").strip()
    if not CLAUSE.match(clause):
        problems.add("Enter the ISO 9001 clause as numbers and dots, e.g. 8.5.1.", field="clause")
    description = problems.check(
        _text, description, "description", N_("Describe the nonconformity.")
    )
    department = session.get(Department, department_id) if department_id else None
    if department is None:
        problems.add("Choose the department concerned.", field="department_id")
    # The handlers pass the office's date; a caller without one gets the UTC date.
    today = today or utcnow().date()
    detected_on = detected_on or today
    if not isinstance(detected_on, date):
        problems.add("Enter the date as YYYY-MM-DD.", field="detected_on")
    elif detected_on > today:
        problems.add("The day it was found cannot be in the future.", field="detected_on")
    problems.raise_any()
    owner = _owner_for(session, department, owner_id)
    if checklist_item_id is not None:
        if audit_id is None:
            raise Invalid("A checklist item needs its audit.", field="audit_id")
        existing = for_checklist_item(session=session, checklist_item_id=checklist_item_id)
        if existing is not None:
            raise Conflict(
                "This checklist item already raised %(code)s.",
                field="checklist_item_id",
                code=existing.code,
            )
    ids = _check_documents(session, document_ids)
    year = today.year
    number = next_number(session=session, name=CODE_SERIES, year=year)
    nc = Nonconformity(
        code=f"{CODE_SERIES}-{year}-{number:04d}",
        status=Status.open.value,
        source=source,
        department_id=department.id,
        clause=clause,
        severity=severity,
        description=description,
        reporter_id=by.id if by is not None else owner.id,
        owner_id=owner.id,
        audit_id=audit_id,
        checklist_item_id=checklist_item_id,
        raised_on=today,
        detected_on=detected_on,
    )
    session.add(nc)
    session.flush()
    for document_id in ids:
        session.add(NonconformityDocument(nonconformity_id=nc.id, document_id=document_id))
    changes = {name: [None, getattr(nc, name)] for name in FIELDS if getattr(nc, name)}
    changes["code"] = [None, nc.code]
    if audit_id is not None:
        changes["audit_id"] = [None, audit_id]
        changes["checklist_item_id"] = [None, checklist_item_id]
    if ids:
        changes["document_ids"] = [None, ids]
    trail.record(
        session=session,
        actor=by,
        action="raised",
        record_type=RECORD,
        record_id=nc.id,
        changes=changes,
    )
    session.flush()
    for filename, content in uploads:
        attach_to_finding(
            session=session,
            nc=nc,
            by=by or owner,
            filename=filename,
            content=content,
            files_dir=files_dir,
            max_bytes=max_bytes,
        )
    return nc


def _kept_file(session, *, by, filename, content, files_dir, max_bytes, **owner) -> EvidenceFile:
    stored = files.keep(
        session,
        files_dir=files_dir,
        source=content,
        filename=filename,
        max_bytes=max_bytes,
        accept=files.PHOTOS_PDF_OFFICE,
    )
    row = EvidenceFile(
        **owner,
        sha256=stored.sha256,
        filename=stored.name,
        content_type=stored.media_type,
        size=stored.size,
        uploaded_by_id=by.id,
    )
    session.add(row)
    session.flush()
    return row


def _described(row: EvidenceFile) -> dict:
    return {"name": row.filename, "sha256": row.sha256, "size": row.size}


def attach_to_finding(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    filename: str | None,
    content: bytes | BinaryIO,
    files_dir: Path,
    max_bytes: int,
) -> EvidenceFile:
    """Attach a file of the finding itself (a photo, the complaint) while it is open."""
    ATTACH_TO_FINDING.require(session=session, user=by, record=nc)
    row = _kept_file(
        session,
        by=by,
        filename=filename,
        content=content,
        files_dir=files_dir,
        max_bytes=max_bytes,
        nonconformity_id=nc.id,
    )
    ATTACH_TO_FINDING.apply(
        session=session, record=nc, by=by, also={"file": [None, _described(row)]}
    )
    return row


def finding_files(*, session: Session, nc: Nonconformity) -> list[EvidenceFile]:
    return list(
        session.exec(
            select(EvidenceFile)
            .where(EvidenceFile.nonconformity_id == nc.id)
            .order_by(col(EvidenceFile.id))
        ).all()
    )


# --- working it through -----------------------------------------------------------------


def investigate(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    containment: str,
    root_cause_method: str,
    root_cause: str = "",
    whys: Sequence[str] = (),
    version: int | None = None,
) -> Nonconformity:
    """Record the correction/containment and the root cause: open → investigating. Until the
    actions are all done the analysis may be revised (after an ineffective check, too)."""
    INVESTIGATE.require(session=session, user=by, record=nc, version=version)
    containment = _text(
        containment, "containment", N_("Describe the correction or containment taken.")
    )
    try:
        method = RootCauseMethod(root_cause_method)
    except ValueError:
        raise Invalid("Choose the root-cause method.", field="root_cause_method") from None
    answers = [(w or "").strip() for w in whys]
    for index, answer in enumerate(answers):
        check_length(answer, field=f"whys.{index}", limit=LIMITS["whys"])
    if method == RootCauseMethod.five_whys:
        if len(answers) != 5 or not all(answers):
            missing = next((i for i, a in enumerate(answers + [""] * 5) if not a), 0)
            raise Invalid(
                "Answer all five whys, each explaining the one before.",
                field=f"whys.{missing}",
            )
        # The fifth answer is the root cause unless the analyst states it otherwise.
        root_cause = (root_cause or "").strip() or answers[4]
    else:
        answers = []
    root_cause = _text(root_cause, "root_cause", N_("State the root cause found."))
    INVESTIGATE.apply(
        session=session,
        record=nc,
        by=by,
        changes={
            "containment": containment,
            "root_cause_method": method.value,
            "whys": answers,
            "root_cause": root_cause,
        },
    )
    return nc


def _active_user(session: Session, user_id: int, field: str) -> User:
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.is_active:
        raise Invalid("Choose an active person.", field=field)
    return user


def plan_action(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    description: str,
    owner_id: int,
    due_on: date,
    today: date,
    version: int | None = None,
) -> CorrectiveAction:
    """Plan a corrective action; the first one moves investigating → action_planned."""
    PLAN_ACTION.require(session=session, user=by, record=nc, version=version)
    description = _text(description, "description", N_("Describe the corrective action."))
    owner = _active_user(session, owner_id, "owner_id")
    if not isinstance(due_on, date):
        raise Invalid("Enter the due date.", field="due_on")
    if due_on < today:
        raise Invalid("The due date cannot be in the past.", field="due_on")
    action = CorrectiveAction(
        nonconformity_id=nc.id,
        description=description,
        owner_id=owner.id,
        due_on=due_on,
        planned_by_id=by.id,
    )
    session.add(action)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="planned",
        record_type=ACTION_RECORD,
        record_id=action.id,
        changes={
            "nonconformity_id": [None, nc.id],
            "description": [None, description],
            "owner_id": [None, owner.id],
            "due_on": [None, due_on],
        },
    )
    PLAN_ACTION.apply(session=session, record=nc, by=by)
    return action


def attach_evidence(
    *,
    session: Session,
    action: CorrectiveAction,
    by: User,
    filename: str | None,
    content: bytes | BinaryIO,
    files_dir: Path,
    max_bytes: int,
) -> EvidenceFile:
    """Attach a file to an action not yet done (its owner only)."""
    nc = session.get(Nonconformity, action.nonconformity_id)
    ATTACH_EVIDENCE.require(session=session, user=by, record=nc, subject=action)
    row = _kept_file(
        session,
        by=by,
        filename=filename,
        content=content,
        files_dir=files_dir,
        max_bytes=max_bytes,
        action_id=action.id,
    )
    trail.record(
        session=session,
        actor=by,
        action="evidence_attached",
        record_type=ACTION_RECORD,
        record_id=action.id,
        changes={"file": [None, _described(row)]},
    )
    return row


def complete_action(
    *,
    session: Session,
    action: CorrectiveAction,
    by: User,
    evidence: str,
    today: date,
    check_days: int,
    uploads: Sequence[tuple[str | None, bytes | BinaryIO]] = (),
    files_dir: Path | None = None,
    max_bytes: int = 0,
    version: int | None = None,
) -> CorrectiveAction:
    """The action's owner marks it done with evidence; the last one done moves the
    nonconformity to verifying, its effectiveness check due `check_days` later."""
    nc = session.get(Nonconformity, action.nonconformity_id)
    COMPLETE_ACTION.require(session=session, user=by, record=nc, subject=action, version=version)
    evidence = _text(evidence, "evidence", N_("Describe the evidence that the action was done."))
    for filename, content in uploads:
        attach_evidence(
            session=session,
            action=action,
            by=by,
            filename=filename,
            content=content,
            files_dir=files_dir,
            max_bytes=max_bytes,
        )
    action.done_on = today
    action.completed_at = utcnow()
    action.evidence = evidence
    action.version += 1
    action.updated_at = utcnow()
    session.add(action)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="completed",
        record_type=ACTION_RECORD,
        record_id=action.id,
        changes={"done_on": [None, today], "evidence": [None, evidence]},
    )
    pending = session.exec(
        select(func.count()).where(
            CorrectiveAction.nonconformity_id == nc.id, col(CorrectiveAction.done_on).is_(None)
        )
    ).one()
    if not pending:
        ACTIONS_DONE.apply(
            session=session,
            record=nc,
            by=by,
            subject=action,
            changes={"check_due_on": today + timedelta(days=check_days)},
        )
    return action


def verify(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    result: str,
    comment: str,
    today: date,
    version: int | None = None,
) -> EffectivenessCheck:
    """A quality officer who owns none of its actions records the effectiveness check:
    effective (ready to close) or ineffective (back to action_planned, reason kept)."""
    CHECK_EFFECTIVE.require(session=session, user=by, record=nc, version=version)
    try:
        outcome = CheckResult(result)
    except ValueError:
        raise Invalid("Choose effective or ineffective.", field="result") from None
    comment = check_length((comment or "").strip(), field="comment", limit=LIMITS["comment"])
    if outcome == CheckResult.ineffective and not comment:
        raise Invalid("Say why the actions were not effective.", field="comment")
    due_on = nc.check_due_on
    # Moved before the check is kept: once kept, it is found effective and the move refused.
    if outcome == CheckResult.ineffective:
        CHECK_INEFFECTIVE.apply(
            session=session, record=nc, by=by, changes={"check_due_on": None}, reason=comment
        )
    else:
        CHECK_EFFECTIVE.apply(session=session, record=nc, by=by, reason=comment)
    check = EffectivenessCheck(
        nonconformity_id=nc.id,
        verifier_id=by.id,
        result=outcome.value,
        comment=comment,
        due_on=due_on,
        checked_on=today,
    )
    session.add(check)
    session.flush()
    return check


def content_hash(
    *,
    session: Session,
    nc: Nonconformity,
    actions: Sequence[CorrectiveAction] | None = None,
    attached: dict[int, list] | None = None,
    checks: Sequence[EffectivenessCheck] | None = None,
    found: Sequence[EvidenceFile] | None = None,
) -> str:
    """SHA-256 of the canonical record signed at closure: what was found, why, what was done,
    and how it was checked. A caller that already loaded the actions, their files, the
    checks or the finding's files (the record page) passes them instead of reading them
    again."""
    if actions is None:
        actions = actions_of(session=session, nc=nc)
    if attached is None:
        attached = files_of(session=session, actions=actions)
    if checks is None:
        checks = checks_of(session=session, nc=nc)
    if found is None:
        found = finding_files(session=session, nc=nc)
    body = {
        "code": nc.code,
        "source": nc.source,
        "department_id": nc.department_id,
        "clause": nc.clause,
        "severity": nc.severity,
        "description": nc.description,
        "containment": nc.containment,
        "root_cause_method": nc.root_cause_method,
        "whys": list(nc.whys or []),
        "root_cause": nc.root_cause,
        "actions": [
            {
                "id": a.id,
                "description": a.description,
                "owner_id": a.owner_id,
                "due_on": a.due_on,
                "done_on": a.done_on,
                "evidence": a.evidence,
                "files": [f.sha256 for f in attached[a.id]],
            }
            for a in actions
        ],
        "checks": [
            {
                "id": c.id,
                "verifier_id": c.verifier_id,
                "result": c.result,
                "comment": c.comment,
                "checked_on": c.checked_on,
            }
            for c in checks
        ],
    }
    # Files of the finding bind too (the key only where there are some: the records closed
    # before they existed keep the hash they were signed with).
    if found:
        body["files"] = [f.sha256 for f in found]
    return hashlib.sha256(trail.canonical_json(body).encode()).hexdigest()


def closure_signature(*, session: Session, nc: Nonconformity, **loaded):
    """The closure signature and how it stands against the record now ("valid", "void",
    "altered"), or (None, None) before closure. `loaded`: what `content_hash` may reuse."""
    from qms.trail.models import Signature

    signature = session.get(Signature, nc.signature_id) if nc.signature_id else None
    actual = content_hash(session=session, nc=nc, **loaded) if signature else None
    return signature, trail.signature_state(signature, actual)


def close(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    password: str,
    settings,
    comment: str = "",
    version: int | None = None,
) -> Nonconformity:
    """A manager of the department closes it, after an effective check, by signing; the
    closed form is rendered once, signed with the organisation's certificate and kept."""
    from qms.nonconformities import pdf

    CLOSE.require(session=session, user=by, record=nc, version=version)
    check_length(comment or "", field="comment", limit=LIMITS["comment"])
    signature = trail.sign(
        session=session,
        signer=by,
        password=password,
        meaning="closed",
        record_type=RECORD,
        record_id=nc.id,
        content_hash=content_hash(session=session, nc=nc),
        comment=comment,
    )
    CLOSE.apply(
        session=session,
        record=nc,
        by=by,
        changes={"signature_id": signature.id},
        reason=comment,
    )
    pdf.keep_closed_form(session=session, nc=nc, settings=settings, by=by)
    return nc


def cancel(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    reason: str,
    version: int | None = None,
) -> Nonconformity:
    """A quality officer cancels it, with a reason, from any state before closure."""
    CANCEL.require(session=session, user=by, record=nc, version=version)
    reason = _text(reason, "reason", N_("Give the reason for cancelling."))
    CANCEL.apply(
        session=session, record=nc, by=by, changes={"cancel_reason": reason}, reason=reason
    )
    return nc


def cancel_for_changed_answer(
    *, session: Session, nc: Nonconformity, by: User, reason: str
) -> Nonconformity:
    """The auditor changed the checklist answer that raised it while the audit is in
    progress (the audits service checks they may): cancelled with the reason, and released
    from its item (the trail keeps which) so that a new nonconforming answer raises another."""
    CANCEL_FOR_CHANGED_ANSWER.require(session=session, user=by, record=nc)
    reason = _text(reason, "reason", N_("Give the reason for cancelling."))
    CANCEL_FOR_CHANGED_ANSWER.apply(
        session=session,
        record=nc,
        by=by,
        changes={"cancel_reason": reason, "checklist_item_id": None},
        reason=reason,
    )
    return nc


def link_documents(
    *,
    session: Session,
    nc: Nonconformity,
    by: User,
    document_ids: Iterable[int],
    version: int | None = None,
) -> list[int]:
    """Set the controlled documents the nonconformity concerns."""
    LINK_DOCUMENTS.require(session=session, user=by, record=nc, version=version)
    ids = _check_documents(session, document_ids)
    current = document_ids_of(session=session, nc=nc)
    if ids == current:
        return ids
    for row in session.exec(
        select(NonconformityDocument).where(NonconformityDocument.nonconformity_id == nc.id)
    ).all():
        if row.document_id not in ids:
            session.delete(row)
    for document_id in ids:
        if document_id not in current:
            session.add(NonconformityDocument(nonconformity_id=nc.id, document_id=document_id))
    LINK_DOCUMENTS.apply(session=session, record=nc, by=by, also={"document_ids": [current, ids]})
    return ids


# --- a person's work and the quality officer's figures ---------------------------------


# Each returns the `limit` most urgent and how many there are: the home stays the same size
# however many records the register holds.


def owned_needing_work(*, session: Session, user: User, limit: int) -> Slice:
    """Nonconformities the person owns that wait for them, oldest first: to investigate,
    to plan actions, to plan more actions after an ineffective check (an action_planned
    one with actions still open waits for their owners, not for this one)."""
    pending = exists().where(
        CorrectiveAction.nonconformity_id == Nonconformity.id,
        col(CorrectiveAction.done_on).is_(None),
    )
    query = select(Nonconformity).where(
        Nonconformity.owner_id == user.id,
        or_(
            col(Nonconformity.status).in_([Status.open.value, Status.investigating.value]),
            and_(Nonconformity.status == Status.action_planned.value, not_(pending)),
        ),
    )
    order = [col(Nonconformity.raised_on), col(Nonconformity.id)]
    return first_rows(session, query, order_by=order, limit=limit)


def actions_to_complete(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """(action, nonconformity) rows of the person's open actions, earliest due first."""
    query = (
        select(CorrectiveAction, Nonconformity)
        .join(Nonconformity, col(Nonconformity.id) == CorrectiveAction.nonconformity_id)
        .where(
            CorrectiveAction.owner_id == user.id,
            col(CorrectiveAction.done_on).is_(None),
            Nonconformity.status == Status.action_planned.value,
        )
    )
    return first_rows(
        session,
        query,
        order_by=[col(CorrectiveAction.due_on), col(CorrectiveAction.id)],
        limit=limit,
        overdue=col(CorrectiveAction.due_on) < today,
    )


def checks_to_record(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """For a quality officer: verifying ones not yet found effective whose actions they do
    not own, earliest check first."""
    if not user.has_role(Role.quality_officer):
        return Slice([], 0)
    query = select(Nonconformity).where(
        Nonconformity.status == Status.verifying.value,
        not_(owning_an_action(user.id)),
        not_(found_effective()),
    )
    return first_rows(
        session,
        query,
        order_by=[col(Nonconformity.check_due_on), col(Nonconformity.id)],
        limit=limit,
        overdue=col(Nonconformity.check_due_on) < today,
    )


def to_close(*, session: Session, user: User, limit: int) -> Slice:
    """For a manager: the department's nonconformities found effective, to close."""
    if not user.has_role(Role.manager) or user.department_id is None:
        return Slice([], 0)
    query = select(Nonconformity).where(
        Nonconformity.status == Status.verifying.value,
        Nonconformity.department_id == user.department_id,
        found_effective(),
    )
    order = [col(Nonconformity.raised_on), col(Nonconformity.id)]
    return first_rows(session, query, order_by=order, limit=limit)


def unsettled_audit_ids():
    """A subquery of the audits that still have a nonconformity neither closed nor
    cancelled (for the audits domain: an audit is closed once all its findings are)."""
    return select(Nonconformity.audit_id).where(
        col(Nonconformity.audit_id).is_not(None),
        col(Nonconformity.status).not_in([Status.closed.value, Status.cancelled.value]),
    )


AGE_BANDS = ((0, 30), (31, 60), (61, 90), (91, None))


def open_by_age_band(*, session: Session, today: date) -> list[tuple[str, int]]:
    """Counts of the nonconformities still open, by age in days."""
    # Counted by the database per state and day raised (a covering index over the open
    # states), not by loading every open record: the home page of a quality officer must
    # not grow with the register.
    rows = session.exec(
        select(Nonconformity.status, Nonconformity.raised_on, func.count())
        .where(col(Nonconformity.status).in_([s.value for s in ACTIVE]))
        .group_by(col(Nonconformity.status), col(Nonconformity.raised_on))
    ).all()
    counts = [0] * len(AGE_BANDS)
    for _status, raised_on, count in rows:
        days = max((today - raised_on).days, 0)
        for i, (low, high) in enumerate(AGE_BANDS):
            if days >= low and (high is None or days <= high):
                counts[i] += int(count)
                break
    return [
        (f"{low}–{high}" if high is not None else f"> {low - 1}", counts[i])
        for i, (low, high) in enumerate(AGE_BANDS)
    ]


def open_by_department(*, session: Session) -> list[tuple[Department, int]]:
    # Grouped by state too, so that the (status, department) index answers it alone.
    rows = session.exec(
        select(Nonconformity.status, Nonconformity.department_id, func.count())
        .where(col(Nonconformity.status).in_([s.value for s in ACTIVE]))
        .group_by(col(Nonconformity.status), col(Nonconformity.department_id))
    ).all()
    counts: dict[int, int] = {}
    for _status, department_id, count in rows:
        counts[department_id] = counts.get(department_id, 0) + int(count)
    if not counts:
        return []
    departments = session.exec(
        select(Department).where(col(Department.id).in_(counts)).order_by(col(Department.code))
    ).all()
    return [(department, counts[department.id]) for department in departments]


# --- what falls due (for the reminder sweep) ---------------------------------------------


def actions_due(
    *, session: Session, until: date, due_in=None
) -> list[tuple[CorrectiveAction, Nonconformity]]:
    """Corrective actions not done whose due date is on or before `until` (and, given
    `due_in`, a condition on the due-date column: the reminder sweep's windows)."""
    query = (
        select(CorrectiveAction, Nonconformity)
        .join(Nonconformity, col(Nonconformity.id) == CorrectiveAction.nonconformity_id)
        .where(
            col(CorrectiveAction.done_on).is_(None),
            CorrectiveAction.due_on <= until,
            Nonconformity.status == Status.action_planned.value,
        )
    )
    if due_in is not None:
        query = query.where(due_in(col(CorrectiveAction.due_on)))
    rows = session.exec(query.order_by(col(CorrectiveAction.due_on))).all()
    return [(a, nc) for a, nc in rows]


def checks_due(
    *, session: Session, until: date, due_in=None
) -> list[tuple[Nonconformity, list[int]]]:
    """Effectiveness checks due on or before `until` (and `due_in`, as for `actions_due`),
    each with the quality officers who may record it (those who own none of its actions)."""
    query = select(Nonconformity).where(
        Nonconformity.status == Status.verifying.value,
        col(Nonconformity.check_due_on).is_not(None),
        Nonconformity.check_due_on <= until,
        not_(found_effective()),
    )
    if due_in is not None:
        query = query.where(due_in(col(Nonconformity.check_due_on)))
    waiting = session.exec(query.order_by(col(Nonconformity.check_due_on))).all()
    if not waiting:
        return []
    officers = [u.id for u in auth.list_users(session=session, role=Role.quality_officer)]
    free = set(
        session.exec(
            select(Nonconformity.id, User.id).where(
                col(Nonconformity.id).in_([nc.id for nc in waiting]),
                col(User.id).in_(officers),
                not_(owning_an_action(User.id)),
            )
        ).all()
    )
    return [(nc, [u for u in officers if (nc.id, u) in free]) for nc in waiting]


# --- the management review's inputs (9.3.2 c 1, 4, 5, 7) ---------------------------------

# One msgid per state: a figure's label is translated whole, its params are shown as given.
REVIEW_STATUS_LABELS = {
    Status.open: N_("Raised in the period and still open"),
    Status.investigating: N_("Raised in the period and being investigated"),
    Status.action_planned: N_("Raised in the period with corrective actions planned"),
    Status.verifying: N_("Raised in the period and waiting for the effectiveness check"),
    Status.closed: N_("Raised in the period and closed"),
    Status.cancelled: N_("Raised in the period and cancelled"),
}
# Sources reported in a section of their own: customers (c1), monitoring (c5), suppliers (c7).
REVIEW_SOURCES = (
    (
        "c1",
        Source.customer_complaint,
        N_("Customer complaints received"),
        N_("Customer complaints still being dealt with"),
    ),
    (
        "c5",
        Source.process_monitoring,
        N_("Nonconformities found by process monitoring"),
        N_("Nonconformities found by process monitoring still being dealt with"),
    ),
    (
        "c7",
        Source.supplier,
        N_("Nonconformities of external providers"),
        N_("Nonconformities of external providers still being dealt with"),
    ),
)
OLD_AFTER_DAYS = 90


def review_inputs(*, session: Session, start: date, end: date, today: date | None = None):
    """The figures of the nonconformities raised from `start` to `end` for the management
    review, each linking to the register filtered to the records it counts."""
    from qms.review_inputs import Figure

    today = today or utcnow().date()
    period = {"raised_from": start.isoformat(), "raised_to": end.isoformat()}

    def href(**extra) -> str:
        return "/nonconformities?" + "&".join(f"{k}={v}" for k, v in {**period, **extra}.items())

    in_period = and_(Nonconformity.raised_on >= start, Nonconformity.raised_on <= end)
    rows = session.exec(
        select(
            Nonconformity.status, Nonconformity.source, Nonconformity.department_id, func.count()
        )
        .where(in_period)
        .group_by(
            col(Nonconformity.status), col(Nonconformity.source), col(Nonconformity.department_id)
        )
    ).all()
    by_status: dict[str, int] = {}
    by_source: dict[str, int] = {}
    open_by_source: dict[str, int] = {}
    by_department: dict[int, int] = {}
    for status, source, department_id, count in rows:
        count = int(count)
        by_status[status] = by_status.get(status, 0) + count
        by_source[source] = by_source.get(source, 0) + count
        by_department[department_id] = by_department.get(department_id, 0) + count
        if Status(status) in ACTIVE:
            open_by_source[source] = open_by_source.get(source, 0) + count
    figures = []
    for section, source, label, open_label in REVIEW_SOURCES:
        figures.append(
            Figure(
                key=f"nonconformities.source.{source.value}",
                section=section,
                label=label,
                value=by_source.get(source.value, 0),
                href=href(source=source.value),
            )
        )
        figures.append(
            Figure(
                key=f"nonconformities.source.{source.value}.active",
                section=section,
                label=open_label,
                value=open_by_source.get(source.value, 0),
                href=href(source=source.value, active="true"),
            )
        )
    figures.append(
        Figure(
            key="nonconformities.raised",
            section="c4",
            label=N_("Nonconformities raised in the period"),
            value=sum(by_status.values()),
            href=href(),
        )
    )
    for status, label in REVIEW_STATUS_LABELS.items():
        figures.append(
            Figure(
                key=f"nonconformities.status.{status.value}",
                section="c4",
                label=label,
                value=by_status.get(status.value, 0),
                href=href(status=status.value),
            )
        )
    if by_department:
        departments = session.exec(
            select(Department)
            .where(col(Department.id).in_(by_department))
            .order_by(col(Department.code))
        ).all()
        for department in departments:
            figures.append(
                Figure(
                    key=f"nonconformities.department.{department.code}",
                    section="c4",
                    label=N_("Raised in the period in %(department)s"),
                    params={"department": department.name},
                    value=by_department[department.id],
                    href=href(department_id=department.id),
                )
            )
    active = col(Nonconformity.status).in_([s.value for s in ACTIVE])
    overdue = session.exec(select(func.count()).where(in_period, _overdue_clause(today))).one()
    figures.append(
        Figure(
            key="nonconformities.overdue",
            section="c4",
            label=N_("Overdue now (an action or the effectiveness check is late)"),
            value=int(overdue),
            href=href(overdue="true"),
        )
    )
    old_until = min(end, today - timedelta(days=OLD_AFTER_DAYS + 1))
    old = session.exec(
        select(func.count()).where(in_period, active, Nonconformity.raised_on <= old_until)
    ).one()
    figures.append(
        Figure(
            key="nonconformities.old",
            section="c4",
            label=N_("Still open more than %(days)s days after they were raised"),
            params={"days": OLD_AFTER_DAYS},
            value=int(old),
            href="/nonconformities?"
            + f"raised_from={start.isoformat()}&raised_to={old_until.isoformat()}&active=true",
        )
    )
    planned, done = session.exec(
        select(func.count(col(CorrectiveAction.id)), func.count(col(CorrectiveAction.done_on)))
        .join(Nonconformity, col(Nonconformity.id) == CorrectiveAction.nonconformity_id)
        .where(in_period)
    ).one()
    figures.append(
        Figure(
            key="nonconformities.actions.planned",
            section="c4",
            label=N_("Corrective actions planned for them"),
            value=int(planned),
            href=href(),
        )
    )
    figures.append(
        Figure(
            key="nonconformities.actions.done",
            section="c4",
            label=N_("Corrective actions done"),
            value=int(done),
            href=href(),
        )
    )
    results = (
        (CheckResult.effective, N_("Nonconformities whose actions were found effective")),
        (
            CheckResult.ineffective,
            N_("Nonconformities whose actions were once found ineffective"),
        ),
    )
    # Both results in one pass over the period's nonconformities (the index of the checks by
    # nonconformity and result answers each).
    checked = dict(
        session.exec(
            select(
                EffectivenessCheck.result,
                func.count(func.distinct(EffectivenessCheck.nonconformity_id)),
            )
            .join(Nonconformity, col(Nonconformity.id) == EffectivenessCheck.nonconformity_id)
            .where(
                in_period,
                col(EffectivenessCheck.result).in_([result.value for result, _label in results]),
            )
            .group_by(col(EffectivenessCheck.result))
        ).all()
    )
    for result, label in results:
        count = checked.get(result.value, 0)
        figures.append(
            Figure(
                key=f"nonconformities.checks.{result.value}",
                section="c4",
                label=label,
                value=int(count),
                href=href(check_result=result.value),
            )
        )
    return figures


# --- certification evidence -----------------------------------------------------------

# Sources whose nonconformities are also evidence of another clause than 10.2.
EVIDENCE_SOURCES = {
    Source.supplier.value: "nonconformities.supplier",  # 8.4: external providers
    Source.customer_complaint.value: "nonconformities.outputs",  # 8.7: nonconforming outputs
    Source.process_monitoring.value: "nonconformities.outputs",
}


def evidence(*, session: Session, start: date, end: date, today: date):
    """10.2.2: the nonconformities raised in the period (not cancelled), a page at a time, with
    the kept, signed form of each closed one; those of suppliers (8.4) and of outputs (8.7)
    also apart (the items of one nonconformity one after the other)."""
    from qms.evidence_records import Item, Register, pages

    period = f"raised_from={start.isoformat()}&raised_to={end.isoformat()}"
    yield Register("nonconformities", f"/nonconformities?{period}")
    yield Register(
        "nonconformities.supplier", f"/nonconformities?{period}&source={Source.supplier.value}"
    )
    yield Register(
        "nonconformities.outputs",
        f"/nonconformities?{period}&source={Source.customer_complaint.value}",
    )
    query = select(
        Nonconformity.raised_on,
        Nonconformity.id,
        Nonconformity.code,
        func.substr(Nonconformity.description, 1, 160),
        Nonconformity.status,
        Nonconformity.source,
    ).where(
        Nonconformity.raised_on >= start,
        Nonconformity.raised_on <= end,
        Nonconformity.status != Status.cancelled.value,
    )
    keys = (col(Nonconformity.raised_on), col(Nonconformity.id))
    for rows in pages(session, query, keys=keys, key=lambda r: (r[0], r[1])):
        for raised_on, nc_id, code, description, status, source in rows:
            closed = status == Status.closed.value
            for key in ("nonconformities", EVIDENCE_SOURCES.get(source)):
                if key is None:
                    continue
                yield Item(
                    source=key,
                    code=code,
                    title=description,
                    href=f"/nonconformities/{nc_id}",
                    on=raised_on,
                    kept_kind="nonconformity_form" if closed else None,
                    kept_id=nc_id if closed else None,
                )


# --- a manager's home: the department's open work (issue 19.10) ---------------------------


def _due_on_expression():
    """The day an open nonconformity next falls due: its earliest open corrective action
    while actions are planned, its effectiveness check while it is verified (None before
    actions are planned, or once the check found them effective)."""
    earliest_action = (
        select(func.min(CorrectiveAction.due_on))
        .where(
            CorrectiveAction.nonconformity_id == Nonconformity.id,
            col(CorrectiveAction.done_on).is_(None),
        )
        .scalar_subquery()
    )
    found_effective = exists().where(
        EffectivenessCheck.nonconformity_id == Nonconformity.id,
        EffectivenessCheck.result == CheckResult.effective.value,
    )
    return case(
        (Nonconformity.status == Status.action_planned.value, earliest_action),
        (
            and_(Nonconformity.status == Status.verifying.value, not_(found_effective)),
            col(Nonconformity.check_due_on),
        ),
        else_=None,
    )


def department_open(*, session: Session, department_id: int, today: date, limit: int) -> Slice:
    """(nonconformity, due_on) rows of the department's open nonconformities: the overdue
    ones first (as the register's `overdue` filter counts them), then by the day each falls
    due, then the oldest raised; with how many there are and how many are overdue."""
    due = _due_on_expression().label("due_on")
    overdue = _overdue_clause(today)
    query = select(Nonconformity, due).where(
        Nonconformity.department_id == department_id,
        col(Nonconformity.status).in_([s.value for s in ACTIVE]),
    )
    order = [
        case((overdue, 0), else_=1),
        due.is_(None),
        due,
        col(Nonconformity.raised_on),
        col(Nonconformity.id),
    ]
    return first_rows(session, query, order_by=order, limit=limit, overdue=overdue)


def department_actions(*, session: Session, department_id: int, today: date, limit: int) -> Slice:
    """(action, nonconformity) rows of the open corrective actions of the department's
    nonconformities, earliest due (so the overdue) first."""
    query = (
        select(CorrectiveAction, Nonconformity)
        .join(Nonconformity, col(Nonconformity.id) == CorrectiveAction.nonconformity_id)
        .where(
            Nonconformity.department_id == department_id,
            col(CorrectiveAction.done_on).is_(None),
            Nonconformity.status == Status.action_planned.value,
        )
    )
    return first_rows(
        session,
        query,
        order_by=[col(CorrectiveAction.due_on), col(CorrectiveAction.id)],
        limit=limit,
        overdue=col(CorrectiveAction.due_on) < today,
    )
