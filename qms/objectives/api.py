"""JSON API of quality objectives, indicators and measurements: the register, the moves, the
figures, the trend chart and the year's PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlmodel import Session

from qms.auth.permissions import require
from qms.config import Settings
from qms.deps import MAX_ID, CurrentUser, DayQuery, SessionDep, SettingsDep
from qms.errors import Invalid
from qms.nonconformities.models import Severity
from qms.objectives import chart, exports, importer, pdf, service
from qms.objectives.deps import CurrentIndicator, CurrentMeasurement, CurrentObjective
from qms.objectives.models import (
    Cancellation,
    Evaluation,
    ImportResult,
    Indicator,
    IndicatorCreate,
    IndicatorDetail,
    IndicatorPublic,
    Measurement,
    MeasurementCorrection,
    MeasurementCreate,
    MeasurementPublic,
    Objective,
    ObjectiveCreate,
    ObjectiveDetail,
    ObjectivePublic,
    ObjectiveUpdate,
    PeriodStatus,
    VersionOnly,
    YearToDate,
)
from qms.objectives.states import Status
from qms.pages import gettext_for, request_lang

router = APIRouter(tags=["objectives"])

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]


def _public(objective: Objective, standing: str | None) -> ObjectivePublic:
    return ObjectivePublic(
        **objective.model_dump(
            include=set(ObjectivePublic.model_fields) - {"standing"},
        ),
        standing=standing,
    )


def _detail(session: Session, objective: Objective, settings: Settings) -> ObjectiveDetail:
    found = service.standings(session=session, objective_ids=[objective.id], as_of=settings.today())
    indicators = service.indicators_of(session=session, objective=objective)
    return ObjectiveDetail(
        **_public(objective, service.standing_of(found[objective.id])).model_dump(),
        indicators=[_indicator(i) for i in indicators],
    )


def _indicator(indicator: Indicator) -> IndicatorPublic:
    return IndicatorPublic(**indicator.model_dump(), status=indicator.status)


def _measurement(measurement: Measurement) -> MeasurementPublic:
    return MeasurementPublic(**measurement.model_dump())


def _indicator_detail(session: Session, indicator: Indicator) -> IndicatorDetail:
    measurements = service.measurements_of(session=session, indicator=indicator)
    ytd = service.year_to_date(indicator, measurements)
    return IndicatorDetail(
        **_indicator(indicator).model_dump(),
        measurements=[_measurement(m) for m in measurements],
        year_to_date=YearToDate(**ytd.__dict__),
    )


def _filters(year, from_year, to_year, department_id, status, in_force, standing, as_of):
    return service.Filters(
        year=year,
        from_year=from_year,
        to_year=to_year,
        department_id=department_id,
        status=status.value if status else None,
        in_force=bool(in_force),
        standing=standing.value if standing else None,
        as_of=as_of,
    )


@router.get("/objectives", response_model=list[ObjectivePublic])
def list_objectives(
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    year: YearQuery = None,
    from_year: YearQuery = None,
    to_year: YearQuery = None,
    department_id: IdQuery = None,
    status: Status | None = None,
    in_force: bool | None = None,
    standing: PeriodStatus | None = None,
    as_of: DayQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    """The register, newest year first; the total matching is in the X-Total-Count header.
    `standing` is the worst year to date of an objective's indicators as of `as_of`."""
    filters = _filters(year, from_year, to_year, department_id, status, in_force, standing, as_of)
    rows, total, standing_of = service.list_objectives(
        session=session,
        by=user,
        filters=filters,
        today=settings.today(),
        limit=limit,
        offset=offset,
    )
    response.headers["X-Total-Count"] = str(total)
    return [_public(o, standing_of[o.id]) for o in rows]


