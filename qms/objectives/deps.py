"""The objective, indicator or measurement a route names, loaded once for the API and the
pages (404 if none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.deps import IdPath, SessionDep
from qms.objectives import service
from qms.objectives.models import Indicator, Measurement, Objective


def objective_of(objective_id: IdPath, session: SessionDep) -> Objective:
    return service.get_objective(session=session, objective_id=objective_id)


def indicator_of(indicator_id: IdPath, session: SessionDep) -> Indicator:
    return service.get_indicator(session=session, indicator_id=indicator_id)


def measurement_of(measurement_id: IdPath, session: SessionDep) -> Measurement:
    return service.get_measurement(session=session, measurement_id=measurement_id)


CurrentObjective = Annotated[Objective, Depends(objective_of)]
CurrentIndicator = Annotated[Indicator, Depends(indicator_of)]
CurrentMeasurement = Annotated[Measurement, Depends(measurement_of)]
