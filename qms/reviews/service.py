"""The rules of management reviews: planning, the inputs compiled from every domain's own
figures, holding (the inputs frozen with their SHA-256), outputs followed up to done, and the
chair's signature keeping the minutes as a PDF record."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from importlib import import_module

from sqlalchemy import func
from sqlmodel import Session, col, select

from qms.auth import service as _auth
from qms.auth.models import Role, User
from qms.auth.permissions import require
from qms.counters import next_number
from qms.db import utcnow
from qms.errors import Invalid, NotFound
from qms.home.service import Slice, first_rows
from qms.i18n import N_
from qms.reports import service as reports
from qms.review_inputs import Figure
from qms.reviews import permissions as _permissions  # noqa: F401  (declares the rules)
from qms.reviews.models import ManagementReview, OutputKind, ReviewOutput
from qms.reviews.permissions import is_top_management
from qms.reviews.states import (
    CANCEL,
    CLOSE,
    COMPLETE_OUTPUT,
    DECIDE,
    EDIT_PLAN,
    FIELDS,
    HOLD,
    Status,
)
from qms.trail import service as trail

RECORD = "management_review"
OUTPUT_RECORD = "management_review_output"
CODE_SERIES = "XXLD"
# The domains whose service offers review_inputs(*, session, start, end) -> list[Figure],
# one line each; this domain adds sections a) and d) itself.
CONTRIBUTORS = (
    "qms.nonconformities.service",
    "qms.audits.service",
    "qms.objectives.service",
    "qms.risks.service",
)

# The items of 9.3.2, in the order the standard lists them.
SECTIONS = {
    "a": N_("a) Status of actions from previous management reviews"),
    "b": N_("b) Changes in external and internal issues, risks and opportunities"),
    "c1": N_("c) 1. Customer satisfaction and feedback from relevant interested parties"),
    "c2": N_("c) 2. The extent to which quality objectives have been met"),
    "c3": N_("c) 3. Process performance and conformity of products and services"),
    "c4": N_("c) 4. Nonconformities and corrective actions"),
    "c5": N_("c) 5. Monitoring and measurement results"),
    "c6": N_("c) 6. Audit results"),
    "c7": N_("c) 7. The performance of external providers"),
    "d": N_("d) The adequacy of resources"),
    "e": N_("e) The effectiveness of actions taken to address risks and opportunities"),
    "f": N_("f) Opportunities for improvement"),
}
OUTPUT_FIGURE_LABELS = {
    OutputKind.improvement: N_("%(code)s, improvement: %(what)s (%(owner)s, due %(due)s)"),
    OutputKind.qms_change: N_("%(code)s, change to the QMS: %(what)s (%(owner)s, due %(due)s)"),
    OutputKind.resource_need: N_("%(code)s, resource need: %(what)s (%(owner)s, due %(due)s)"),
}
# Values of the output figures (strings of a figure are translated when shown).
DONE, NOT_DONE, OVERDUE = N_("done"), N_("not done"), N_("overdue")


# --- reading ----------------------------------------------------------------------------


def get_review(*, session: Session, review_id: int) -> ManagementReview:
    review = session.get(ManagementReview, review_id)
    if review is None:
        raise NotFound("Management review %(id)s does not exist.", id=review_id)
    return review


def read(*, by: User, review: ManagementReview) -> ManagementReview:
    """The review for its reader: 403 unless they may read it."""
    require(by, "review.read", review)
    return review


def get_output(*, session: Session, output_id: int) -> ReviewOutput:
    output = session.get(ReviewOutput, output_id)
    if output is None:
        raise NotFound("Review output %(id)s does not exist.", id=output_id)
    return output


def list_reviews(
    *,
    session: Session,
    by: User,
    status: str | None = None,
    year: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ManagementReview], int]:
    """The register, latest planned first, and how many match in all; for those who may
    read it."""
    require(by, "review.list")
    query = select(ManagementReview)
    if status:
        query = query.where(ManagementReview.status == status)
    if year is not None:
        query = query.where(
            ManagementReview.planned_on >= date(year, 1, 1),
            ManagementReview.planned_on <= date(year, 12, 31),
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(ManagementReview.planned_on).desc(), col(ManagementReview.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def outputs_of(*, session: Session, review: ManagementReview) -> list[ReviewOutput]:
    return list(
        session.exec(
            select(ReviewOutput)
            .where(ReviewOutput.review_id == review.id)
            .order_by(col(ReviewOutput.id))
        ).all()
    )


people = _auth.people_named


def chairs(*, session: Session) -> list[User]:
    """Who may chair a review: active top management, by name."""
    rows = session.exec(
        select(User)
        .where(col(User.is_active).is_(True), col(User.top_management).is_(True))
        .order_by(col(User.full_name))
    ).all()
    return [u for u in rows if is_top_management(u)]


def is_overdue(output: ReviewOutput, today: date) -> bool:
    return output.done_on is None and output.due_on < today


# --- planning ---------------------------------------------------------------------------


def _check_plan(session: Session, review: ManagementReview) -> None:
    if review.period_start > review.period_end:
        raise Invalid("The period must end on or after the day it starts.", field="period_end")
    if review.planned_on < review.period_start:
        raise Invalid(
            "The meeting cannot be planned before the period it reviews starts.",
            field="planned_on",
        )
    chair = session.get(User, review.chair_id) if review.chair_id else None
    if chair is None or not chair.is_active or not is_top_management(chair):
        raise Invalid(
            "The chair must be an active manager or administrator marked as top management.",
            field="chair_id",
        )
    ids = []
    for user_id in review.attendee_ids:
        attendee = session.get(User, user_id) if isinstance(user_id, int) and user_id > 0 else None
        if attendee is None or not attendee.is_active:
            raise Invalid(
                "Attendee %(id)s is not an active user.", field="attendee_ids", id=user_id
            )
        if attendee.id not in ids:
            ids.append(attendee.id)
    review.attendee_ids = ids


def create_review(
    *,
    session: Session,
    by: User | None,
    period_start: date,
    period_end: date,
    planned_on: date,
    chair_id: int,
    attendee_ids: Iterable[int] = (),
    resources: str = "",
) -> ManagementReview:
    """Plan a management review with the next code of its year (XXLD-2026-01)."""
    if by is not None:
        require(by, "review.plan")
    review = ManagementReview(
        code="",
        period_start=period_start,
        period_end=period_end,
        planned_on=planned_on,
        chair_id=chair_id,
        attendee_ids=list(attendee_ids),
        resources=(resources or "").strip(),
        created_by_id=by.id if by is not None else None,
    )
    _check_plan(session, review)
    year = planned_on.year
    number = next_number(session=session, name=CODE_SERIES, year=year)
    review.code = f"{CODE_SERIES}-{year}-{number:02d}"
    session.add(review)
    session.flush()
    changes = {name: [None, getattr(review, name)] for name in FIELDS if getattr(review, name)}
    changes["code"] = [None, review.code]
    trail.record(
        session=session,
        actor=by,
        action="planned",
        record_type=RECORD,
        record_id=review.id,
        changes=changes,
    )
    return review


def update_review(
    *, session: Session, by: User, review: ManagementReview, version: int | None, **fields
) -> ManagementReview:
    """Change the plan or the resources text (d) while the review is planned."""
    EDIT_PLAN.require(session=session, user=by, record=review, version=version, versioned=True)
    before = trail.snapshot(review, FIELDS)
    for name, value in fields.items():
        if value is None:
            continue
        if name == "attendee_ids":
            value = list(value)
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    _check_plan(session, review)
    changed = trail.changes_of(review, before, FIELDS)
    if not changed:
        return review
    # Set and checked above (the plan is checked as a whole): the event names the changes.
    EDIT_PLAN.apply(session=session, record=review, by=by, also=changed)
    return review


def cancel(
    *, session: Session, by: User, review: ManagementReview, reason: str, version: int | None
) -> ManagementReview:
    CANCEL.require(session=session, user=by, record=review, version=version)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give the reason for cancelling.", field="reason")
    CANCEL.apply(
        session=session, record=review, by=by, changes={"cancel_reason": reason}, reason=reason
    )
    return review


# --- inputs -----------------------------------------------------------------------------


def _previous_reviews(session: Session, review: ManagementReview) -> list[ManagementReview]:
    return list(
        session.exec(
            select(ManagementReview)
            .where(
                col(ManagementReview.status).in_([Status.held.value, Status.closed.value]),
                ManagementReview.id != review.id,
                ManagementReview.planned_on <= review.planned_on,
            )
            .order_by(col(ManagementReview.planned_on).desc(), col(ManagementReview.id).desc())
        ).all()
    )


def _own_inputs(session: Session, review: ManagementReview, today: date) -> list[Figure]:
    """a) the outputs of the previous reviews: all of the last one's, and those of older
    ones still not done; d) the resources text."""
    figures: list[Figure] = []
    previous = _previous_reviews(session, review)
    if previous:
        last = previous[0]
        codes = {r.id: r.code for r in previous}
        outputs = session.exec(
            select(ReviewOutput)
            .where(col(ReviewOutput.review_id).in_(list(codes)))
            .order_by(col(ReviewOutput.review_id), col(ReviewOutput.id))
        ).all()
        shown = [o for o in outputs if o.review_id == last.id or o.done_on is None]
        names = people(session=session, ids=[o.owner_id for o in shown])
        figures.append(
            Figure(
                key="reviews.previous",
                section="a",
                label=N_("Previous management review"),
                value=last.code,
                href=f"/management-reviews/{last.id}",
            )
        )
        for key, label, count in (
            ("done", N_("Its outputs done"), sum(1 for o in shown if o.done_on is not None)),
            (
                "open",
                N_("Outputs of previous reviews not yet done"),
                sum(1 for o in shown if o.done_on is None),
            ),
            (
                "overdue",
                N_("Outputs of previous reviews overdue"),
                sum(1 for o in shown if is_overdue(o, today)),
            ),
        ):
            figures.append(
                Figure(
                    key=f"reviews.outputs.{key}",
                    section="a",
                    label=label,
                    value=count,
                    href=f"/management-reviews/{last.id}#outputs",
                )
            )
        for output in shown:
            owner = names.get(output.owner_id)
            if output.done_on is not None:
                value = DONE
            else:
                value = OVERDUE if is_overdue(output, today) else NOT_DONE
            figures.append(
                Figure(
                    key=f"reviews.output.{output.id}",
                    section="a",
                    label=OUTPUT_FIGURE_LABELS[OutputKind(output.kind)],
                    params={
                        "code": codes[output.review_id],
                        "what": output.description[:200],
                        "owner": owner.full_name if owner else "",
                        "due": output.due_on.isoformat(),
                    },
                    value=value,
                    href=f"/management-reviews/{output.review_id}#output-{output.id}",
                )
            )
    figures.append(
        Figure(
            key="reviews.resources",
            section="d",
            label=N_("Resources: the quality officer's assessment"),
            value=review.resources,
            href=None,
        )
    )
    return figures


def compile_inputs(*, session: Session, review: ManagementReview, today: date) -> list[Figure]:
    """Today's figures for the review's period, from this domain and each contributor."""
    figures = _own_inputs(session, review, today)
    for path in CONTRIBUTORS:
        service = import_module(path)
        figures.extend(
            service.review_inputs(session=session, start=review.period_start, end=review.period_end)
        )
    order = {section: i for i, section in enumerate(SECTIONS)}
    # Stable sort: each domain's order is kept within a section.
    return sorted(figures, key=lambda f: order.get(f.section, len(order)))


def frozen_inputs(review: ManagementReview) -> list[Figure] | None:
    if review.inputs is None:
        return None
    return [Figure.from_json(item) for item in review.inputs]


def inputs_hash(figures: list[Figure]) -> str:
    return hashlib.sha256(trail.canonical_json([f.as_json() for f in figures]).encode()).hexdigest()


def changes_since(
    *, session: Session, review: ManagementReview, today: date
) -> tuple[set[str], list[Figure]]:
    """For a held review: the keys of the frozen figures whose value differs today (or
    that are gone), and the figures found today that were not there when it was held."""
    frozen = frozen_inputs(review)
    if frozen is None:
        return set(), []
    now = {f.key: f for f in compile_inputs(session=session, review=review, today=today)}
    changed = {f.key for f in frozen if f.key not in now or now[f.key].value != f.value}
    kept = {f.key for f in frozen}
    return changed, [f for key, f in now.items() if key not in kept]


def inputs_for(
    *, session: Session, review: ManagementReview, today: date
) -> tuple[list[Figure], bool]:
    """The review's inputs: frozen once held, compiled today before; and whether frozen."""
    frozen = frozen_inputs(review)
    if frozen is not None:
        return frozen, True
    return compile_inputs(session=session, review=review, today=today), False


