"""Uploaded content files: the type read from the bytes, stored once under their SHA-256."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qms.errors import Conflict, Invalid
from qms.i18n import N_

FILE_TYPES = {
    "pdf": ("application/pdf", N_("PDF")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        N_("Word document"),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        N_("Excel workbook"),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", N_("OpenDocument text")),
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str
    type: str
    size: int
    created: bool = False  # written by this call (not already in the store)


def detect_type(data: bytes) -> str | None:
    """pdf, docx, xlsx or odt from the content itself (never from the name), else None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                # Read only a small, uncompressed-size-checked member: no zip bomb here.
                if info.file_size <= 100 and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                    return "odt"
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, NotImplementedError):
        return None
    return None


def _clean_name(name: str) -> str:
    # The client's name is metadata only: keep its last part, printable, short.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip() or "file"
    return base[:255]


def store(*, files_dir: Path, data: bytes, filename: str, max_bytes: int) -> StoredFile:
    """Check and keep an upload; the same bytes are kept once, under their hash."""
    if not data:
        raise Invalid("The file is empty.", field="file")
    if len(data) > max_bytes:
        raise Invalid(
            "The file is larger than %(limit)s MB.",
            field="file",
            limit=round(max_bytes / 1024 / 1024, 1),
        )
    kind = detect_type(data)
    if kind is None:
        raise Invalid(
            "Only PDF, Word (DOCX), Excel (XLSX) and OpenDocument (ODT) files are accepted.",
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    target = files_dir / digest
    created = not target.exists()
    if created:
        files_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=files_dir, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return StoredFile(
        sha256=digest, name=_clean_name(filename), type=kind, size=len(data), created=created
    )


def read_checked(*, files_dir: Path, sha256: str) -> bytes:
    """The stored bytes, refused if they no longer match their name (hash)."""
    path = files_dir / sha256
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Conflict(
            "The stored file of this revision is missing; it cannot be served."
        ) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Conflict(
            "The stored file of this revision does not match its recorded hash; it is not served."
        )
    return data