def _export(kind: str, request, session, user, settings, filters):
    rows, _total, _standing = service.list_objectives(
        session=session, by=user, filters=filters, today=settings.today(), limit=None
    )
    lang = request_lang(request, user)
    table = exports.register_rows(session=session, objectives=rows, lang=lang)
    if kind == "csv":
        body, media_type = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        body, media_type = exports.to_xlsx(table, lang=lang), exports.XLSX
    stamp = settings.today().isoformat()
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="objectives-{stamp}.{kind}"'},
    )


@router.get("/objectives.csv", response_class=Response)
def export_csv(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    year: YearQuery = None,
    department_id: IdQuery = None,
    status: Status | None = None,
):
    """The register, filtered as the list is, as CSV (UTF-8 with a byte-order mark)."""
    filters = _filters(year, None, None, department_id, status, None, None, None)
    return _export("csv", request, session, user, settings, filters)


@router.get("/objectives.xlsx", response_class=Response)
def export_xlsx(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    year: YearQuery = None,
    department_id: IdQuery = None,
    status: Status | None = None,
):
    """The register, filtered as the list is, as an Excel workbook."""
    filters = _filters(year, None, None, department_id, status, None, None, None)
    return _export("xlsx", request, session, user, settings, filters)


@router.get(
    "/objectives.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def objectives_pdf(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    department_id: IdQuery = None,
):
    """The year's objectives: a table and each indicator's chart."""
    lang = request_lang(request, user)
    body = await run_in_threadpool(
        pdf.year_report,
        session=session,
        user=user,
        settings=settings,
        year=year,
        department_id=department_id,
        lang=lang,
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="objectives-{year}.pdf"'},
    )


