"""Alembic environment: the models' metadata, batch mode for SQLite, type comparison."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

from qms.registry import load_models

load_models()
target_metadata = SQLModel.metadata
# Objects the migrations manage by hand (full-text indexes and their shadow tables) are
# not in the models: autogenerate and the head-matches-models test leave them alone.
UNMODELLED_PREFIXES = ("fts_",)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
        **kwargs,
    )


def run_migrations_offline() -> None:
    config = context.config
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


if getattr(context, "config", None) is not None:  # run by Alembic, not imported by a test
    if context.is_offline_mode():
        run_migrations_offline()
    else:
        run_migrations_online()
