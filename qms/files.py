"""The one store of uploaded files, for every domain: streamed to disk in chunks, the type
read from the bytes, the client's name kept as a label only, kept once under the SHA-256.

A domain says which kinds it accepts; the refusals (empty, too large, not an accepted kind)
are the same everywhere and name the field `file`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from qms.db import remove_unless_committed
from qms.errors import Invalid, QMSError, Unavailable

CHUNK = 1024 * 1024
# A client's file name is shown and offered on download: at most this long.
NAME_LIMIT = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

# Each kind the store recognises, by the short name domains record, and its media type.
KINDS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
}
# Office Open XML packages are ZIP files; the folder inside says which kind.
_OFFICE = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

OFFICE_TYPES = tuple(KINDS[kind] for kind in _OFFICE.values())
# What a checklist item or a corrective action takes as evidence.
PHOTOS_PDF_OFFICE = ("jpeg", "png", "pdf", "docx", "xlsx", "pptx")


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    kind: str  # a key of KINDS
    name: str  # the client's name, cleaned (a label only)
    created: bool = False  # written by this call (not already in the store)

    @property
    def media_type(self) -> str:
        return KINDS[self.kind]


def sniff(source: Path | bytes) -> str | None:
    """The kind the bytes prove (a key of KINDS), or None for anything else."""
    if isinstance(source, bytes | bytearray):
        head = bytes(source[:16])
    else:
        with Path(source).open("rb") as fh:
            head = fh.read(16)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if not head.startswith(b"PK\x03\x04"):
        return None
    opened = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        with zipfile.ZipFile(opened) as package:
            names = package.namelist()
            if "mimetype" in names:
                info = package.getinfo("mimetype")
                # Read only a small, uncompressed-size-checked member: no zip bomb here.
                if info.file_size <= 100 and package.read("mimetype").strip() == _ODT_MIMETYPE:
                    return "odt"
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, NotImplementedError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, kind in _OFFICE.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return None


def clean_name(name: str | None, *, default: str = "file") -> str:
    """The client's file name as display text only: no folders, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    base = base.strip().strip(".").strip()
    return base[:NAME_LIMIT] or default


def too_large(max_bytes: int) -> Invalid:
    return Invalid(
        "The file is larger than %(limit)s MB.",
        field="file",
        limit=round(max_bytes / 1024 / 1024, 1),
    )


def _not_accepted(accept: Collection[str]) -> Invalid:
    return Invalid(
        "This kind of file is not accepted here; attach %(kinds)s.",
        field="file",
        kinds=", ".join(kind.upper() for kind in accept),
    )


def store(
    *,
    files_dir: Path,
    source: BinaryIO | bytes,
    filename: str | None,
    max_bytes: int,
    accept: Collection[str],
) -> Stored:
    """Copy the upload into the store a chunk at a time, counting its size while reading
    and reading its type after; the same bytes are kept once. A refused or failed upload
    leaves no file behind."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    files_dir = Path(files_dir)
    files_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temp_name = tempfile.mkstemp(dir=files_dir, prefix=".upload-")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large(max_bytes)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid("The file is empty.", field="file")
        kind = sniff(temp)
        if kind is None or kind not in accept:
            raise _not_accepted(accept)
        sha256 = digest.hexdigest()
        target = files_dir / sha256
        created = not target.exists()
        if created:
            # Written aside then renamed: a reader never sees half a file.
            os.replace(temp, target)
        return Stored(
            sha256=sha256, size=size, kind=kind, name=clean_name(filename), created=created
        )
    finally:
        temp.unlink(missing_ok=True)


def keep(session, **upload) -> Stored:
    """`store` within the session's transaction: a file this upload wrote is removed again
    if the transaction does not commit, so that a failed request leaves none behind."""
    stored = store(**upload)
    if stored.created:
        remove_unless_committed(session, path_of(upload["files_dir"], stored.sha256))
    return stored


def path_of(files_dir: Path, sha256: str) -> Path:
    if not _SHA256.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(files_dir) / sha256


def existing(files_dir: Path, sha256: str, *, refuse: type[QMSError] = Unavailable) -> Path:
    path = path_of(files_dir, sha256)
    if not path.is_file():
        raise refuse(
            "The kept file %(sha256)s is missing from the data directory; restore it from a "
            "backup.",
            sha256=sha256,
        )
    return path


def read_checked(*, files_dir: Path, sha256: str, refuse: type[QMSError] = Unavailable) -> bytes:
    """The kept bytes, refused (503, or the error given) if they are missing or no longer
    match the hash they were kept under."""
    data = existing(files_dir, sha256, refuse=refuse).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise refuse(
            "The kept file %(sha256)s no longer matches its SHA-256; it is withheld until it is "
            "restored from a backup.",
            sha256=sha256,
        )
    return data
