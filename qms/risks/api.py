"""JSON API of the risks-and-opportunities register: entries, treatment, actions,
re-assessment, the heat map, links, the context lists and the exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from qms.auth.permissions import require
from qms.config import Settings
from qms.deps import MAX_ID, CurrentUser, IdPath, SessionDep, SettingsDep
from qms.errors import Invalid
from qms.pages import request_lang
from qms.risks import exports, pdf, service
from qms.risks.deps import CurrentRisk, CurrentRiskAction
from qms.risks.models import (
    BAND_OF,
    ActionCompletion,
    ActionCreate,
    AssessmentPublic,
    ContextIssueCreate,
    ContextIssuePublic,
    ContextLists,
    ContextNaming,
    HeatCell,
    InterestedPartyCreate,
    InterestedPartyPublic,
    Kind,
    Level,
    LinkCreate,
    LinkPublic,
    Reassessment,
    Risk,
    RiskActionPublic,
    RiskClosure,
    RiskCreate,
    RiskDetail,
    RiskPublic,
    TreatmentDecision,
)
from qms.risks.states import Status

router = APIRouter(tags=["risks"])

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Rating = Annotated[int | None, Query(ge=1, le=5)]
# A day as YYYY-MM-DD only (a bare number would otherwise be read as a Unix time).
DateQuery = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-01-31"])]


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("Enter the date as YYYY-MM-DD.", field=field) from None


def register_filters(
    kind: Kind | None = None,
    level: Level | None = None,
    min_level: Level | None = None,
    department_id: IdQuery = None,
    status: Status | None = None,
    active: bool = False,
    overdue_review: bool | None = None,
    likelihood: Rating = None,
    impact: Rating = None,
    owner_id: IdQuery = None,
    action_owner_id: IdQuery = None,
    raised_from: DateQuery = None,
    raised_to: DateQuery = None,
    assessed_from: DateQuery = None,
    assessed_to: DateQuery = None,
    closed_from: DateQuery = None,
    closed_to: DateQuery = None,
    action_done_from: DateQuery = None,
    action_done_to: DateQuery = None,
    lowered_from: DateQuery = None,
    lowered_to: DateQuery = None,
) -> service.Filters:
    """The register's filters from the query string (the same names the pages use)."""
    return service.Filters(
        kind=kind.value if kind else None,
        level=level.value if level else None,
        min_level=min_level.value if min_level else None,
        department_id=department_id,
        status=status.value if status else None,
        active=active,
        overdue_review=overdue_review,
        likelihood=likelihood,
        impact=impact,
        owner_id=owner_id,
        action_owner_id=action_owner_id,
        raised_from=_day(raised_from, "raised_from"),
        raised_to=_day(raised_to, "raised_to"),
        assessed_from=_day(assessed_from, "assessed_from"),
        assessed_to=_day(assessed_to, "assessed_to"),
        closed_from=_day(closed_from, "closed_from"),
        closed_to=_day(closed_to, "closed_to"),
        action_done_from=_day(action_done_from, "action_done_from"),
        action_done_to=_day(action_done_to, "action_done_to"),
        lowered_from=_day(lowered_from, "lowered_from"),
        lowered_to=_day(lowered_to, "lowered_to"),
    )


FiltersDep = Annotated[service.Filters, Depends(register_filters)]


def _publics(risks: list[Risk], today: date) -> list[RiskPublic]:
    return [
        RiskPublic(
            **risk.model_dump(exclude={"created_at", "updated_at"}),
            colour=BAND_OF[Level(risk.level)].colour,
            review_overdue=service.review_overdue(risk, today),
        )
        for risk in risks
    ]


def detail(session: Session, risk: Risk, settings: Settings) -> RiskDetail:
    today = settings.today()
    history = service.history_of(session=session, risk=risk)
    actions = service.actions_of(session=session, risk=risk)
    people = service.people_named(
        session=session,
        ids=[h.assessed_by_id for h in history] + [a.owner_id for a in actions],
    )
    links = []
    for link in service.links_of(session=session, risk=risk):
        label, href = service.link_label(session=session, link=link)
        links.append(
            LinkPublic(
                id=link.id,
                target=link.target,
                target_id=link.target_id,
                relation=link.relation,
                label=label,
                href=href,
            )
        )
    return RiskDetail(
        **_publics([risk], today)[0].model_dump(),
        cause=risk.cause,
        consequence=risk.consequence,
        clauses=list(risk.clauses or []),
        justification=risk.justification,
        closed_on=risk.closed_on,
        close_reason=risk.close_reason,
        history=[
            AssessmentPublic(
                **h.model_dump(exclude={"assessed_at", "risk_id"}),
                assessed_by_name=people[h.assessed_by_id].full_name,
            )
            for h in history
        ],
        actions=[_action_public(a, people, today) for a in actions],
        links=links,
        issue_ids=service.issue_ids_of(session=session, risk=risk),
        party_ids=service.party_ids_of(session=session, risk=risk),
    )


