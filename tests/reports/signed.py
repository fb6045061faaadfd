"""Checks of a signed PDF with pyHanko's own validator, trusting the test certificate."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, pkcs12


def organisation_certificate(p12: Path, password: str):
    """The asn1crypto certificate of the test's organisation key (tests/conftest.py)."""
    from asn1crypto import x509

    _key, cert, _others = pkcs12.load_key_and_certificates(p12.read_bytes(), password.encode())
    return x509.Certificate.load(cert.public_bytes(Encoding.DER))


def validate(data: bytes, certificate):
    """pyHanko's status of the PDF's (last) signature, the certificate as the trust root."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signature = reader.embedded_signatures[-1]
    context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
    return validate_pdf_signature(signature, context)


def subfilter(data: bytes) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return str(reader.embedded_signatures[-1].sig_object["/SubFilter"])


def flip_byte(data: bytes, *, at: float = 0.5) -> bytes:
    """The file with one byte changed, inside the signed range (away from the signature)."""
    changed = bytearray(data)
    position = int(len(data) * at)
    # Stay out of the /Contents hex string, whose padding is not signed content.
    start = data.index(b"/Contents <") if b"/Contents <" in data else len(data)
    if start <= position < data.index(b">", start):
        position = start // 2
    changed[position] ^= 0x01
    return bytes(changed)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
