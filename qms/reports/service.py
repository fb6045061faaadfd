"""Kept PDF records: one path that signs a record's PDF and keeps it with its hash
(`keep_signed`), serves it back (`kept_file`), and tells whether a PDF someone holds is an
unaltered record of this system (`verify`)."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import literal
from sqlmodel import Session, col, select

from qms.config import Settings
from qms.db import remove_unless_committed
from qms.errors import NotFound, Unavailable
from qms.i18n import N_
from qms.reports import signing
from qms.reports.models import KeptRecord

log = logging.getLogger("qms.reports")


@dataclass(frozen=True)
class Kind:
    label: str  # msgid of what the record is
    path: str  # its page, with {id}


# Every kind of kept record. A new one is a line here (its domain then calls keep_signed).
KINDS = {
    "audit_report": Kind(N_("Internal audit report"), "/audits/{id}"),
    "nonconformity_form": Kind(
        N_("Nonconformity and corrective action form"), "/nonconformities/{id}"
    ),
    "controlled_copy": Kind(N_("Controlled copy"), "/revisions/{id}"),
    "management_review_minutes": Kind(N_("Management review minutes"), "/management-reviews/{id}"),
}
# What the signature panel of a PDF reader shows beside the signature.
SIGNED_BY = N_("Digitally signed by")
SIGNED_AT = N_("Signed at")


def signature_block(settings: Settings) -> dict:
    """The context of templates/pdf/_signature_block.html for a record about to be kept."""
    return {
        "organisation": settings.organisation,
        "verify_url": settings.base_url.rstrip("/") + "/verify",
    }


def _store(session: Session, files_dir: Path, data: bytes) -> str:
    """Keep the bytes under their SHA-256 in the data directory; whole or not at all, and
    removed again if the transaction does not commit."""
    files_dir.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256(data).hexdigest()
    target = files_dir / sha256
    if not target.exists():
        remove_unless_committed(session, target)
        handle, temp = tempfile.mkstemp(dir=files_dir, prefix=".record-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        finally:
            Path(temp).unlink(missing_ok=True)
    return sha256


def current(*, session: Session, record_kind: str, record_id: int) -> KeptRecord | None:
    """The kept file that stands for the record now (the latest, not replaced)."""
    return session.exec(
        select(KeptRecord)
        .where(
            KeptRecord.record_kind == record_kind,
            KeptRecord.record_id == record_id,
            col(KeptRecord.replaced_by_id).is_(None),
        )
        .order_by(col(KeptRecord.id).desc())
    ).first()


def keep_signed(
    *,
    session: Session,
    settings: Settings,
    record_kind: str,
    record_id: int,
    record_code: str,
    pdf_bytes: bytes,
    by=None,
) -> KeptRecord:
    """Sign a record's rendered PDF with the organisation's certificate and keep it, with its
    SHA-256, as the record's kept file (a kept_record row; the record's own trail event, in
    the caller's state change, names the file); an earlier kept file of the same record is
    marked as replaced by it. Call it in the transaction that moves the record to its state,
    after the render: a failure (503) leaves nothing kept. The template should include
    pdf/_signature_block.html (see qms.reports.signing)."""
    kind = KINDS[record_kind]
    reason = f"{_translated(kind.label, settings.lang)} {record_code}"
    try:
        signed = signing.sign_pdf(
            pdf_bytes,
            settings=settings,
            reason=reason,
            labels={
                "signed_by": _translated(SIGNED_BY, settings.lang),
                "signed_at": _translated(SIGNED_AT, settings.lang),
            },
        )
    except signing.SettingsError as exc:  # the key file went missing or changed since start-up
        log.error("signing %s %s: %s", record_kind, record_code, exc)
        raise Unavailable(
            "The organisation's signing certificate cannot be used now. Nothing was saved: "
            "tell the administrator (QMS_SIGNING_P12)."
        ) from None
    except Exception as exc:  # the time-stamp service, a PDF pyHanko cannot update
        log.error("signing %s %s failed: %s", record_kind, record_code, type(exc).__name__)
        raise Unavailable(
            "The PDF record could not be signed. Nothing was saved: try again, and tell the "
            "administrator if it happens again."
        ) from None
    sha256 = _store(session, settings.files_dir, signed.data)
    before = current(session=session, record_kind=record_kind, record_id=record_id)
    kept = session.exec(select(KeptRecord).where(KeptRecord.sha256 == sha256)).first()
    if kept is None:
        kept = KeptRecord(
            record_kind=record_kind,
            record_id=record_id,
            record_code=record_code[:100],
            sha256=sha256,
            size=len(signed.data),
            kept_by_id=getattr(by, "id", None),
            certificate_sha256=signed.fingerprint,
        )
        session.add(kept)
        session.flush()
    if before is not None and before.id != kept.id:
        before.replaced_by_id = kept.id
        session.add(before)
    session.flush()
    return kept


def _translated(message: str, lang: str) -> str:
    from qms.i18n import gettext

    return gettext(lang, message)


def kept_file(*, settings: Settings, kept: KeptRecord) -> bytes:
    """The kept bytes, refused (503) if missing or no longer matching their SHA-256."""
    path = settings.files_dir / kept.sha256
    try:
        data = path.read_bytes()
    except OSError:
        raise Unavailable(
            "The kept file %(sha256)s is missing from the data directory; restore it from a "
            "backup.",
            sha256=kept.sha256,
        ) from None
    if hashlib.sha256(data).hexdigest() != kept.sha256:
        raise Unavailable(
            "The kept file %(sha256)s no longer matches its SHA-256; it is withheld until it is "
            "restored from a backup.",
            sha256=kept.sha256,
        )
    return data


def current_file(*, session: Session, settings: Settings, record_kind: str, record_id: int):
    """(bytes, kept row) of the record's current kept file, or NotFound."""
    kept = current(session=session, record_kind=record_kind, record_id=record_id)
    if kept is None:
        raise NotFound("This record has no kept PDF yet.")
    return kept_file(settings=settings, kept=kept), kept


