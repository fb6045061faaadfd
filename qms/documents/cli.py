"""`qms docs import PATH`: the procedures folder brought in as controlled documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

docs_app = typer.Typer(help="Controlled documents.", no_args_is_help=True)


@docs_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="Folder of Markdown files with YAML front matter.")],
    as_email: Annotated[
        str | None,
        typer.Option("--as", help="E-mail of the quality officer recorded as drafter and owner."),
    ] = None,
) -> None:
    """Import procedure files: new → document with a draft, changed → new draft, unchanged →
    nothing. A file with a bad front matter is named with its field, and nothing is written."""
    from qms.auth import service as auth
    from qms.auth.permissions import require
    from qms.cli import unit_of_work
    from qms.documents.importer import ImportRefused, import_folder

    try:
        with unit_of_work() as session:
            by = None
            if as_email:
                by = auth.user_by_email(session=session, email=as_email)
                require(by, "document.import")
            report = import_folder(session=session, by=by, folder=path)
    except ImportRefused as refused:
        for problem in refused.problems:
            typer.echo(f"error: {problem}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(1) from None
    for label, codes in (
        ("created (draft revision)", report.created),
        ("revised (new draft)", report.revised),
        ("register entry updated", report.updated),
        ("unchanged", report.unchanged),
        ("skipped (obsolete)", report.skipped),
    ):
        for code in codes:
            typer.echo(f"{label}: {code}")
    typer.echo(
        f"{len(report.created)} created, {len(report.revised)} revised, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.skipped)} skipped"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(docs_app, name="docs")