def _action_public(action, people, today: date) -> RiskActionPublic:
    return RiskActionPublic(
        id=action.id,
        risk_id=action.risk_id,
        description=action.description,
        owner_id=action.owner_id,
        owner_name=people[action.owner_id].full_name,
        due_on=action.due_on,
        done_on=action.done_on,
        evidence=action.evidence,
        overdue=action.done_on is None and action.due_on < today,
        status=action.status,
        version=action.version,
    )


@router.get("/risks", response_model=list[RiskPublic])
def list_risks(
    response: Response,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
):
    """The register, highest score first; the total matching is in the X-Total-Count header."""
    today = settings.today()
    rows, total = service.list_risks(
        session=session, by=user, filters=filters, today=today, limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(total)
    return _publics(rows, today)


@router.get("/risks/heatmap", response_model=list[HeatCell])
def heatmap(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    kind: Kind | None = None,
    department_id: IdQuery = None,
):
    """The 5×5 grid of active entries: count per likelihood × impact, with the level, its
    colour and the register filtered to the cell."""
    cells = service.heatmap(
        session=session,
        by=user,
        today=settings.today(),
        kind=kind.value if kind else None,
        department_id=department_id,
    )
    return [
        HeatCell(
            likelihood=c.likelihood,
            impact=c.impact,
            count=c.count,
            score=c.score,
            level=c.level.value,
            colour=c.colour,
            href=c.href,
        )
        for c in cells
    ]


def _export(kind: str, request, session, user, settings, filters):
    rows, _total = service.list_risks(
        session=session, by=user, filters=filters, today=settings.today(), limit=None
    )
    lang = request_lang(request, user)
    table = exports.register_rows(session=session, risks=rows, settings=settings, lang=lang)
    stamp = settings.today().isoformat()
    if kind == "csv":
        body, media_type = exports.to_csv(table), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(table, lang=lang, levels=[r.level for r in rows])
        media_type = exports.XLSX
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="risks-{stamp}.{kind}"'},
    )


@router.get("/risks.csv", response_class=Response)
def export_csv(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
):
    """The register, filtered as the list is, as CSV (UTF-8 with a byte-order mark)."""
    return _export("csv", request, session, user, settings, filters)


@router.get("/risks.xlsx", response_class=Response)
def export_xlsx(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
):
    """The register, filtered as the list is, as an Excel workbook."""
    return _export("xlsx", request, session, user, settings, filters)


@router.get(
    "/risks/register.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def register_pdf(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
):
    """The register of the year (entries raised that year or still active) with its heat
    map, as PDF."""
    lang = request_lang(request, user)
    year = year or settings.today().year
    body = await run_in_threadpool(
        pdf.register_pdf, session=session, by=user, settings=settings, year=year, lang=lang
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="risk-register-{year}.pdf"'},
    )


@router.get("/risk-context", response_model=ContextLists)
def context_lists(session: SessionDep, user: CurrentUser):
    """The context issues (4.1) and interested parties (4.2) the entries can name."""
    require(user, "risk.list")
    return ContextLists(
        issues=[
            ContextIssuePublic(**i.model_dump()) for i in service.context_issues(session=session)
        ],
        parties=[
            InterestedPartyPublic(**p.model_dump())
            for p in service.interested_parties(session=session)
        ],
    )


