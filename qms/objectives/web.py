"""Pages: the objectives register, setting one, the objective with its indicators, the
indicator with its chart and figures, the register of measured periods, and the quality
officer's panel of objectives at risk or missed."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.datastructures import UploadFile

from qms.auth import service as auth
from qms.auth.models import Role
from qms.auth.permissions import can, require
from qms.deps import PageUser, SessionDep, SettingsDep
from qms.errors import Invalid, QMSError
from qms.forms import parse
from qms.home.service import Panel, panel_provider
from qms.i18n import N_
from qms.nonconformities.models import SEVERITY_LABELS, Severity
from qms.objectives import chart, importer, service
from qms.objectives.deps import CurrentIndicator, CurrentMeasurement, CurrentObjective
from qms.objectives.models import (
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    KIND_LABELS,
    PERIOD_STATUS_LABELS,
    Cancellation,
    Direction,
    Evaluation,
    Frequency,
    Kind,
    PeriodStatus,
    VersionOnly,
)
from qms.objectives.states import (
    ACTIVATE,
    ENTER_FIGURES,
    EVALUATED,
    FORMS,
    STATUS_LABELS,
    Status,
)
from qms.pages import (
    NavItem,
    form_data,
    gettext_for,
    redirect,
    refused,
    render,
    request_lang,
    verify_csrf,
)
from qms.trail import labels as trail_labels
from qms.trail.labels import register_values
from qms.workflow import allowed_now

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

NAV = [NavItem(N_("Objectives"), "/objectives", "objective.list")]
PAGE_SIZE = 25

# The trail names these records, actions and fields in the reader's words.
trail_labels.RECORD_TYPES.update(
    {
        "objective": N_("Quality objective"),
        "indicator": N_("Indicator"),
        "measurement": N_("Measurement"),
    }
)
trail_labels.ACTIONS.update(
    {
        "activated": N_("put in force"),
        "evaluated": N_("evaluated"),
        "measured": N_("figures entered"),
        "corrected": N_("figures corrected"),
        "nonconformity_raised": N_("nonconformity raised"),
    }
)
for _field, _label in {
    "plan": N_("What will be done"),
    "resources": N_("Resources"),
    "responsible": N_("Who is responsible"),
    "evaluation": N_("How results are evaluated"),
    "evaluation_comment": N_("Evaluation"),
    "objective_id": N_("Objective"),
    "indicator_id": N_("Indicator"),
    "unit": N_("Unit"),
    "direction": N_("Direction"),
    "target": N_("Target"),
    "at_risk_margin": N_("At-risk margin"),
    "frequency": N_("Frequency"),
    "data_owner_id": N_("Data owner"),
    "period": N_("Period"),
    "numerator": N_("Numerator"),
    "denominator": N_("Denominator"),
    "value": N_("Value"),
    "note": N_("Note"),
}.items():
    trail_labels.FIELDS.setdefault(_field, _label)
trail_labels.PEOPLE.add("data_owner_id")
trail_labels.RECORD_PAGES.update({"objective": "/objectives/{id}", "indicator": "/indicators/{id}"})
register_values("objective", "status", STATUS_LABELS)
register_values("indicator", "kind", KIND_LABELS)
register_values("indicator", "direction", DIRECTION_LABELS)
register_values("indicator", "frequency", FREQUENCY_LABELS)
register_values("measurement", "status", PERIOD_STATUS_LABELS)

LABELS = {
    "status_labels": STATUS_LABELS,
    "period_labels": PERIOD_STATUS_LABELS,
    "kind_labels": KIND_LABELS,
    "direction_labels": DIRECTION_LABELS,
    "frequency_labels": FREQUENCY_LABELS,
    "severity_labels": SEVERITY_LABELS,
}

# The fields each form on a record page shows a message beside; anything else is said at
# the top of the page.
OBJECTIVE_FORMS = {
    "edit": {
        "title",
        "department_id",
        "owner_id",
        "plan",
        "resources",
        "responsible",
        "due_on",
        "evaluation",
    },
    "indicator": {
        "name",
        "unit",
        "kind",
        "direction",
        "target",
        "at_risk_margin",
        "frequency",
        "data_owner_id",
    },
    "evaluate": {"result", "comment"},
    "cancel": {"reason"},
    "activate": set(),
}
INDICATOR_FORMS = {
    "measure": {"period", "numerator", "denominator", "value", "note"},
    "import": {"file"},
    "correct": {"numerator", "denominator", "value", "note", "reason"},
    "raise": {"description", "severity"},
}


def _int(value) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _number(value, field: str, *, whole: bool = False):
    text = str(value if value is not None else "").strip().replace(" ", "")
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise Invalid("Enter a number.", field=field) from None
    if whole:
        if number != int(number):
            raise Invalid("Enter a whole number.", field=field)
        return int(number)
    return number


def _date(value, field: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid("Enter the date as YYYY-MM-DD.", field=field) from None


# --- the register -----------------------------------------------------------------------


def _page_filters(request: Request, today: date) -> tuple[service.Filters, dict[str, str]]:
    """Filters from the query string, leniently: a value that makes no sense is ignored."""
    query = request.query_params
    kept: dict[str, str] = {}

    def choice(name, allowed):
        value = query.get(name, "")
        if value in allowed:
            kept[name] = value
            return value
        return None

    def year(name):
        value = _int(query.get(name))
        if value is not None and 2000 <= value <= 2100:
            kept[name] = str(value)
            return value
        return None

    department_id = _int(query.get("department_id"))
    if department_id is not None and 0 < department_id < 2**31:
        kept["department_id"] = str(department_id)
    else:
        department_id = None
    as_of = None
    try:
        as_of = date.fromisoformat(query.get("as_of", ""))
        kept["as_of"] = as_of.isoformat()
    except ValueError:
        pass
    filters = service.Filters(
        year=year("year"),
        from_year=year("from_year"),
        to_year=year("to_year"),
        department_id=department_id,
        status=choice("status", {s.value for s in Status}),
        in_force=choice("in_force", {"true"}) is not None,
        standing=choice("standing", {s.value for s in PeriodStatus}),
        as_of=as_of,
    )
    return filters, kept


@router.get("/objectives")
def register(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    today = settings.today()
    filters, kept = _page_filters(request, today)
    page = max(_int(request.query_params.get("page")) or 1, 1)
    rows, total, standing = service.list_objectives(
        session=session,
        by=user,
        filters=filters,
        today=today,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    export = {k: v for k, v in kept.items() if k in ("year", "department_id", "status")}
    return render(
        request,
        "objectives/list.html",
        {
            **LABELS,
            "rows": rows,
            "standing": standing,
            "total": total,
            "page": page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "filters": kept,
            "as_of": filters.as_of,
            "export_query": ("?" + urlencode(export)) if export else "",
            "report_year": filters.year or today.year,
            "people": service.people_named(session=session, ids=[o.owner_id for o in rows]),
            "departments": auth.list_departments(session=session),
            "statuses": list(Status),
            "standings": list(PeriodStatus),
        },
    )


# --- setting an objective ---------------------------------------------------------------


def _objective_form_context(session, **extra):
    return {
        **LABELS,
        "departments": auth.list_departments(session=session),
        "people": auth.user_names(session=session),
        **extra,
    }


@router.get("/objectives/new")
def new_form(request: Request, session: SessionDep, user: PageUser, settings: SettingsDep):
    require(user, "objective.create")
    year = settings.today().year
    return render(
        request,
        "objectives/new.html",
        _objective_form_context(session, form={"year": str(year), "due_on": f"{year}-12-31"}),
    )


def _objective_fields(data) -> dict:
    return {
        "title": str(data.get("title", "")),
        "department_id": _int(data.get("department_id")),
        "owner_id": _int(data.get("owner_id")),
        "plan": str(data.get("plan", "")),
        "resources": str(data.get("resources", "")),
        "responsible": str(data.get("responsible", "")),
        "due_on": _date(data.get("due_on"), "due_on"),
        "evaluation": str(data.get("evaluation", "")),
    }


@router.post("/objectives")
async def create(request: Request, session: SessionDep, user: PageUser):
    data = await form_data(request)
    try:
        year = _int(data.get("year"))
        if year is None:
            raise Invalid("Enter the year of the objective.", field="year")
        objective = service.create_objective(
            session=session, by=user, year=year, **_objective_fields(data)
        )
    except QMSError as exc:
        session.rollback()
        return refused(
            request, "objectives/new.html", exc, _objective_form_context(session, form=data)
        )
    return redirect(
        request, f"/objectives/{objective.id}", flash=N_("The objective was set as a draft.")
    )


# --- the objective ----------------------------------------------------------------------


def _objective_context(session, objective, user, settings, **extra) -> dict:
    indicators = service.indicators_of(session=session, objective=objective)
    found = service.standings(
        session=session, objective_ids=[objective.id], as_of=settings.today()
    )[objective.id]
    status = Status(objective.status)
    # Exactly the forms this viewer may use now, asked of the actions' own declarations;
    # putting in force is offered to a draft without indicators, to say what it lacks.
    may = allowed_now(FORMS, user, objective, session=session)
    refused_activation = ACTIVATE.refusal(user, objective, session=session)
    may["activate"] = refused_activation is None or refused_activation.field == "indicators"
    people = service.people_named(
        session=session,
        ids=[objective.owner_id, objective.created_by_id] + [i.data_owner_id for i in indicators],
    )
    may_edit = can(user, "objective.edit", objective)
    return {
        **LABELS,
        "objective": objective,
        "department": auth.get_department(session=session, department_id=objective.department_id)
        if objective.department_id
        else None,
        "indicators": indicators,
        "ytd": found,
        "standing": service.standing_of(found),
        "people": people,
        "may": may,
        "life": {
            "evaluated": status in EVALUATED,
            "cancelled": status is Status.cancelled,
            "draft": status is Status.draft,
        },
        "departments": auth.list_departments(session=session),
        "names": auth.user_names(session=session) if may_edit else [],
        "kinds": list(Kind),
        "directions": list(Direction),
        "frequencies": list(Frequency),
        "form_name": None,
        **extra,
    }


@router.get("/objectives/{objective_id}")
def objective_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    return render(
        request,
        "objectives/record.html",
        _objective_context(session, service.read(by=user, record=objective), user, settings),
    )


def _objective_refused(request, session, user, settings, objective_id, exc, form_name, data):
    session.rollback()
    if exc.field not in OBJECTIVE_FORMS[form_name]:
        exc.field = None
    objective = service.get_objective(session=session, objective_id=objective_id)
    context = _objective_context(session, objective, user, settings, form=data, form_name=form_name)
    return refused(request, "objectives/record.html", exc, context)


@router.post("/objectives/{objective_id}/edit")
async def edit(
    request: Request,
    session: SessionDep,
    user: PageUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        service.update_objective(
            session=session,
            objective=objective,
            by=user,
            version=_int(data.get("version")),
            **_objective_fields(data),
        )
    except QMSError as exc:
        return _objective_refused(request, session, user, settings, objective.id, exc, "edit", data)
    return redirect(request, f"/objectives/{objective.id}", flash=N_("The objective was saved."))


@router.post("/objectives/{objective_id}/activate")
async def activate(
    request: Request,
    session: SessionDep,
    user: PageUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(VersionOnly, data)
        service.activate(session=session, objective=objective, by=user, version=body.version)
    except QMSError as exc:
        return _objective_refused(
            request, session, user, settings, objective.id, exc, "activate", data
        )
    return redirect(
        request, f"/objectives/{objective.id}", flash=N_("The objective is now in force.")
    )


@router.post("/objectives/{objective_id}/evaluate")
async def evaluate(
    request: Request,
    session: SessionDep,
    user: PageUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(Evaluation, data)
        service.evaluate(
            session=session,
            objective=objective,
            by=user,
            result=body.result.value,
            comment=body.comment,
            version=body.version,
        )
    except QMSError as exc:
        return _objective_refused(
            request, session, user, settings, objective.id, exc, "evaluate", data
        )
    return redirect(
        request, f"/objectives/{objective.id}", flash=N_("The evaluation was recorded.")
    )


@router.post("/objectives/{objective_id}/cancel")
async def cancel(
    request: Request,
    session: SessionDep,
    user: PageUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        body = parse(Cancellation, data)
        service.cancel(
            session=session,
            objective=objective,
            by=user,
            reason=body.reason,
            version=body.version,
        )
    except QMSError as exc:
        return _objective_refused(
            request, session, user, settings, objective.id, exc, "cancel", data
        )
    return redirect(
        request, f"/objectives/{objective.id}", flash=N_("The objective was cancelled.")
    )


@router.post("/objectives/{objective_id}/indicators")
async def add_indicator(
    request: Request,
    session: SessionDep,
    user: PageUser,
    objective: CurrentObjective,
    settings: SettingsDep,
):
    data = await form_data(request)
    try:
        target = _number(data.get("target"), "target")
        if target is None:
            raise Invalid("Enter the target as a number.", field="target")
        indicator = service.add_indicator(
            session=session,
            objective=objective,
            by=user,
            name=str(data.get("name", "")),
            unit=str(data.get("unit", "")),
            kind=str(data.get("kind", "")),
            direction=str(data.get("direction", "")),
            target=target,
            at_risk_margin=_number(data.get("at_risk_margin"), "at_risk_margin") or 0.0,
            frequency=str(data.get("frequency", "")),
            data_owner_id=_int(data.get("data_owner_id")),
        )
    except QMSError as exc:
        return _objective_refused(
            request, session, user, settings, objective.id, exc, "indicator", data
        )
    return redirect(request, f"/indicators/{indicator.id}", flash=N_("The indicator was added."))


# --- the indicator ----------------------------------------------------------------------


def _indicator_context(request, session, indicator, user, **extra) -> dict:
    objective = service.objective_of(session=session, indicator=indicator)
    measurements = service.measurements_of(session=session, indicator=indicator)
    lang = request_lang(request, user)
    svg = chart.chart_svg(
        indicator=indicator,
        year=objective.year,
        measurements=measurements,
        gettext=gettext_for(lang),
        lang=lang,
    )
    may_enter = ENTER_FIGURES.refusal(user, objective, session=session, subject=indicator) is None
    may_raise = can(user, "measurement.raise_nonconformity", (indicator, objective))
    missed = {m.id for m in measurements if m.status == PeriodStatus.missed}
    entered = {m.period for m in measurements}
    nc_codes = {}
    raised = [m.nonconformity_id for m in measurements if m.nonconformity_id]
    if raised:
        from qms.nonconformities import service as nonconformities

        for nc_id in raised:
            nc_codes[nc_id] = nonconformities.get_nonconformity(
                session=session, nonconformity_id=nc_id
            ).code
    return {
        **LABELS,
        "indicator": indicator,
        "objective": objective,
        "measurements": measurements,
        "ytd": service.year_to_date(indicator, measurements),
        # Made by an autoescaping template (chart.svg.xml): every text in it is escaped.
        "chart": Markup(svg),  # noqa: S704
        "people": service.people_named(
            session=session,
            ids=[indicator.data_owner_id, objective.owner_id]
            + [m.entered_by_id for m in measurements],
        ),
        "open_periods": [
            p
            for p, _s, _e in service.periods_of(indicator.frequency, objective.year)
            if p not in entered
        ],
        "nc_codes": nc_codes,
        "missed": missed,
        "may": {
            "enter": may_enter,
            # The missed periods a nonconformity may be raised for (none raised yet).
            "raise": {
                m.id
                for m in measurements
                if may_raise and m.id in missed and not m.nonconformity_id
            },
        },
        "severities": list(Severity),
        "form_name": None,
        "form_measurement_id": None,
        **extra,
    }


@router.get("/indicators/{indicator_id}")
def indicator_page(
    request: Request, session: SessionDep, user: PageUser, indicator: CurrentIndicator
):
    return render(
        request,
        "objectives/indicator.html",
        _indicator_context(request, session, service.read(by=user, record=indicator), user),
    )


def _indicator_refused(request, session, user, indicator_id, exc, form_name, data, **extra):
    session.rollback()
    if exc.field not in INDICATOR_FORMS[form_name]:
        # An import's refusal names its row and column in the message itself.
        exc.field = "file" if form_name == "import" else None
    indicator = service.get_indicator(session=session, indicator_id=indicator_id)
    context = _indicator_context(
        request, session, indicator, user, form=data, form_name=form_name, **extra
    )
    return refused(request, "objectives/indicator.html", exc, context)


@router.post("/indicators/{indicator_id}/measurements")
async def enter_measurement(
    request: Request,
    session: SessionDep,
    user: PageUser,
    indicator: CurrentIndicator,
):
    data = await form_data(request)
    try:
        service.enter_measurement(
            session=session,
            indicator=indicator,
            by=user,
            period=str(data.get("period", "")),
            numerator=_number(data.get("numerator"), "numerator", whole=True),
            denominator=_number(data.get("denominator"), "denominator", whole=True),
            value=_number(data.get("value"), "value"),
            note=str(data.get("note", "")),
        )
    except QMSError as exc:
        return _indicator_refused(request, session, user, indicator.id, exc, "measure", data)
    return redirect(request, f"/indicators/{indicator.id}", flash=N_("The figures were recorded."))


@router.post("/indicators/{indicator_id}/import")
async def import_file(
    request: Request,
    session: SessionDep,
    user: PageUser,
    indicator: CurrentIndicator,
    settings: SettingsDep,
):
    data = await form_data(request)
    upload = data.pop("file", None)
    try:
        require(user, "measurement.enter", indicator)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid("Choose a CSV or Excel file.", field="file")
        content = await upload.read(settings.upload_max_bytes + 1)
        if len(content) > settings.upload_max_bytes:
            raise Invalid("The file is too large.", field="file")
        importer.import_file(
            session=session,
            indicator=indicator,
            by=user,
            content=content,
            filename=upload.filename,
        )
    except QMSError as exc:
        return _indicator_refused(request, session, user, indicator.id, exc, "import", data)
    return redirect(
        request, f"/indicators/{indicator.id}", flash=N_("The figures of the file were imported.")
    )


@router.post("/measurements/{measurement_id}/correct")
async def correct(
    request: Request, session: SessionDep, user: PageUser, measurement: CurrentMeasurement
):
    data = await form_data(request)
    indicator_id = measurement.indicator_id
    try:
        service.correct_measurement(
            session=session,
            measurement=measurement,
            by=user,
            reason=str(data.get("reason", "")),
            version=_int(data.get("version")),
            numerator=_number(data.get("numerator"), "numerator", whole=True),
            denominator=_number(data.get("denominator"), "denominator", whole=True),
            value=_number(data.get("value"), "value"),
            note=str(data["note"]) if "note" in data else None,
        )
    except QMSError as exc:
        return _indicator_refused(
            request,
            session,
            user,
            indicator_id,
            exc,
            "correct",
            data,
            form_measurement_id=measurement.id,
        )
    return redirect(request, f"/indicators/{indicator_id}", flash=N_("The figures were corrected."))


@router.post("/measurements/{measurement_id}/nonconformity")
async def raise_nonconformity(
    request: Request,
    session: SessionDep,
    user: PageUser,
    measurement: CurrentMeasurement,
    settings: SettingsDep,
):
    data = await form_data(request)
    indicator_id = measurement.indicator_id
    try:
        nc = service.raise_nonconformity(
            session=session,
            measurement=measurement,
            by=user,
            today=settings.today(),
            description=str(data.get("description", "")),
            severity=str(data.get("severity", "minor")),
        )
    except QMSError as exc:
        return _indicator_refused(
            request,
            session,
            user,
            indicator_id,
            exc,
            "raise",
            data,
            form_measurement_id=measurement.id,
        )
    return redirect(request, f"/nonconformities/{nc.id}", flash=N_("The nonconformity was raised."))


# --- the register of measured periods ---------------------------------------------------


@router.get("/indicators")
def periods(request: Request, session: SessionDep, user: PageUser):
    """Every measured period, filtered by result, the window its period ended in, department."""
    query = request.query_params
    kept: dict[str, str] = {}
    status = query.get("status", "")
    if status in {s.value for s in PeriodStatus}:
        kept["status"] = status
    else:
        status = None
    bounds = {}
    for name in ("ended_from", "ended_to"):
        try:
            bounds[name] = date.fromisoformat(query.get(name, ""))
            kept[name] = bounds[name].isoformat()
        except ValueError:
            bounds[name] = None
    department_id = _int(query.get("department_id"))
    if department_id is not None and 0 < department_id < 2**31:
        kept["department_id"] = str(department_id)
    else:
        department_id = None
    page = max(_int(query.get("page")) or 1, 1)
    rows, total = service.list_periods(
        session=session,
        by=user,
        filters=service.PeriodFilters(status=status, department_id=department_id, **bounds),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "objectives/periods.html",
        {
            **LABELS,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "filters": kept,
            "departments": auth.list_departments(session=session),
            "standings": list(PeriodStatus),
        },
    )


# --- the home page ----------------------------------------------------------------------


@panel_provider
def objective_panels(session, user, today: date) -> list[Panel]:
    if not user.has_role(Role.quality_officer):
        return []
    found = service.at_risk_or_missed(session=session, today=today)
    return [
        Panel(
            N_("Objectives at risk or missed"),
            [
                (N_("Objectives missing their target"), len(found[PeriodStatus.missed])),
                (N_("Objectives at risk"), len(found[PeriodStatus.at_risk])),
            ],
            url="/objectives?in_force=true&standing=missed"
            if found[PeriodStatus.missed]
            else "/objectives?in_force=true&standing=at_risk",
        )
    ]
