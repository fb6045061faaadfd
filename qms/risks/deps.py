"""The register entry or treatment action a route names, loaded once for the API and the
pages (404 if none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.deps import IdPath, SessionDep
from qms.risks import service
from qms.risks.models import Risk, RiskAction


def risk_of(risk_id: IdPath, session: SessionDep) -> Risk:
    return service.get_risk(session=session, risk_id=risk_id)


def action_of(action_id: IdPath, session: SessionDep) -> RiskAction:
    return service.get_action(session=session, action_id=action_id)


CurrentRisk = Annotated[Risk, Depends(risk_of)]
CurrentRiskAction = Annotated[RiskAction, Depends(action_of)]