def sections(figures: list[Figure]) -> list[tuple[str, str, list[Figure]]]:
    """(section, title msgid, figures) for every item of 9.3.2, empty ones included."""
    grouped: dict[str, list[Figure]] = {section: [] for section in SECTIONS}
    for figure in figures:
        grouped.setdefault(figure.section, []).append(figure)
    return [(s, SECTIONS.get(s, s), found) for s, found in grouped.items()]


# --- holding ----------------------------------------------------------------------------


def hold(
    *,
    session: Session,
    by: User,
    review: ManagementReview,
    minutes: str,
    version: int | None,
    today: date,
) -> ManagementReview:
    """The chair records the meeting: planned → held, its inputs frozen as compiled now."""
    HOLD.require(session=session, user=by, record=review, version=version, versioned=True)
    minutes = (minutes or "").strip()
    if not minutes:
        raise Invalid("Write the minutes: what was discussed and decided.", field="minutes")

    def freeze(review: ManagementReview) -> None:
        figures = compile_inputs(session=session, review=review, today=today)
        review.inputs = [f.as_json() for f in figures]
        review.inputs_sha256 = inputs_hash(figures)

    HOLD.apply(
        session=session,
        record=review,
        by=by,
        changes={"minutes": minutes, "held_on": today},
        then=freeze,
    )
    return review


