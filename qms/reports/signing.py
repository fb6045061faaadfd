"""The organisation's signing certificate and PAdES signatures on kept PDF records (pyHanko).

The certificate and its key live in one PKCS#12 file: `QMS_SIGNING_P12` (password
`QMS_SIGNING_PASSWORD`), or, when that is unset, `signing.p12` in the data directory, made
once by `make_certificate` (what `qms signing init` runs) the first time a record is kept.
The key is never logged, shown or put in a backup: only the certificate's fingerprint is.

A record's template includes `pdf/_signature_block.html`: the visible block names the
organisation, and its empty box (an element with the id `qms-signature`, which WeasyPrint
turns into a named destination) is where the signature field goes; pyHanko writes the
signing instant into it. A PDF without that box gets the whole block drawn by pyHanko at the
foot of its last page.

PAdES B-B; B-T (a time-stamp from `QMS_TSA_URL`) when that is set.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from qms.config import Settings, SettingsError

log = logging.getLogger("qms.reports")

DEFAULT_FILE = "signing.p12"
FIELD_NAME = "QMS-Signature"
ANCHOR = "qms-signature"
# The box of the template's signature block (templates/pdf/_signature_block.html), in points.
BOX_WIDTH = 60 / 25.4 * 72
BOX_HEIGHT = 6 / 25.4 * 72
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
RESERVED = 16384


def p12_path(settings: Settings) -> Path:
    return settings.signing_p12 or settings.data_dir / DEFAULT_FILE


def _password(settings: Settings) -> bytes | None:
    secret = settings.signing_password
    return secret.get_secret_value().encode() if secret else None


# --- the certificate ---------------------------------------------------------------------


def make_certificate(
    *, path: Path, organisation: str, password: bytes | None, days: int = 3650
) -> str:
    """A self-signed organisation certificate (ECDSA P-256) and its key, written to `path`
    as PKCS#12 (mode 0600; never over an existing file). Returns its SHA-256 fingerprint."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        b"organisation", key, certificate, None, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o600)
        os.link(temp, path)  # fails if the file exists: two processes never overwrite a key
    finally:
        Path(temp).unlink(missing_ok=True)
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _load(path: Path, password: bytes | None):
    """(key, certificate) from the PKCS#12 file, or SettingsError naming the variable."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"QMS_SIGNING_P12: cannot read {path}: {exc.strerror}") from None
    try:
        key, certificate, _others = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise SettingsError(
            f"QMS_SIGNING_PASSWORD: does not open {path} (wrong password, or not a PKCS#12 file)"
        ) from None
    if key is None or certificate is None:
        raise SettingsError(f"QMS_SIGNING_P12: {path} holds no key and certificate")
    return key, certificate


def check(settings: Settings) -> None:
    """At start-up: a configured certificate file exists and its password opens it."""
    path = p12_path(settings)
    if settings.signing_p12 is None and not path.exists():
        return  # made when the first record is kept
    if not path.is_file():
        raise SettingsError(f"QMS_SIGNING_P12: no such file {path}")
    _load(path, _password(settings))


def ensure_certificate(settings: Settings) -> Path:
    """The certificate file, made in the data directory if none is configured or there."""
    path = p12_path(settings)
    if settings.signing_p12 is None and not path.exists():
        try:
            fingerprint = make_certificate(
                path=path, organisation=settings.organisation, password=_password(settings)
            )
        except FileExistsError:
            pass  # another process made it first
        else:
            log.warning(
                "made a self-signed organisation certificate %s (SHA-256 %s): set "
                "QMS_SIGNING_P12 to use the organisation's own",
                path,
                fingerprint,
            )
    return path


@dataclass(frozen=True)
class Credentials:
    signer: object  # pyhanko SimpleSigner
    fingerprint: str  # SHA-256 of the certificate (DER), hex
    subject: str


@lru_cache(maxsize=4)
def _credentials(path: str, mtime_ns: int, password: bytes | None) -> Credentials:
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.sign.signers import SimpleSigner

    _key, certificate = _load(Path(path), password)
    signer = SimpleSigner.load_pkcs12_data(Path(path).read_bytes(), [], passphrase=password)
    return Credentials(
        signer=signer,
        fingerprint=hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest(),
        subject=certificate.subject.rfc4514_string(),
    )


def credentials(settings: Settings) -> Credentials:
    """The organisation's signer, loaded once per file (and again when the file changes)."""
    path = ensure_certificate(settings)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise SettingsError(f"QMS_SIGNING_P12: no such file {path}") from None
    return _credentials(str(path), mtime, _password(settings))


# --- signing -----------------------------------------------------------------------------


def _page_refs(reader) -> list[int]:
    """Object numbers of the pages, in order."""
    root = reader.root["/Pages"]
    kids = root["/Kids"]
    if int(root.get("/Count", -1)) == len(kids):
        # A flat tree (what WeasyPrint writes): every kid is a page, none need be read.
        return [kids.raw_get(index).idnum for index in range(len(kids))]
    refs: list[int] = []

    def walk(node) -> None:
        kids = node["/Kids"]
        for index in range(len(kids)):
            ref = kids.raw_get(index)
            child = ref.get_object()
            if child["/Type"] == "/Pages":
                walk(child)
            else:
                refs.append(ref.idnum)

    walk(root)
    return refs