@router.post("/objectives", status_code=201, response_model=ObjectiveDetail)
def create_objective(
    body: ObjectiveCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    objective = service.create_objective(session=session, by=user, **body.model_dump())
    return _detail(session, objective, settings)


@router.get("/objectives/{objective_id}", response_model=ObjectiveDetail)
def get_objective(
    session: SessionDep, user: CurrentUser, objective: CurrentObjective, settings: SettingsDep
):
    return _detail(session, service.read(by=user, record=objective), settings)


@router.patch("/objectives/{objective_id}", response_model=ObjectiveDetail)
def update_objective(
    body: ObjectiveUpdate,
    session: SessionDep,
    user: CurrentUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    """Edit a draft; `version` is the one read. A field left out is kept."""
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    service.update_objective(
        session=session, objective=objective, by=user, version=version, **changes
    )
    return _detail(session, objective, settings)


@router.post("/objectives/{objective_id}/activate", response_model=ObjectiveDetail)
def activate(
    session: SessionDep,
    user: CurrentUser,
    objective: CurrentObjective,
    settings: SettingsDep,
    body: VersionOnly | None = None,
):
    service.activate(
        session=session, objective=objective, by=user, version=body.version if body else None
    )
    return _detail(session, objective, settings)


@router.post("/objectives/{objective_id}/evaluate", response_model=ObjectiveDetail)
def evaluate(
    body: Evaluation,
    session: SessionDep,
    user: CurrentUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    """The year's verdict: `result` achieved or not_achieved, with the reasoning."""
    service.evaluate(
        session=session,
        objective=objective,
        by=user,
        result=body.result.value,
        comment=body.comment,
        version=body.version,
    )
    return _detail(session, objective, settings)


@router.post("/objectives/{objective_id}/cancel", response_model=ObjectiveDetail)
def cancel(
    body: Cancellation,
    session: SessionDep,
    user: CurrentUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    service.cancel(
        session=session, objective=objective, by=user, reason=body.reason, version=body.version
    )
    return _detail(session, objective, settings)


@router.post(
    "/objectives/{objective_id}/indicators", status_code=201, response_model=IndicatorDetail
)
def add_indicator(
    body: IndicatorCreate,
    session: SessionDep,
    user: CurrentUser,
    objective: CurrentObjective,
):
    indicator = service.add_indicator(
        session=session, objective=objective, by=user, **body.model_dump()
    )
    return _indicator_detail(session, indicator)


@router.get("/indicators/{indicator_id}", response_model=IndicatorDetail)
def get_indicator(session: SessionDep, user: CurrentUser, indicator: CurrentIndicator):
    """The indicator with each period's figures and status, and its year to date (a ratio
    pools its numerators and denominators)."""
    return _indicator_detail(session, service.read(by=user, record=indicator))


@router.get(
    "/indicators/{indicator_id}/chart.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def indicator_chart(
    request: Request, session: SessionDep, user: CurrentUser, indicator: CurrentIndicator
):
    """The trend chart: each period's value, the target line, missed periods marked."""
    service.read(by=user, record=indicator)
    objective = service.objective_of(session=session, indicator=indicator)
    lang = request_lang(request, user)
    svg = chart.chart_svg(
        indicator=indicator,
        year=objective.year,
        measurements=service.measurements_of(session=session, indicator=indicator),
        gettext=gettext_for(lang),
        lang=lang,
    )
    return Response(svg, media_type="image/svg+xml")


@router.post(
    "/indicators/{indicator_id}/measurements", status_code=201, response_model=MeasurementPublic
)
def enter_measurement(
    body: MeasurementCreate,
    session: SessionDep,
    user: CurrentUser,
    indicator: CurrentIndicator,
):
    """One period's figures: `numerator` and `denominator` for a ratio, `value` otherwise."""
    measurement = service.enter_measurement(
        session=session, indicator=indicator, by=user, **body.model_dump()
    )
    return _measurement(measurement)


@router.post(
    "/indicators/{indicator_id}/measurements/import",
    status_code=201,
    response_model=ImportResult,
)
async def import_measurements(
    session: SessionDep,
    user: CurrentUser,
    indicator: CurrentIndicator,
    settings: SettingsDep,
    file: Annotated[
        UploadFile | None,
        File(description="CSV or XLSX: period, then numerator and denominator, or value"),
    ] = None,
):
    """Every row of the file, or none; a refusal names its row and column."""
    require(user, "measurement.enter", indicator)
    if file is None:
        raise Invalid("Choose a CSV or Excel file.", field="file")
    content = await file.read(settings.upload_max_bytes + 1)
    if len(content) > settings.upload_max_bytes:
        raise Invalid("The file is too large.", field="file")
    made = await run_in_threadpool(
        importer.import_file,
        session=session,
        indicator=indicator,
        by=user,
        content=content,
        filename=file.filename,
    )
    return ImportResult(
        indicator_id=indicator.id, imported=len(made), periods=[m.period for m in made]
    )


@router.patch("/measurements/{measurement_id}", response_model=MeasurementPublic)
def correct_measurement(
    body: MeasurementCorrection,
    session: SessionDep,
    user: CurrentUser,
    measurement: CurrentMeasurement,
):
    """New figures for a period with the reason; the old ones stay in the trail."""
    service.correct_measurement(
        session=session, measurement=measurement, by=user, **body.model_dump()
    )
    return _measurement(measurement)


class RaisedNonconformity(BaseModel):
    measurement_id: int
    nonconformity_id: int
    code: str
    status: str


class RaiseBody(BaseModel):
    description: str = Field(default="", max_length=20_000)
    severity: Severity = Severity.minor


@router.post(
    "/measurements/{measurement_id}/nonconformity",
    status_code=201,
    response_model=RaisedNonconformity,
)
def raise_nonconformity(
    session: SessionDep,
    user: CurrentUser,
    measurement: CurrentMeasurement,
    settings: SettingsDep,
    body: RaiseBody | None = None,
):
    """Raise a nonconformity (source: process monitoring) from a missed period, once."""
    body = body or RaiseBody()
    nc = service.raise_nonconformity(
        session=session,
        measurement=measurement,
        by=user,
        today=settings.today(),
        description=body.description,
        severity=body.severity.value,
    )
    return RaisedNonconformity(
        measurement_id=measurement.id, nonconformity_id=nc.id, code=nc.code, status=nc.status
    )
