"""`qms evidence export --from YYYY-MM-DD --to YYYY-MM-DD -o FILE`: the certification evidence
pack of a period, made in this process by the same service as the page's export."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

evidence_app = typer.Typer(help="The certification evidence pack.", no_args_is_help=True)


def _exporter(session, email: str | None):
    """The person the export is made as: the one named, else the first quality officer (or
    administrator) still active."""
    from qms.auth import service as auth
    from qms.auth.models import Role

    if email:
        return auth.user_by_email(session=session, email=email)
    for role in (Role.quality_officer, Role.admin):
        people = [u for u in auth.list_users(session=session, role=role) if u.is_active]
        if people:
            return people[0]
    typer.echo("error: no active quality officer or administrator; name one with --as", err=True)
    raise typer.Exit(1)


@evidence_app.command("export")
def export_command(
    start: Annotated[str, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period, YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the ZIP.")],
    as_email: Annotated[
        str | None,
        typer.Option("--as", help="E-mail of the quality officer or administrator exporting."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="vi or en (default: QMS_LANG).")
    ] = None,
) -> None:
    """Write the ZIP (index.pdf, manifest.csv, the kept signed records) of the period."""
    from qms.cli import engine_for, settings
    from qms.db import unit_of_work
    from qms.errors import QMSError
    from qms.evidence import service

    current = settings()
    engine = engine_for(current)
    try:
        first = service.parse_day(start, "from")
        last = service.parse_day(end, "to")
        service.check_period(first, last, fields=("from", "to"))
        with unit_of_work(engine, write=False) as session:
            by = _exporter(session, as_email)
        export = service.export_now(
            engine=engine,
            settings=current,
            by=by,
            start=first,
            end=last,
            lang=lang or current.lang,
            today=datetime.now(current.tz).date(),
        )
        if export.status != "done":
            typer.echo(f"error: the export failed: {export.error}", err=True)
            raise typer.Exit(1)
        try:
            shutil.copyfile(service.export_path(current, export), output)
        except OSError as exc:
            typer.echo(f"error: cannot write {output}: {exc.strerror}", err=True)
            raise typer.Exit(1) from None
        # The pack is in the caller's hands: written down as downloaded, and its copy in the
        # data directory removed.
        from qms.auth.models import User

        with unit_of_work(engine) as session:
            user = session.get(User, by.id)
            service.mark_downloaded(session=session, by=user, export_id=export.id)
            kept = service.get_export(session=session, export_id=export.id)
            service.remove_export(session=session, by=user, settings=current, export=kept)
    except QMSError as exc:
        typer.echo(f"error: {exc}" + (f" ({exc.field})" if exc.field else ""), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(
        f"{output}: {export.records_total} records, {export.gaps_total} gaps, "
        f"{export.files_done - export.files_withheld} kept PDF records "
        f"({export.files_withheld} left out), {export.size} bytes, SHA-256 {export.sha256}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
