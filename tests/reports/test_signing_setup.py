"""The organisation's certificate: `qms signing init`, the settings that name it (a wrong
path or password stops start-up with one line), the one made in the data directory when none
is configured, PAdES B-T with a time-stamp service, and pyHanko's own validation command."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qms.config import Settings, SettingsError, load_settings
from qms.reports import signing
from qms.reports.pdf import render_pdf
from tests.conftest import SIGNING_PASSWORD
from tests.reports.signed import organisation_certificate, validate


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return render_pdf("<h1>Biên bản</h1><p id='qms-signature'>x</p>", timeout=60)


def test_a_wrong_path_or_password_stops_start_up_with_one_line(tmp_path, signing_p12, cli):
    missing = tmp_path / "nowhere.p12"
    with pytest.raises(SettingsError, match=r"^QMS_SIGNING_P12: no such file"):
        load_settings(data_dir=tmp_path, signing_p12=missing)
    with pytest.raises(SettingsError, match=r"^QMS_SIGNING_PASSWORD: does not open"):
        load_settings(data_dir=tmp_path, signing_p12=signing_p12, signing_password="wrong")
    not_a_key = tmp_path / "key.p12"
    not_a_key.write_bytes(b"not PKCS#12")
    with pytest.raises(SettingsError, match=r"^QMS_SIGNING_PASSWORD: "):
        load_settings(data_dir=tmp_path, signing_p12=not_a_key)
    code, output = cli("init", env_extra={"QMS_SIGNING_PASSWORD": "wrong"})
    assert code == 2
    assert output.strip().count("\n") == 0 and output.startswith("QMS_SIGNING_PASSWORD:")
    assert "wrong" not in output.replace("(wrong password", "")  # the password is never shown


def test_signing_init_makes_a_certificate_and_never_overwrites_one(tmp_path, cli):
    target = tmp_path / "org.p12"
    code, output = cli("signing", "init", "-o", str(target), "--name", "Sở Y tế tỉnh")
    assert code == 0, output
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    certificate = organisation_certificate(target, SIGNING_PASSWORD)
    assert certificate.subject.native["common_name"] == "Sở Y tế tỉnh"
    assert set(certificate.key_usage_value.native) >= {"digital_signature", "non_repudiation"}
    assert SIGNING_PASSWORD not in output
    before = target.read_bytes()
    code, output = cli("signing", "init", "-o", str(target))
    assert code == 1 and "exists" in output and target.read_bytes() == before


def test_without_a_configured_certificate_one_is_made_in_the_data_dir(tmp_path, plain_pdf):
    settings = Settings(data_dir=tmp_path, organisation="Văn phòng UBND tỉnh").prepare()
    assert not (tmp_path / "signing.p12").exists()  # start-up makes nothing
    signed = signing.sign_pdf(plain_pdf, settings=settings, reason="IA-2026-01")
    made = tmp_path / "signing.p12"
    assert made.exists()
    status = validate(signed.data, organisation_certificate(made, ""))
    assert status.intact and status.valid and status.trusted
    again = signing.sign_pdf(plain_pdf, settings=settings, reason="IA-2026-02")
    assert again.fingerprint == signed.fingerprint  # the same key, not a new one


def _tsa_credentials():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's is RSA-only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509

    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        keys.PrivateKeyInfo.load(der_key),
    )


@pytest.fixture
def tsa_url():
    """An RFC 3161 time-stamp service on a local port (pyHanko's test time-stamper)."""
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    cert, key = _tsa_credentials()
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", cert
    server.shutdown()
    server.server_close()


def test_with_a_time_stamp_service_the_signature_is_pades_b_t(
    tmp_path, signing_p12, plain_pdf, tsa_url
):
    url, tsa_cert = tsa_url
    settings = Settings(
        data_dir=tmp_path,
        signing_p12=signing_p12,
        signing_password=SIGNING_PASSWORD,
        tsa_url=url,
    ).prepare()
    signed = signing.sign_pdf(plain_pdf, settings=settings, reason="QT-03 rev 01")
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    embedded = PdfFileReader(io.BytesIO(signed.data)).embedded_signatures[-1]
    status = validate_pdf_signature(
        embedded,
        ValidationContext(
            trust_roots=[organisation_certificate(signing_p12, SIGNING_PASSWORD)],
            allow_fetching=False,
        ),
        ts_validation_context=ValidationContext(trust_roots=[tsa_cert], allow_fetching=False),
    )
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    check = signing.check_signature(signed.data, trusted={signed.fingerprint})
    assert check.valid

    down = Settings(
        data_dir=tmp_path,
        signing_p12=signing_p12,
        signing_password=SIGNING_PASSWORD,
        tsa_url="http://127.0.0.1:9/",
    ).prepare()
    from qms.errors import Unavailable
    from qms.reports import service

    with pytest.raises(Unavailable):
        # keep_signed turns the unreachable service into a 503 before anything is kept
        service.keep_signed(
            session=None,
            settings=down,
            record_kind="audit_report",
            record_id=1,
            record_code="IA-2026-01",
            pdf_bytes=plain_pdf,
        )


@pytest.mark.skipif(
    shutil.which("pyhanko", path=str(Path(sys.executable).parent)) is None,
    reason="pyhanko-cli is a test dependency",
)
def test_pyhankos_own_validation_command_accepts_the_record(tmp_path, signing_p12, plain_pdf):
    settings = Settings(
        data_dir=tmp_path, signing_p12=signing_p12, signing_password=SIGNING_PASSWORD
    ).prepare()
    record = tmp_path / "record.pdf"
    record.write_bytes(signing.sign_pdf(plain_pdf, settings=settings, reason="IA").data)
    cert = tmp_path / "organisation.pem"
    from cryptography.hazmat.primitives.serialization import pkcs12

    _key, certificate, _ = pkcs12.load_key_and_certificates(
        signing_p12.read_bytes(), SIGNING_PASSWORD.encode()
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    command = [
        str(Path(sys.executable).parent / "pyhanko"),
        "sign",
        "validate",
        "--no-revocation-check",
        "--trust",
        str(cert),
        "--trust-replace",
    ]
    ok = subprocess.run([*command, str(record)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    changed = bytearray(record.read_bytes())
    changed[len(changed) // 3] ^= 1
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(changed))
    refused = subprocess.run([*command, str(bad)], capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
