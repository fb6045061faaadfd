"""Evidence files: the type read from the bytes, the size bounded, stored under their hash."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from qms.errors import Invalid

# Office Open XML packages are ZIP files; the folder inside says which kind.
_OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ACCEPTED = "PDF, PNG, JPEG, DOCX, XLSX, PPTX"


def sniff(content: bytes) -> str | None:
    """The media type the first bytes prove, or None for anything not accepted."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, media_type in _OFFICE.items():
            if any(name.startswith(prefix) for name in names):
                return media_type
    return None


def clean_filename(name: str | None) -> str:
    """The client's file name as display text only: no folders, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if ch.isprintable())
    base = base.strip().strip(".") or "evidence"
    return base[:200]


def check(content: bytes, *, max_bytes: int) -> str:
    """Refuse an empty, oversized or unknown file (422 naming `file`); answer its type."""
    if not content:
        raise Invalid("The file is empty.", field="file")
    if len(content) > max_bytes:
        raise Invalid(
            "The file is larger than the limit of %(limit)s bytes.", field="file", limit=max_bytes
        )
    media_type = sniff(content)
    if media_type is None:
        raise Invalid(
            "This kind of file is not accepted as evidence; attach %(kinds)s.",
            field="file",
            kinds=ACCEPTED,
        )
    return media_type


def store(content: bytes, files_dir: Path) -> tuple[str, bool]:
    """Write the content under its SHA-256 (once); answer the hash and whether this call
    wrote it (False when the same bytes were already kept)."""
    digest = hashlib.sha256(content).hexdigest()
    target = Path(files_dir) / digest
    created = not target.exists()
    if created:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return digest, created


def path_of(files_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256 digest")
    return Path(files_dir) / sha256
