"""The audit, checklist item or attachment a route names, loaded once for the API and the
pages (404 if none); what the caller may do with it is the service's to say."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.audits import service
from qms.audits.models import Audit, ChecklistAttachment, ChecklistItem
from qms.deps import IdPath, SessionDep


def audit_of(audit_id: IdPath, session: SessionDep) -> Audit:
    return service.get_audit(session=session, audit_id=audit_id)


def item_of(item_id: IdPath, session: SessionDep) -> ChecklistItem:
    return service.get_item(session=session, item_id=item_id)


def attachment_of(attachment_id: IdPath, session: SessionDep) -> ChecklistAttachment:
    return service.get_attachment(session=session, attachment_id=attachment_id)


CurrentAudit = Annotated[Audit, Depends(audit_of)]
CurrentItem = Annotated[ChecklistItem, Depends(item_of)]
CurrentAttachment = Annotated[ChecklistAttachment, Depends(attachment_of)]
