"""The nonconformity a route names, loaded once for the API and the pages (404 if none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.deps import IdPath, SessionDep
from qms.nonconformities import service
from qms.nonconformities.models import CorrectiveAction, Nonconformity


def nonconformity_of(nonconformity_id: IdPath, session: SessionDep) -> Nonconformity:
    return service.get_nonconformity(session=session, nonconformity_id=nonconformity_id)


def action_of(action_id: IdPath, session: SessionDep) -> CorrectiveAction:
    return service.get_action(session=session, action_id=action_id)


CurrentNonconformity = Annotated[Nonconformity, Depends(nonconformity_of)]
CurrentAction = Annotated[CorrectiveAction, Depends(action_of)]