# --- outputs ----------------------------------------------------------------------------


def add_output(
    *,
    session: Session,
    by: User,
    review: ManagementReview,
    kind: str,
    description: str,
    owner_id: int,
    due_on: date,
    version: int | None = None,
) -> ReviewOutput:
    """A decision of the held review (9.3.3), to be followed up by its owner."""
    DECIDE.require(session=session, user=by, record=review, version=version)
    try:
        kind = OutputKind(kind).value
    except ValueError:
        raise Invalid(
            "Choose the kind: improvement, change to the QMS or resource need.", field="kind"
        ) from None
    description = (description or "").strip()
    if not description:
        raise Invalid("Describe the decision to act on.", field="description")
    owner = session.get(User, owner_id) if owner_id else None
    if owner is None or not owner.is_active:
        raise Invalid("Choose an active person.", field="owner_id")
    if not isinstance(due_on, date):
        raise Invalid("Enter the due date.", field="due_on")
    if due_on < review.held_on:
        raise Invalid("The due date cannot be before the meeting.", field="due_on")
    output = ReviewOutput(
        review_id=review.id,
        kind=kind,
        description=description,
        owner_id=owner.id,
        due_on=due_on,
        created_by_id=by.id,
    )
    session.add(output)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="decided",
        record_type=OUTPUT_RECORD,
        record_id=output.id,
        changes={
            "review_id": [None, review.id],
            "kind": [None, kind],
            "description": [None, description],
            "owner_id": [None, owner.id],
            "due_on": [None, due_on],
        },
    )
    review.version += 1
    review.updated_at = utcnow()
    session.add(review)
    session.flush()
    return output


