"""The evidence pack export a route names, loaded once for the API and the pages (404 if
none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.deps import IdPath, SessionDep
from qms.evidence import service
from qms.evidence.models import EvidenceExport


def export_of(export_id: IdPath, session: SessionDep) -> EvidenceExport:
    return service.get_export(session=session, export_id=export_id)


CurrentExport = Annotated[EvidenceExport, Depends(export_of)]