# --- verification -------------------------------------------------------------------------

VERDICTS = {
    "valid": N_(
        "This file is an unaltered record of this system, and its digital signature holds."
    ),
    "replaced": N_(
        "This file is an unaltered record of this system and its signature holds, but a later "
        "kept copy replaces it (for a controlled copy: it is no longer in force)."
    ),
    "signature_invalid": N_(
        "This file matches a kept record byte for byte, but its digital signature does not "
        "hold: tell the quality officer."
    ),
    "altered": N_(
        "This file was changed after it was signed: it is not the kept record. Ask for the "
        "record from the system again."
    ),
    "foreign": N_("This PDF is not a record kept by this system."),
    "not_pdf": N_("This file is not a PDF. Upload a PDF record downloaded from this system."),
}


@dataclass(frozen=True)
class Verification:
    verdict: str
    sha256: str
    size: int
    record: KeptRecord | None  # the kept record it is, or claims to be
    unaltered: bool
    signature_valid: bool
    signer: str | None
    signed_at: datetime | None

    @property
    def message(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def ok(self) -> bool:
        return self.unaltered and self.signature_valid


def _claimed(session: Session, data: bytes) -> KeptRecord | None:
    """The kept record an altered file was made from: the signed part of a file with
    something appended, or the record named in the signature's reason."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        import io

        embedded = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if not embedded:
            return None
        signature = embedded[-1]
        byte_range = list(signature.sig_object["/ByteRange"])
        end = int(byte_range[2]) + int(byte_range[3])
        prefix = hashlib.sha256(data[:end]).hexdigest()
        found = session.exec(select(KeptRecord).where(KeptRecord.sha256 == prefix)).first()
        if found is not None:
            return found
        reason = str(signature.sig_object.get("/Reason", ""))
    except Exception:  # a file too damaged to read names no record
        return None
    if not reason:
        return None
    return session.exec(
        select(KeptRecord)
        .where(literal(reason).endswith(col(KeptRecord.record_code)))
        .order_by(col(KeptRecord.id).desc())
    ).first()


def verify(*, session: Session, data: bytes) -> Verification:
    """Whether `data` is an unaltered record kept by this system (its SHA-256 is a kept
    file's) and whether its signature holds (pyHanko's validator, trusting only the
    certificate that record was signed with)."""
    sha256 = hashlib.sha256(data).hexdigest()
    kept = session.exec(select(KeptRecord).where(KeptRecord.sha256 == sha256)).first()

    def answer(verdict, record, check, unaltered=False):
        return Verification(
            verdict=verdict,
            sha256=sha256,
            size=len(data),
            record=record,
            unaltered=unaltered,
            signature_valid=bool(check and check.valid),
            signer=check.subject if check else None,
            signed_at=check.signed_at if check else None,
        )

    if not data.startswith(b"%PDF-"):
        return answer("not_pdf", None, None)
    if kept is not None:
        check = signing.check_signature(data, trusted={kept.certificate_sha256})
        if not check.valid:
            return answer("signature_invalid", kept, check, unaltered=True)
        verdict = "replaced" if kept.replaced_by_id else "valid"
        return answer(verdict, kept, check, unaltered=True)
    claimed = _claimed(session, data)
    trusted = {claimed.certificate_sha256} if claimed else _certificates(session)
    check = signing.check_signature(data, trusted=trusted)
    if claimed is not None:
        return answer("altered", claimed, check)
    return answer("foreign", None, check)


def _certificates(session: Session) -> set[str]:
    return set(session.exec(select(KeptRecord.certificate_sha256).distinct()).all())


def record_url(kept: KeptRecord) -> str:
    return KINDS[kept.record_kind].path.format(id=kept.record_id)


def verification_public(result: Verification, gettext) -> dict:
    """The answer as the API gives it (and the page shows it)."""
    record = None
    if result.record is not None:
        kept = result.record
        record = {
            "kind": kept.record_kind,
            "kind_label": gettext(KINDS[kept.record_kind].label),
            "id": kept.record_id,
            "code": kept.record_code,
            "url": record_url(kept),
            "kept_at": kept.kept_at,
            "sha256": kept.sha256,
            "current": kept.replaced_by_id is None,
        }
    return {
        "verdict": result.verdict,
        "message": gettext(result.message),
        "unaltered": result.unaltered,
        "signature_valid": result.signature_valid,
        "sha256": result.sha256,
        "size": result.size,
        "record": record,
        "signer": result.signer,
        "signed_at": result.signed_at,
    }


def read_upload(stream, *, max_bytes: int) -> bytes:
    """The uploaded file's bytes, counted while reading: 413 past the upload limit, 422 if
    there is no file or it is empty."""
    from qms.errors import Invalid, TooLarge

    if stream is None:
        raise Invalid("Choose the PDF file to check.", field="file")
    chunks, size = [], 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(
                "The file is larger than %(max)s MB.", max=round(max_bytes / 1024 / 1024, 1)
            )
        chunks.append(chunk)
    if not size:
        raise Invalid("The file is empty.", field="file")
    return b"".join(chunks)


# --- many kept records at once (the certification evidence pack) ------------------------

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class KeptFile:
    """What a listing of many kept files needs of each (not the ORM row: a pack may list
    tens of thousands)."""

    id: int
    record_kind: str
    record_id: int
    record_code: str
    sha256: str
    size: int
    kept_at: datetime


def current_for(
    *, session: Session, record_kind: str, record_ids: list[int]
) -> dict[int, KeptFile]:
    """The current kept file of each of the records that has one, by record id."""
    found: dict[int, KeptFile] = {}
    ids = sorted(set(record_ids))
    for at in range(0, len(ids), 500):
        rows = session.exec(
            select(
                KeptRecord.id,
                KeptRecord.record_kind,
                KeptRecord.record_id,
                KeptRecord.record_code,
                KeptRecord.sha256,
                KeptRecord.size,
                KeptRecord.kept_at,
            ).where(
                KeptRecord.record_kind == record_kind,
                col(KeptRecord.record_id).in_(ids[at : at + 500]),
                col(KeptRecord.replaced_by_id).is_(None),
            )
        ).all()
        for row in rows:
            kept = KeptFile(*row)
            if kept.record_id not in found or kept.id > found[kept.record_id].id:
                found[kept.record_id] = kept
    return found


def kept_file_intact(*, settings: Settings, kept: KeptRecord | KeptFile) -> bool:
    """Whether the kept file is there and still matches its SHA-256, read in chunks."""
    digest = hashlib.sha256()
    try:
        with (settings.files_dir / kept.sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == kept.sha256


def kept_path(*, settings: Settings, kept: KeptRecord | KeptFile) -> Path:
    """Where the kept file lies (check it with kept_file_intact before serving it)."""
    return settings.files_dir / kept.sha256