def complete_output(
    *,
    session: Session,
    by: User,
    output: ReviewOutput,
    evidence: str,
    today: date,
    version: int | None = None,
) -> ReviewOutput:
    """Its owner marks the output done, with the evidence."""
    review = session.get(ManagementReview, output.review_id)
    COMPLETE_OUTPUT.require(
        session=session, user=by, record=review, subject=output, version=version
    )
    evidence = (evidence or "").strip()
    if not evidence:
        raise Invalid("Describe the evidence that the output was done.", field="evidence")
    output.done_on = today
    output.completed_at = utcnow()
    output.evidence = evidence
    output.version += 1
    output.updated_at = utcnow()
    session.add(output)
    session.flush()
    trail.record(
        session=session,
        actor=by,
        action="completed",
        record_type=OUTPUT_RECORD,
        record_id=output.id,
        changes={"done_on": [None, today], "evidence": [None, evidence]},
    )
    return output


# --- closing ----------------------------------------------------------------------------


def content_hash(*, session: Session, review: ManagementReview) -> str:
    """SHA-256 of what the chair signs: the meeting, its frozen inputs, minutes and outputs."""
    body = {
        "code": review.code,
        "period": [review.period_start, review.period_end],
        "held_on": review.held_on,
        "chair_id": review.chair_id,
        "attendee_ids": review.attendee_ids,
        "inputs_sha256": review.inputs_sha256,
        "minutes": review.minutes,
        "outputs": [
            [o.id, o.kind, o.description, o.owner_id, o.due_on]
            for o in outputs_of(session=session, review=review)
        ],
    }
    return hashlib.sha256(trail.canonical_json(body).encode()).hexdigest()


def closure_signature(*, session: Session, review: ManagementReview):
    """The chair's signature and how it stands against the review now, or (None, None)."""
    from qms.trail.models import Signature

    signature = session.get(Signature, review.signature_id) if review.signature_id else None
    actual = content_hash(session=session, review=review) if signature else None
    return signature, trail.signature_state(signature, actual)