def _anchor_box(reader) -> tuple[int, tuple[int, int, int, int]] | None:
    """(page index, box) of the template's signature box, from its named destination."""
    try:
        names = reader.root["/Names"]["/Dests"]["/Names"]
    except KeyError:
        return None
    for index in range(0, len(names) - 1, 2):
        if str(names[index]) != ANCHOR:
            continue
        dest = names[index + 1]
        if isinstance(dest, dict) or hasattr(dest, "keys"):
            dest = dest["/D"]
        page = _page_refs(reader).index(dest.raw_get(0).idnum)
        x, top = float(dest[2]), float(dest[3])
        return page, (round(x), round(top - BOX_HEIGHT), round(x + BOX_WIDTH), round(top))
    return None


@lru_cache(maxsize=1)
def _time_style():
    """The instant only, in a standard font (digits need no embedded font: cheap)."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    flush_left = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MIN,
        y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins(0, 0, 0, 0),
        inner_content_scaling=layout.InnerScaling.NO_SCALING,
    )
    return TextStampStyle(
        stamp_text="%(ts)s",
        timestamp_format=TIME_FORMAT,
        border_width=0,
        text_box_style=TextBoxStyle(font_size=9, leading=9, box_layout_rule=flush_left),
        inner_content_layout=flush_left,
    )


@lru_cache(maxsize=1)
def _full_style():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text="%(signed_by)s\n%(organisation)s\n%(signed_at)s: %(ts)s",
        timestamp_format=TIME_FORMAT,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(FONT), font_size=8),
        border_width=1,
    )


@dataclass(frozen=True)
class Signed:
    data: bytes
    fingerprint: str


def sign_pdf(
    data: bytes, *, settings: Settings, reason: str, labels: dict[str, str] | None = None
) -> Signed:
    """The PDF signed (PAdES B-B, or B-T with QMS_TSA_URL) with the organisation's key, as
    an incremental update: the rendered bytes stay as they were, the signature covers all."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter

    creds = credentials(settings)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    placed = _anchor_box(writer.prev)
    if placed is None:
        # No signature block in the template: the whole block at the foot of the last page.
        page, box, style = -1, (36, 24, 336, 72), _full_style()
    else:
        (page, box), style = placed, _time_style()
    timestamper = None
    if settings.tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(settings.tsa_url, timeout=30)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason[:200],
        name=settings.organisation,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=creds.signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box),
    )
    labels = labels or {}
    out = pdf_signer.sign_pdf(
        writer,
        # Room for the CMS container (an ECDSA or RSA signature and its certificate chain),
        # so pyHanko need not sign twice to measure it; a time-stamp token is measured.
        bytes_reserved=None if timestamper else RESERVED,
        appearance_text_params={
            "organisation": settings.organisation,
            "signed_by": labels.get("signed_by", "Digitally signed by"),
            "signed_at": labels.get("signed_at", "Signed at"),
        },
    )
    return Signed(data=out.getvalue(), fingerprint=creds.fingerprint)


# --- checking a signature ----------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko's validator says of a PDF's signature, pinned to known certificates."""

    is_pdf: bool
    signed: bool
    valid: bool  # intact, sound, trusted, covering the whole file
    fingerprint: str | None  # the signer's certificate
    subject: str | None
    signed_at: datetime | None
    problem: str | None  # why not valid, in English (for logs and the CLI)


def check_signature(data: bytes, *, trusted: set[str]) -> SignatureCheck:
    """Validate the PDF's signatures; `trusted` are fingerprints of certificates this system
    signs with. Never raises on bad input: a broken file is answered, not an error."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-"):
        return SignatureCheck(False, False, False, None, None, None, "not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return SignatureCheck(True, False, False, None, None, None, f"unreadable PDF: {exc}")
    if not embedded:
        return SignatureCheck(True, False, False, None, None, None, "no signature")
    signature = embedded[-1]
    try:
        cert = signature.signer_cert
        fingerprint = hashlib.sha256(cert.dump()).hexdigest()
        subject = cert.subject.human_friendly
    except Exception as exc:  # a malformed CMS blob
        return SignatureCheck(True, True, False, None, None, None, f"malformed signature: {exc}")
    if fingerprint not in trusted:
        return SignatureCheck(
            True, True, False, fingerprint, subject, None, "signed with another certificate"
        )
    try:
        context = ValidationContext(trust_roots=[cert], allow_fetching=False)
        status = validate_pdf_signature(signature, context)
    except Exception as exc:  # pyHanko raises on some forms of damage
        return SignatureCheck(True, True, False, fingerprint, subject, None, f"invalid: {exc}")
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # The signer's part: a B-T time-stamp is the TSA's, validated by whoever trusts it.
    valid = bool(status.intact and status.valid and status.trusted and whole)
    problem = None
    if not (status.intact and status.valid):
        problem = "the signed bytes were changed"
    elif not whole:
        problem = "the file was changed after signing"
    elif not status.trusted:
        problem = "the certificate does not validate"
    return SignatureCheck(
        True, True, valid, fingerprint, subject, status.signer_reported_dt, problem
    )
