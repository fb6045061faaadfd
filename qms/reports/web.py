"""Pages of kept records: /verify, public, where anyone checks a PDF record."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qms.deps import SessionDep, SettingsDep
from qms.errors import QMSError
from qms.pages import gettext_for, refused, render, request_lang, verify_csrf
from qms.reports import service

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/verify")
def verify_form(request: Request):
    return render(request, "reports/verify.html", {})


def _check(session, settings, upload) -> dict:
    data = service.read_upload(
        upload.file if upload is not None else None, max_bytes=settings.upload_max_bytes
    )
    return service.verify(session=session, data=data)


@router.post("/verify")
async def verify(request: Request, session: SessionDep, settings: SettingsDep):
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        upload = None
    try:
        result = await run_in_threadpool(partial(_check, session, settings, upload))
    except QMSError as exc:
        return refused(request, "reports/verify.html", exc, {})
    answer = service.verification_public(result, gettext_for(request_lang(request)))
    return render(
        request,
        "reports/verify.html",
        {"answer": answer, "filename": (upload.filename or "")[:200] if upload else ""},
    )
