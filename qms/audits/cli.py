"""Commands: `qms report audit CODE -o FILE` writes the kept PDF audit record; `qms
audit-templates check` validates the checklist templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

REPORT_GROUP = "report"


def _report_group(app: typer.Typer) -> typer.Typer:
    """The `report` group, shared with the other domains that print records."""
    for group in app.registered_groups:
        if group.name == REPORT_GROUP and group.typer_instance is not None:
            return group.typer_instance
    group = typer.Typer(help="Write a kept PDF record to a file.", no_args_is_help=True)
    app.add_typer(group, name=REPORT_GROUP)
    return group


def register(app: typer.Typer) -> None:
    report = _report_group(app)

    @report.command("audit")
    def report_audit(
        code: Annotated[str, typer.Argument(help="The audit's code, e.g. IA-2026-03.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the PDF.")],
    ) -> None:
        """Write the audit's PDF record, byte for byte as kept when it was reported."""
        from qms.audits import service
        from qms.cli import settings, unit_of_work

        current = settings()
        with unit_of_work() as session:
            audit = service.audit_by_code(session=session, code=code)
            data = service.report_bytes(audit=audit, files_dir=current.files_dir)
        output.write_bytes(data)
        typer.echo(
            f"{audit.code}: {len(data)} bytes written to {output} (SHA-256 {audit.report_sha256})"
        )

    templates = typer.Typer(help="Checklist templates (audits/*.yaml).", no_args_is_help=True)
    app.add_typer(templates, name="audit-templates")

    @templates.command("check")
    def check_templates(
        folder: Annotated[
            Path | None, typer.Argument(help="Folder of templates (default: audits/).")
        ] = None,
    ) -> None:
        """Validate every template; exit 1 naming each refused file, its line and field."""
        from qms.audits import checklists

        found = checklists.catalogue(folder)
        for key, template in found.templates.items():
            typer.echo(
                f"ok      {key}: {len(template.sections)} sections, {template.item_count} items"
            )
        for error in found.errors.values():
            for problem in error.problems:
                typer.echo(f"refused {problem.render(error.name)}", err=True)
        if found.errors:
            raise typer.Exit(1)
