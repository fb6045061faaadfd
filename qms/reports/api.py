"""JSON API of kept records: POST /verify, public, tells whether a PDF is an unaltered
record of this system and whether its signature holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile

from qms.deps import SessionDep, SettingsDep
from qms.pages import gettext_for, request_lang
from qms.reports import service
from qms.reports.models import VerificationPublic

router = APIRouter(tags=["records"])


@router.post("/verify", response_model=VerificationPublic)
def verify(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File(description="The PDF to check")] = None,
):
    """No sign-in: anyone holding a PDF record may check it. Answers `unaltered` (byte for
    byte a kept record), `signature_valid` and which record it is (or claims to be)."""
    data = service.read_upload(file.file if file else None, max_bytes=settings.upload_max_bytes)
    result = service.verify(session=session, data=data)
    return service.verification_public(result, gettext_for(request_lang(request)))
