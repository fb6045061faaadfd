"""The document or revision a route names, loaded once for the API and the pages (404 if
none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.deps import IdPath, SessionDep
from qms.documents import service
from qms.documents.models import ControlledDocument, Revision


def document_of(document_id: IdPath, session: SessionDep) -> ControlledDocument:
    return service.get_document(session=session, document_id=document_id)


def revision_of(revision_id: IdPath, session: SessionDep) -> Revision:
    return service.get_revision(session=session, revision_id=revision_id)


CurrentDocument = Annotated[ControlledDocument, Depends(document_of)]
CurrentRevision = Annotated[Revision, Depends(revision_of)]
