"""Alembic's entry: migrate on the connection app.runs.migrations hands over (inside its transaction and lock),
or, from ``python -m app.runs.migrations``, on the database the settings name."""

from alembic import context

from app.runs.store import Base, RunStore


def run_migrations(connection) -> None:
    # Batch mode: SQLite alters a table by copying it, which future revisions then get without thinking of it.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from app.config import get_settings

    with RunStore.from_settings(get_settings(), migrate=False).engine.begin() as connection:
        run_migrations(connection)


if hasattr(context, "config"):  # run by Alembic; merely imported (pytest collecting doctests), it does nothing
    main()
