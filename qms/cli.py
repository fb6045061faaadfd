"""The `qms` command: init, serve, demo, users, departments, trail verify, and the domains'."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated

import typer

from qms.auth.models import Role
from qms.config import Settings, SettingsError, load_settings
from qms.errors import QMSError

app = typer.Typer(
    help="QMS Tracker: an ISO 9001:2015 quality-management system.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(
    help="People: add users, issue and revoke API tokens.", no_args_is_help=True
)
departments_app = typer.Typer(help="Departments (Phòng, units).", no_args_is_help=True)
trail_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(departments_app, name="departments")
app.add_typer(trail_app, name="trail")


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def engine_for(current: Settings):
    from qms import db
    from qms.auth import passwords
    from qms.registry import load_models

    load_models()
    passwords.configure(current.password_hashing)
    return db.make_engine(current)


@contextmanager
def unit_of_work():
    """A transaction for one command: committed at the end, rolled back on any error."""
    from qms.db import unit_of_work as uow
    from qms.errors import QMSError

    engine = engine_for(settings())
    try:
        with uow(engine) as session:
            yield session
    except QMSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@app.command()
def init() -> None:
    """Create the data directory and upgrade the database to the newest schema."""
    from qms.migrate import upgrade

    current = settings()
    engine = engine_for(current)
    upgrade(engine)
    engine.dispose()
    typer.echo(f"database ready: {engine.url.render_as_string(hide_password=True)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web pages and the API (and the reminder scheduler when QMS_SCHEDULER=on)."""
    import uvicorn

    settings()  # a wrong setting stops here with one line
    uvicorn.run(
        "qms.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
    )


@app.command()
def demo() -> None:
    """Upgrade the database and load the demo organisation once; print the logins."""
    from qms import demo as demo_data
    from qms.migrate import upgrade

    current = settings()
    engine = engine_for(current)
    upgrade(engine)
    from qms.db import unit_of_work as uow

    with uow(engine) as session:
        logins = demo_data.load(session=session, settings=current)
    # The demo's due and overdue items reach the inboxes now, not at the next daily sweep.
    from datetime import datetime

    from qms.reminders import service as reminders

    run = reminders.sweep(
        engine=engine, settings=current, as_of=datetime.now(current.tz).date(), trigger="demo"
    )
    engine.dispose()
    typer.echo(f"reminder sweep: {run.created} reminders created")
    if logins is None:
        typer.echo("demo data already loaded")
        logins = demo_data.LOGINS
    typer.echo("Demo logins (password for all: %s):" % demo_data.PASSWORD)
    for email, name, roles in logins:
        typer.echo(f"  {email:<28} {name:<24} {', '.join(roles)}")


# --- users ------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    email: str,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[list[Role], typer.Option("--role", help="Role; repeat for several.")],
    department: Annotated[str | None, typer.Option(help="Department code.")] = None,
    title: Annotated[str, typer.Option(help="Position title (Chức danh).")] = "",
) -> None:
    """Add a user; the password is read from standard input."""
    from qms.auth import service

    password = (
        sys.stdin.readline().rstrip("\n")
        if not sys.stdin.isatty()
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    with unit_of_work() as session:
        department_id = None
        if department:
            department_id = service.department_by_code(session=session, code=department).id
        user = service.create_user(
            session=session,
            by=None,
            email=email,
            full_name=name,
            password=password,
            roles=role,
            department_id=department_id,
            position_title=title,
        )
        typer.echo(f"user {user.id} {user.email} added: {', '.join(sorted(user.roles))}")


@users_app.command("list")
def users_list() -> None:
    """List the users and their roles."""
    from qms.auth import service

    with unit_of_work() as session:
        for user in service.list_users(session=session, active_only=False):
            typer.echo(
                f"{user.id:>5} {user.email:<30} {user.full_name:<28} {','.join(sorted(user.roles))}"
            )


@users_app.command("token")
def users_token(
    email: str, name: Annotated[str, typer.Option(help="What the token is for.")] = "cli"
) -> None:
    """Issue a new API bearer token for the user; the token is the last line printed."""
    from qms.auth import service

    with unit_of_work() as session:
        user = service.user_by_email(session=session, email=email)
        row, token = service.create_token(session=session, user=user, name=name)
        typer.echo(f"token {row.id} issued to {user.email}; keep it secret:")
    typer.echo(token)


@users_app.command("revoke-token")
def users_revoke_token(token_id: int) -> None:
    """Revoke an API token by its id."""
    from qms.auth import service

    with unit_of_work() as session:
        service.revoke_token(session=session, by=None, token_id=token_id)
        typer.echo(f"token {token_id} revoked")


# --- departments ------------------------------------------------------------------------


@departments_app.command("add")
def departments_add(code: str, name: str) -> None:
    """Add a department."""
    from qms.auth import service

    with unit_of_work() as session:
        department = service.create_department(session=session, by=None, code=code, name=name)
        typer.echo(f"department {department.id} {department.code} added")


@departments_app.command("list")
def departments_list() -> None:
    """List the departments."""
    from qms.auth import service

    with unit_of_work() as session:
        for department in service.list_departments(session=session):
            typer.echo(f"{department.id:>4} {department.code:<10} {department.name}")


# --- trail ------------------------------------------------------------------------------


@trail_app.command("verify")
def trail_verify() -> None:
    """Check the hash chain of the audit trail; exit 1 naming the first bad event."""
    from qms.trail import service

    with unit_of_work() as session:
        result = service.verify(session=session)
    if result.ok:
        typer.echo(f"trail intact: {result.count} events")
        return
    typer.echo(
        f"trail broken at event {result.bad_seq}: {result.problem} "
        f"({result.count} events verified before it)",
        err=True,
    )
    raise typer.Exit(1)


@app.command()
def backup(target: Path) -> None:
    """Write a consistent archive of the database, the files and a manifest of hashes."""
    from qms.backup import backup as make_backup

    current = settings()
    engine = engine_for(current)
    try:
        manifest = make_backup(settings=current, engine=engine, target=target)
    except QMSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    rows = sum(manifest["rows"].values())
    typer.echo(f"backup written to {target}: {rows} rows, {len(manifest['files'])} files")


@app.command()
def restore(source: Path) -> None:
    """Restore an archive into an empty data directory (or an empty PostgreSQL database)."""
    from qms.backup import restore as do_restore

    current = settings()
    engine = engine_for(current)
    try:
        manifest = do_restore(settings=current, engine=engine, source=source)
    except QMSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(
        f"restored {sum(manifest['rows'].values())} rows and {len(manifest['files'])} files "
        f"from {source}; run `qms init` to upgrade and `qms trail verify` to check"
    )


def _register_domain_commands() -> None:
    from qms.registry import DOMAINS

    for name in DOMAINS:
        if find_spec(f"{name}.cli") is not None:
            import_module(f"{name}.cli").register(app)


_register_domain_commands()
