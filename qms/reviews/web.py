"""Pages: the register of management reviews, planning one, and the review's page with its
compiled (or frozen) inputs and the forms its viewer may use."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from qms.auth import service as auth
from qms.auth.permissions import require
from qms.deps import PageUser, SessionDep, SettingsDep
from qms.errors import Invalid, QMSError
from qms.forms import parse
from qms.home.service import WorkItem, WorkList, work_provider
from qms.i18n import N_
from qms.pages import NavItem, form_data, redirect, refused, render, verify_csrf
from qms.reviews import service
from qms.reviews.deps import CurrentOutput, CurrentReview
from qms.reviews.models import (
    KIND_LABELS,
    Cancellation,
    Closure,
    Holding,
    OutputCompletion,
    OutputKind,
)
from qms.reviews.states import COMPLETE_OUTPUT, FORMS, STATUS_LABELS, Status
from qms.trail import labels as trail_labels
from qms.trail.labels import register_values
from qms.workflow import allowed_now

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

NAV = [NavItem(N_("Management reviews"), "/management-reviews", "review.list")]
PAGE_SIZE = 25

# The trail shows this domain's records, moves and coded fields by their labels.
trail_labels.RECORD_TYPES.setdefault(service.RECORD, N_("Management review"))
trail_labels.RECORD_TYPES.setdefault(service.OUTPUT_RECORD, N_("Management review output"))
trail_labels.RECORD_PAGES.setdefault(service.RECORD, "/management-reviews/{id}")
trail_labels.ACTIONS.setdefault("held", N_("held"))
trail_labels.ACTIONS.setdefault("decided", N_("output decided"))
register_values(service.RECORD, "status", STATUS_LABELS)
register_values(service.OUTPUT_RECORD, "kind", KIND_LABELS)

LABELS = {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS}
FORM_FIELDS = {
    "edit": {"period_start", "period_end", "planned_on", "chair_id", "attendee_ids", "resources"},
    "hold": {"minutes"},
    "output": {"kind", "description", "owner_id", "due_on"},
    "complete": {"evidence"},
    "close": {"password"},
    "cancel": {"reason"},
}


def _int(value) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or 0 < number < 2**31 else None


def _date(value, field: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid("Enter the date as YYYY-MM-DD.", field=field) from None


def _ids(value) -> list[int]:
    values = value if isinstance(value, list) else [value] if value not in (None, "") else []
    return [i for i in (_int(v) for v in values) if i is not None]


def _plan_fields(data: dict) -> dict:
    chair_id = _int(data.get("chair_id"))
    if chair_id is None:
        raise Invalid("Choose the chair.", field="chair_id")
    return {
        "period_start": _date(data.get("period_start"), "period_start"),
        "period_end": _date(data.get("period_end"), "period_end"),
        "planned_on": _date(data.get("planned_on"), "planned_on"),
        "chair_id": chair_id,
        "attendee_ids": _ids(data.get("attendee_ids")),
        "resources": str(data.get("resources", "")),
    }


# --- the register -----------------------------------------------------------------------


@router.get("/management-reviews")
def register(request: Request, session: SessionDep, user: PageUser):
    status = request.query_params.get("status", "")
    status = status if status in {s.value for s in Status} else None
    page = max(_int(request.query_params.get("page")) or 1, 1)
    rows, total = service.list_reviews(
        session=session, by=user, status=status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render(
        request,
        "reviews/list.html",
        {
            **LABELS,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "filters": {"status": status or ""},
            "statuses": list(Status),
            "people": service.people(session=session, ids=[r.chair_id for r in rows]),
        },
    )


# --- planning ---------------------------------------------------------------------------


def _chair_options(session) -> list[tuple[int, str]]:
    return [
        (u.id, f"{u.full_name} · {u.position_title}" if u.position_title else u.full_name)
        for u in service.chairs(session=session)
    ]


def _plan_context(session, **extra) -> dict:
    return {
        **LABELS,
        "review": None,
        "chair_options": _chair_options(session),
        "users": auth.user_names(session=session),
        **extra,
    }


@router.get("/management-reviews/new")
def new_page(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "review.plan")
    today = settings.today()
    form = {
        "period_start": date(today.year, 1, 1).isoformat(),
        "period_end": today.isoformat(),
        "planned_on": today.isoformat(),
    }
    return render(request, "reviews/new.html", _plan_context(session, form=form))


@router.post("/management-reviews/new")
async def plan(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        require(user, "review.plan")
        review = service.create_review(session=session, by=user, **_plan_fields(data))
    except QMSError as exc:
        session.rollback()
        return refused(request, "reviews/new.html", exc, _plan_context(session, form=data))
    return redirect(
        request, f"/management-reviews/{review.id}", flash=N_("The management review was planned.")
    )


# --- the review -------------------------------------------------------------------------


def _record_context(session, review, user, settings, **extra) -> dict:
    today = settings.today()
    figures, frozen = service.inputs_for(session=session, review=review, today=today)
    changed, added = (
        service.changes_since(session=session, review=review, today=today)
        if frozen
        else (set(), [])
    )
    outputs = service.outputs_of(session=session, review=review)
    names = service.people(
        session=session,
        ids=[review.chair_id, *review.attendee_ids, *(o.owner_id for o in outputs)],
    )
    signature, signature_state = service.closure_signature(session=session, review=review)
    # Exactly the forms this viewer may use now, asked of the actions' own declarations.
    may = allowed_now(FORMS, user, review, session=session)
    may["complete"] = {
        o.id
        for o in outputs
        if COMPLETE_OUTPUT.refusal(user, review, session=session, subject=o) is None
    }
    status = Status(review.status)
    return {
        **LABELS,
        "review": review,
        "people": names,
        "sections": service.sections(figures),
        "frozen": frozen,
        "changed": changed,
        "added": added,
        "outputs": outputs,
        "overdue": {o.id for o in outputs if service.is_overdue(o, today)},
        "signature": signature,
        "signature_state": signature_state,
        "chair_options": _chair_options(session),
        "users": auth.user_names(session=session),
        "kinds": list(OutputKind),
        "today": today,
        "may": may,
        "life": {s.value: status is s for s in Status},
        **extra,
    }


@router.get("/management-reviews/{review_id}")
def record_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    review = service.read(by=user, review=review)
    return render(request, "reviews/record.html", _record_context(session, review, user, settings))


def _refused(request, session, user, review_id, settings, exc: QMSError, form: str, data: dict):
    session.rollback()
    review = service.get_review(session=session, review_id=review_id)
    context = _record_context(session, review, user, settings, form=data, active_form=form)
    if exc.field not in FORM_FIELDS[form]:
        exc.field = None
    return refused(request, "reviews/record.html", exc, context)


async def _act(request, session, user, settings, review_id: int, form: str, act, flash: str):
    data = await form_data(request)
    try:
        # Off the event loop: closing renders and signs the kept minutes.
        await run_in_threadpool(act, data, settings.today())
    except QMSError as exc:
        return _refused(request, session, user, review_id, settings, exc, form, data)
    return redirect(request, f"/management-reviews/{review_id}", flash=flash)


@router.post("/management-reviews/{review_id}/edit")
async def edit(
    request: Request,
    session: SessionDep,
    user: PageUser,
    review: CurrentReview,
    settings: SettingsDep,
):

    def act(data, today):
        service.update_review(
            session=session,
            by=user,
            review=review,
            version=_int(data.get("version")),
            **_plan_fields(data),
        )

    return await _act(request, session, user, settings, review.id, "edit", act, N_("Saved."))


@router.post("/management-reviews/{review_id}/hold")
async def hold(
    request: Request,
    session: SessionDep,
    user: PageUser,
    review: CurrentReview,
    settings: SettingsDep,
):

    def act(data, today):
        body = parse(Holding, data)
        service.hold(
            session=session,
            by=user,
            review=review,
            minutes=body.minutes,
            version=body.version,
            today=today,
        )

    return await _act(
        request,
        session,
        user,
        settings,
        review.id,
        "hold",
        act,
        N_("The review was held: its inputs are frozen as compiled now."),
    )


@router.post("/management-reviews/{review_id}/outputs")
async def add_output(
    request: Request,
    session: SessionDep,
    user: PageUser,
    review: CurrentReview,
    settings: SettingsDep,
):

    def act(data, today):
        owner_id = _int(data.get("owner_id"))
        if owner_id is None:
            raise Invalid("Choose an active person.", field="owner_id")
        service.add_output(
            session=session,
            by=user,
            review=review,
            kind=str(data.get("kind", "")),
            description=str(data.get("description", "")),
            owner_id=owner_id,
            due_on=_date(data.get("due_on"), "due_on"),
        )

    return await _act(
        request, session, user, settings, review.id, "output", act, N_("The output was recorded.")
    )


@router.post("/review-outputs/{output_id}/complete")
async def complete_output(
    request: Request,
    session: SessionDep,
    user: PageUser,
    output: CurrentOutput,
    settings: SettingsDep,
):
    review_id = output.review_id

    def act(data, today):
        body = parse(OutputCompletion, data)
        service.complete_output(
            session=session,
            by=user,
            output=output,
            evidence=body.evidence,
            today=today,
            version=body.version,
        )

    return await _act(
        request, session, user, settings, review_id, "complete", act, N_("The output is done.")
    )


@router.post("/management-reviews/{review_id}/close")
async def close(
    request: Request,
    session: SessionDep,
    user: PageUser,
    review: CurrentReview,
    settings: SettingsDep,
):

    def act(data, today):
        body = parse(Closure, data)
        service.close(
            session=session,
            by=user,
            review=review,
            password=body.password,
            version=body.version,
            settings=settings,
        )

    return await _act(
        request,
        session,
        user,
        settings,
        review.id,
        "close",
        act,
        N_("The minutes were signed and kept as a PDF record."),
    )


@router.post("/management-reviews/{review_id}/cancel")
async def cancel(
    request: Request,
    session: SessionDep,
    user: PageUser,
    review: CurrentReview,
    settings: SettingsDep,
):

    def act(data, today):
        body = parse(Cancellation, data)
        service.cancel(
            session=session,
            by=user,
            review=review,
            reason=body.reason,
            version=body.version,
        )

    return await _act(
        request, session, user, settings, review.id, "cancel", act, N_("The review was cancelled.")
    )


# --- a person's work --------------------------------------------------------------------


@work_provider
def review_work(session, user, today: date, limit: int) -> list[WorkList]:
    """Reviews the person chairs that wait to be held or signed; their own open outputs."""
    lists = []
    part = service.chaired_waiting(session=session, user=user, limit=limit)
    kind = N_("Hold or sign the management review")
    items = [
        WorkItem(kind, r.code, f"/management-reviews/{r.id}", due_on=r.planned_on, code=r.code)
        for r in part.rows
    ]
    lists.append(WorkList(kind, items, part.total, "/management-reviews", part.overdue))
    part = service.outputs_to_complete(session=session, user=user, today=today, limit=limit)
    kind = N_("Complete the output of the management review")
    items = [
        WorkItem(
            kind,
            output.description[:120],
            f"/management-reviews/{review.id}#output-{output.id}",
            due_on=output.due_on,
            code=review.code,
        )
        for output, review in part.rows
    ]
    lists.append(WorkList(kind, items, part.total, "/management-reviews", part.overdue))
    return lists