def close(
    *,
    session: Session,
    by: User,
    review: ManagementReview,
    password: str,
    version: int | None,
    settings,
) -> ManagementReview:
    """The chair signs the minutes: held → closed, the minutes PDF rendered and kept."""
    from qms.reviews import pdf

    CLOSE.require(session=session, user=by, record=review, version=version)
    signature = trail.sign(
        session=session,
        signer=by,
        password=password,
        meaning="approved",
        record_type=RECORD,
        record_id=review.id,
        content_hash=content_hash(session=session, review=review),
    )

    def keep_minutes(review: ManagementReview) -> None:
        # Rendered closed, as signed: the kept PDF's hash goes into the closing event.
        data = pdf.render_minutes(
            session=session, review=review, signature=signature, settings=settings
        )
        kept = reports.keep_signed(
            session=session,
            settings=settings,
            record_kind="management_review_minutes",
            record_id=review.id,
            record_code=review.code,
            pdf_bytes=data,
            by=by,
        )
        review.minutes_sha256 = kept.sha256
        review.minutes_size = kept.size

    CLOSE.apply(
        session=session,
        record=review,
        by=by,
        changes={"signature_id": signature.id},
        then=keep_minutes,
    )
    return review


def minutes_bytes(*, session: Session, review: ManagementReview, settings) -> bytes:
    kept = reports.current(
        session=session, record_kind="management_review_minutes", record_id=review.id
    )
    if kept is None:
        raise NotFound("%(code)s has no signed minutes yet.", code=review.code)
    return reports.kept_file(settings=settings, kept=kept)


# --- what falls due (for the reminder sweep) ---------------------------------------------


def planned_until(*, session: Session, until: date) -> list[ManagementReview]:
    """Reviews still planned whose date is on or before `until`."""
    return list(
        session.exec(
            select(ManagementReview)
            .where(
                ManagementReview.status == Status.planned.value,
                ManagementReview.planned_on <= until,
            )
            .order_by(col(ManagementReview.planned_on))
        ).all()
    )


def outputs_due(*, session: Session, until: date) -> list[tuple[ReviewOutput, ManagementReview]]:
    """Outputs not done whose due date is on or before `until`."""
    rows = session.exec(
        select(ReviewOutput, ManagementReview)
        .join(ManagementReview, col(ManagementReview.id) == ReviewOutput.review_id)
        .where(col(ReviewOutput.done_on).is_(None), ReviewOutput.due_on <= until)
        .order_by(col(ReviewOutput.due_on))
    ).all()
    return [(o, r) for o, r in rows]


def quality_officers(*, session: Session) -> list[int]:
    from qms.auth.service import list_users

    return [u.id for u in list_users(session=session, role=Role.quality_officer)]


# --- a person's work --------------------------------------------------------------------


def chaired_waiting(*, session: Session, user: User, limit: int) -> Slice:
    """Reviews the person chairs that are planned (to hold) or held (to sign)."""
    query = select(ManagementReview).where(
        ManagementReview.chair_id == user.id,
        col(ManagementReview.status).in_([Status.planned.value, Status.held.value]),
    )
    order = [col(ManagementReview.planned_on), col(ManagementReview.id)]
    return first_rows(session, query, order_by=order, limit=limit)


def outputs_to_complete(*, session: Session, user: User, today: date, limit: int) -> Slice:
    """(output, review) rows of the person's outputs not done, earliest due first."""
    query = (
        select(ReviewOutput, ManagementReview)
        .join(ManagementReview, col(ManagementReview.id) == ReviewOutput.review_id)
        .where(ReviewOutput.owner_id == user.id, col(ReviewOutput.done_on).is_(None))
    )
    return first_rows(
        session,
        query,
        order_by=[col(ReviewOutput.due_on), col(ReviewOutput.id)],
        limit=limit,
        overdue=col(ReviewOutput.due_on) < today,
    )


# --- certification evidence -------------------------------------------------------------


def evidence(*, session: Session, start: date, end: date, today: date):
    """9.3.3: the management reviews held in the period (a few a year), with the kept, signed
    minutes of each closed one; a gap when none was held."""
    from qms.evidence_records import Gap, Item, Register

    yield Register("reviews", "/management-reviews")
    reviews = session.exec(
        select(ManagementReview)
        .where(
            col(ManagementReview.status).in_([Status.held.value, Status.closed.value]),
            col(ManagementReview.held_on) >= start,
            col(ManagementReview.held_on) <= end,
        )
        .order_by(col(ManagementReview.held_on), col(ManagementReview.id))
    ).all()
    for review in reviews:
        closed = review.status == Status.closed.value
        yield Item(
            source="reviews",
            code=review.code,
            title=f"{review.period_start.isoformat()} – {review.period_end.isoformat()}",
            href=f"/management-reviews/{review.id}",
            on=review.held_on,
            kept_kind="management_review_minutes" if closed else None,
            kept_id=review.id if closed else None,
        )
    if not reviews:
        yield Gap(
            source="reviews",
            message=N_("No management review was held from %(start)s to %(end)s."),
            params={"start": start.isoformat(), "end": end.isoformat()},
            href="/management-reviews",
        )
