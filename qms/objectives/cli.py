"""`qms objectives import FILE --indicator CODE`: a year of figures brought in from CSV/XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

objectives_app = typer.Typer(help="Quality objectives and indicators.", no_args_is_help=True)


@objectives_app.command("import")
def import_command(
    path: Annotated[
        Path, typer.Argument(help="CSV or XLSX: period, numerator, denominator or value.")
    ],
    indicator_code: Annotated[
        str, typer.Option("--indicator", help="Code of the indicator, e.g. MT-2026-01.1.")
    ],
    as_email: Annotated[
        str | None,
        typer.Option("--as", help="E-mail of who enters the figures (default: the data owner)."),
    ] = None,
) -> None:
    """Enter every row of the file as a measurement of the indicator, or none: a refusal
    names its row and column."""
    from qms.auth import service as auth
    from qms.auth.models import User
    from qms.cli import unit_of_work
    from qms.objectives import importer, service

    try:
        content = path.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    with unit_of_work() as session:
        indicator = service.indicator_by_code(session=session, code=indicator_code)
        if as_email:
            by = auth.user_by_email(session=session, email=as_email)
        else:
            by = session.get(User, indicator.data_owner_id)
        made = importer.import_file(
            session=session, indicator=indicator, by=by, content=content, filename=path.name
        )
        periods = [m.period for m in made]
    typer.echo(f"{len(periods)} periods imported into {indicator_code}: {', '.join(periods)}")


def register(app: typer.Typer) -> None:
    app.add_typer(objectives_app, name="objectives")
