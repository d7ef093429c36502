"""The run store's schema, kept by Alembic: one revision file per change in ``versions/``.

Every process that opens the store (each web process, each training worker) calls :func:`upgrade`: a quick
look at ``alembic_version`` when the schema is current, and otherwise the upgrade under a lock, so several
processes starting at once migrate once: PostgreSQL's advisory lock, held for the migrating transaction, or an
exclusive lock on a file beside the SQLite database. A database made before migrations (the tables of the first
revision, no ``alembic_version``) is stamped with that revision first and keeps its runs.

For a developer: ``python -m app.runs.migrations revision --autogenerate -m "what changed"`` writes a new revision
from the models in :mod:`app.runs.store`; ``upgrade``, ``downgrade`` and ``current`` work as in ``alembic``, on the
database the settings name (CNN_DATABASE_URL, or ``runs.db`` in CNN_DATA_DIR).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

HERE = Path(__file__).resolve().parent
FIRST = "0001"  # the schema create_all made before migrations
LOCK_KEY = 0x434E4E5F52554E53  # pg_advisory_xact_lock's key: "CNN_RUNS"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection  # env.py migrates on it, inside our transaction and lock
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is there already."""
    target = head() if revision == "head" else revision
    with engine.connect() as connection:
        if current(connection) == target:  # the common case: no lock, one small query
            return
    with _locked(engine) as connection:
        if current(connection) == target:  # another process migrated while we waited for the lock
            return
        cfg = config(connection)
        if current(connection) is None and inspect(connection).has_table("runs"):
            command.stamp(cfg, FIRST)  # made by create_all before migrations: already the first revision
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with _locked(engine) as connection:
        command.downgrade(config(connection), revision)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A transaction that no other process migrating the same database runs beside."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # DDL is transactional here: the whole upgrade commits or none of it
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            yield connection
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        with engine.begin() as connection:  # nobody else can see this database
            yield connection
        return
    with open(f"{database}.migrating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if this process dies
        with engine.begin() as connection:
            yield connection
