"""Commands: `qms signing init` makes a self-signed organisation certificate; `qms pdf
verify FILE` says whether a PDF is an unaltered, validly signed record of this system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    signing_app = typer.Typer(
        help="The organisation's certificate that signs the kept PDF records.",
        no_args_is_help=True,
    )
    pdf_app = typer.Typer(help="Kept PDF records.", no_args_is_help=True)
    app.add_typer(signing_app, name="signing")
    app.add_typer(pdf_app, name="pdf")

    @signing_app.command("init")
    def signing_init(
        output: Annotated[
            Path | None,
            typer.Option(
                "-o",
                "--output",
                help="Where to write the PKCS#12 file (default: QMS_SIGNING_P12, or "
                "signing.p12 in the data directory).",
            ),
        ] = None,
        name: Annotated[
            str | None,
            typer.Option(
                help="The organisation named in the certificate (default: QMS_ORGANISATION)."
            ),
        ] = None,
        days: Annotated[int, typer.Option(min=1, max=36500, help="Days of validity.")] = 3650,
    ) -> None:
        """Make a self-signed organisation certificate and key (ECDSA P-256), encrypted with
        QMS_SIGNING_PASSWORD when that is set. Never overwrites a file."""
        from qms.config import SettingsError, load_settings
        from qms.reports import signing

        try:
            current = load_settings(check_signing=False)
        except SettingsError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        path = output or signing.p12_path(current)
        password = signing._password(current)
        try:
            fingerprint = signing.make_certificate(
                path=path, organisation=name or current.organisation, password=password, days=days
            )
        except FileExistsError:
            typer.echo(
                f"error: {path} exists; move it away first (it may sign kept records)", err=True
            )
            raise typer.Exit(1) from None
        typer.echo(f"certificate written to {path} (SHA-256 {fingerprint})")
        if not password:
            typer.echo(
                "the key is not encrypted: set QMS_SIGNING_PASSWORD before init to encrypt it"
            )
        if output is not None:
            typer.echo(f"sign with it: QMS_SIGNING_P12={path}")

    @pdf_app.command("verify")
    def pdf_verify(
        file: Annotated[Path, typer.Argument(help="The PDF to check.", dir_okay=False)],
    ) -> None:
        """Exit 0 only for an unaltered record kept by this system whose signature holds."""
        from qms.cli import unit_of_work
        from qms.reports import service

        try:
            data = file.read_bytes()
        except OSError as exc:
            typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
            raise typer.Exit(2) from None
        with unit_of_work() as session:
            result = service.verify(session=session, data=data)
            answer = service.verification_public(result, lambda message: message)
        typer.echo(f"{file}: {answer['verdict']}: {answer['message']}")
        record = answer["record"]
        if record:
            current = "" if record["current"] else ", replaced by a later kept copy"
            typer.echo(
                f"record: {record['kind_label']} {record['code']} ({record['url']}), kept "
                f"{record['kept_at']:%Y-%m-%d %H:%M} UTC{current}"
            )
        typer.echo(f"unaltered: {'yes' if result.unaltered else 'no'}")
        typer.echo(f"signature valid: {'yes' if result.signature_valid else 'no'}")
        if result.signer:
            typer.echo(f"signed by: {result.signer}")
        typer.echo(f"SHA-256: {result.sha256}")
        if not result.ok:
            raise typer.Exit(1)
