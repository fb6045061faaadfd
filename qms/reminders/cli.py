"""Commands: `qms remind --now [--as-of DAY]` and `qms scheduler`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def remind(
        now: Annotated[bool, typer.Option("--now", help="Run one sweep now.")] = False,
        as_of: Annotated[
            datetime | None,
            typer.Option("--as-of", formats=["%Y-%m-%d"], help="Sweep as of this day."),
        ] = None,
    ) -> None:
        """Run one reminder sweep and print what it created."""
        from qms.cli import engine_for, settings
        from qms.i18n import gettext
        from qms.reminders import service

        if not now:
            typer.echo("nothing to do: add --now to run a sweep", err=True)
            raise typer.Exit(2)
        current = settings()
        engine = engine_for(current)
        day: date = as_of.date() if as_of else datetime.now(current.tz).date()
        run = service.sweep(engine=engine, settings=current, as_of=day, trigger="cli")
        from sqlmodel import select

        from qms.db import unit_of_work
        from qms.reminders.models import Notification

        with unit_of_work(engine, write=False) as session:
            created = session.exec(
                select(Notification).where(Notification.sweep_id == run.id)
            ).all()
            for n in created:
                text = service.text_of(n, lambda m: gettext(current.lang, m))
                typer.echo(f"  {n.stage:<10} {n.due_on}  user {n.recipient_id:<5} {text}")
        engine.dispose()
        typer.echo(
            f"sweep {run.id} as of {day}: {run.created} reminders created, {run.emailed} e-mailed, "
            f"{run.email_failures} e-mails failed, {run.duration_ms} ms"
        )
        if run.error:
            typer.echo(f"error: {run.error}", err=True)
            raise typer.Exit(1)

    @app.command()
    def scheduler() -> None:
        """Run the daily reminder sweep on its own (one leader among all processes)."""
        from qms.cli import engine_for, settings
        from qms.reminders.scheduler import run_blocking

        current = settings()
        typer.echo(f"reminder sweep daily at {current.reminder_hour:02d}:00 {current.timezone}")
        run_blocking(engine_for(current), current)
