"""JSON API of management reviews: the register, the plan, the compiled inputs, holding,
outputs, the chair's signature and the kept minutes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from qms.config import Settings
from qms.deps import MAX_ID, CurrentUser, SessionDep, SettingsDep
from qms.i18n import translations
from qms.pages import request_lang
from qms.reviews import service
from qms.reviews.deps import CurrentOutput, CurrentReview
from qms.reviews.models import (
    Cancellation,
    Closure,
    FigurePublic,
    Holding,
    InputsPublic,
    ManagementReview,
    OutputCompletion,
    OutputCreate,
    OutputPublic,
    ReviewCreate,
    ReviewDetail,
    ReviewOutput,
    ReviewPublic,
    ReviewUpdate,
    SectionPublic,
)
from qms.reviews.states import Status

router = APIRouter(tags=["management reviews"])


def _public(review: ManagementReview) -> ReviewPublic:
    return ReviewPublic(
        **review.model_dump(
            include=set(ReviewPublic.model_fields) - {"minutes_url"},
        ),
        minutes_url=f"/api/v1/management-reviews/{review.id}.pdf"
        if review.minutes_sha256
        else None,
    )


def _output_public(output: ReviewOutput, names: dict, today: date) -> OutputPublic:
    owner = names.get(output.owner_id)
    return OutputPublic(
        id=output.id,
        review_id=output.review_id,
        kind=output.kind,
        description=output.description,
        owner_id=output.owner_id,
        owner_name=owner.full_name if owner else "",
        due_on=output.due_on,
        done_on=output.done_on,
        evidence=output.evidence,
        overdue=service.is_overdue(output, today),
        status=output.status,
        version=output.version,
    )


def _detail(session: Session, review: ManagementReview, settings: Settings) -> ReviewDetail:
    outputs = service.outputs_of(session=session, review=review)
    names = service.people(session=session, ids=[o.owner_id for o in outputs])
    today = settings.today()
    return ReviewDetail(
        **_public(review).model_dump(),
        outputs=[_output_public(o, names, today) for o in outputs],
    )


@router.get("/management-reviews", response_model=list[ReviewPublic])
def list_reviews(
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    status: Status | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    """The register, latest planned first; the total matching is in X-Total-Count."""
    rows, total = service.list_reviews(
        session=session,
        by=user,
        status=status.value if status else None,
        year=year,
        limit=limit,
        offset=offset,
    )
    response.headers["X-Total-Count"] = str(total)
    return [_public(r) for r in rows]


@router.post("/management-reviews", status_code=201, response_model=ReviewDetail)
def create_review(
    body: ReviewCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    review = service.create_review(session=session, by=user, **body.model_dump())
    return _detail(session, review, settings)


@router.get(
    "/management-reviews/{review_id}.pdf",
    responses={
        200: {
            "description": "The signed minutes, byte for byte as kept",
            "content": {"application/pdf": {}},
        }
    },
    response_class=Response,
)
def minutes_pdf(
    session: SessionDep, user: CurrentUser, review: CurrentReview, settings: SettingsDep
):
    service.read(by=user, review=review)
    data = service.minutes_bytes(session=session, review=review, settings=settings)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{review.code}.pdf"',
            "ETag": f'"{review.minutes_sha256}"',
            "X-Content-SHA256": review.minutes_sha256,
            "Cache-Control": "private, no-cache",
        },
    )


@router.get("/management-reviews/{review_id}", response_model=ReviewDetail)
def get_review(
    session: SessionDep, user: CurrentUser, review: CurrentReview, settings: SettingsDep
):
    return _detail(session, service.read(by=user, review=review), settings)


@router.patch("/management-reviews/{review_id}", response_model=ReviewDetail)
def update_review(
    body: ReviewUpdate,
    session: SessionDep,
    user: CurrentUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    fields = body.model_dump(exclude_unset=True)
    version = fields.pop("version")
    service.update_review(session=session, by=user, review=review, version=version, **fields)
    return _detail(session, review, settings)


@router.get("/management-reviews/{review_id}/inputs", response_model=InputsPublic)
def review_inputs(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    """The 9.3.2 sections with their figures: as compiled now before the review is held,
    as frozen when it was held after (`changed` marks figures that differ today)."""
    service.read(by=user, review=review)
    today = settings.today()
    figures, frozen = service.inputs_for(session=session, review=review, today=today)
    changed = (
        service.changes_since(session=session, review=review, today=today)[0] if frozen else set()
    )
    translator = translations(request_lang(request, user))

    def text(f) -> str:
        label = translator.gettext(f.label)
        return label % f.params if f.params else label

    return InputsPublic(
        id=review.id,
        status=review.status,
        version=review.version,
        frozen=frozen,
        sha256=review.inputs_sha256,
        sections=[
            SectionPublic(
                section=section,
                title=translator.gettext(title),
                figures=[
                    FigurePublic(
                        key=f.key,
                        section=f.section,
                        label=f.label,
                        text=text(f),
                        value=f.value,
                        unit=f.unit,
                        href=f.href,
                        changed=f.key in changed,
                    )
                    for f in found
                ],
            )
            for section, title, found in service.sections(figures)
        ],
    )


@router.post("/management-reviews/{review_id}/hold", response_model=ReviewDetail)
def hold(
    body: Holding,
    session: SessionDep,
    user: CurrentUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    service.hold(
        session=session,
        by=user,
        review=review,
        minutes=body.minutes,
        version=body.version,
        today=settings.today(),
    )
    return _detail(session, review, settings)


@router.post(
    "/management-reviews/{review_id}/outputs", status_code=201, response_model=OutputPublic
)
def add_output(
    body: OutputCreate,
    session: SessionDep,
    user: CurrentUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    output = service.add_output(session=session, by=user, review=review, **body.model_dump())
    names = service.people(session=session, ids=[output.owner_id])
    return _output_public(output, names, settings.today())


@router.post("/review-outputs/{output_id}/complete", response_model=OutputPublic)
def complete_output(
    body: OutputCompletion,
    session: SessionDep,
    user: CurrentUser,
    output: CurrentOutput,
    settings: SettingsDep,
):
    today = settings.today()
    service.complete_output(
        session=session,
        by=user,
        output=output,
        evidence=body.evidence,
        today=today,
        version=body.version,
    )
    names = service.people(session=session, ids=[output.owner_id])
    return _output_public(output, names, today)


@router.post("/management-reviews/{review_id}/close", response_model=ReviewDetail)
def close(
    body: Closure,
    session: SessionDep,
    user: CurrentUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    service.close(
        session=session,
        by=user,
        review=review,
        password=body.password,
        version=body.version,
        settings=settings,
    )
    return _detail(session, review, settings)


@router.post("/management-reviews/{review_id}/cancel", response_model=ReviewDetail)
def cancel(
    body: Cancellation,
    session: SessionDep,
    user: CurrentUser,
    review: CurrentReview,
    settings: SettingsDep,
):
    service.cancel(
        session=session, by=user, review=review, reason=body.reason, version=body.version
    )
    return _detail(session, review, settings)