@router.post("/context-issues", status_code=201, response_model=ContextIssuePublic)
def add_context_issue(
    body: ContextIssueCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    issue = service.add_context_issue(
        session=session,
        by=user,
        kind=body.kind.value,
        title=body.title,
        description=body.description,
        today=settings.today(),
    )
    return ContextIssuePublic(**issue.model_dump())


@router.post("/interested-parties", status_code=201, response_model=InterestedPartyPublic)
def add_interested_party(
    body: InterestedPartyCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
):
    party = service.add_interested_party(
        session=session,
        by=user,
        name=body.name,
        requirements=body.requirements,
        today=settings.today(),
    )
    return InterestedPartyPublic(**party.model_dump())


@router.post("/risks", status_code=201, response_model=RiskDetail)
def raise_risk(body: RiskCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep):
    """Enter a risk or an opportunity, scored: likelihood × impact, its level from the
    banding table."""
    risk = service.raise_risk(session=session, by=user, today=settings.today(), **body.model_dump())
    return detail(session, risk, settings)


@router.get("/risks/{risk_id}", response_model=RiskDetail)
def get_risk(session: SessionDep, user: CurrentUser, risk: CurrentRisk, settings: SettingsDep):
    """The entry with its assessment history (inherent, then each residual), actions and links."""
    return detail(session, service.read(by=user, risk=risk), settings)


@router.post("/risks/{risk_id}/treatment", response_model=RiskDetail)
def decide_treatment(
    body: TreatmentDecision,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Choose the treatment: accept → monitored (a high or critical risk only by a manager of
    its department, with a justification); mitigate, avoid, transfer or pursue → treating."""
    risk = service.decide_treatment(
        session=session,
        risk=risk,
        by=user,
        treatment=body.treatment.value,
        justification=body.justification,
        version=body.version,
    )
    return detail(session, risk, settings)


@router.post("/risks/{risk_id}/actions", status_code=201, response_model=RiskDetail)
def plan_action(
    body: ActionCreate,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Plan a treatment action (owner, due date); a monitored entry goes back to treating."""
    service.plan_action(
        session=session, risk=risk, by=user, today=settings.today(), **body.model_dump()
    )
    return detail(session, risk, settings)


@router.post("/risk-actions/{action_id}/complete", response_model=RiskActionPublic)
def complete_action(
    body: ActionCompletion,
    session: SessionDep,
    user: CurrentUser,
    action: CurrentRiskAction,
    settings: SettingsDep,
):
    """The action's owner marks it done with its evidence; the last one done moves the entry
    to monitored."""
    service.complete_action(
        session=session,
        action=action,
        by=user,
        evidence=body.evidence,
        version=body.version,
        today=settings.today(),
    )
    people = service.people_named(session=session, ids=[action.owner_id])
    return _action_public(action, people, settings.today())


@router.post("/risks/{risk_id}/assess", response_model=RiskDetail)
def reassess(
    body: Reassessment,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Re-assess (residual likelihood × impact, with a comment), kept in the history; a
    stale version is refused with 409."""
    service.reassess(
        session=session, risk=risk, by=user, today=settings.today(), **body.model_dump()
    )
    return detail(session, risk, settings)


@router.post("/risks/{risk_id}/close", response_model=RiskDetail)
def close(
    body: RiskClosure,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Close a monitored entry, with the reason."""
    risk = service.close(
        session=session,
        risk=risk,
        by=user,
        reason=body.reason,
        version=body.version,
        today=settings.today(),
    )
    return detail(session, risk, settings)


@router.post("/risks/{risk_id}/links", status_code=201, response_model=RiskDetail)
def add_link(
    body: LinkCreate,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Link the nonconformity or the audit finding (checklist item) that revealed or
    realised the entry."""
    service.add_link(
        session=session,
        risk=risk,
        by=user,
        target=body.target.value,
        target_id=body.target_id,
        relation=body.relation.value,
    )
    return detail(session, risk, settings)


@router.delete("/risks/{risk_id}/links/{link_id}", response_model=RiskDetail)
def remove_link(
    link_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Remove a link made by mistake (the trail keeps it); the entry without it."""
    service.remove_link(session=session, risk=risk, by=user, link_id=link_id)
    return detail(session, risk, settings)


@router.put("/risks/{risk_id}/context", response_model=RiskDetail)
def name_context(
    body: ContextNaming,
    session: SessionDep,
    user: CurrentUser,
    risk: CurrentRisk,
    settings: SettingsDep,
):
    """Set the context issues and interested parties the entry names."""
    service.name_context(session=session, risk=risk, by=user, **body.model_dump())
    return detail(session, risk, settings)
