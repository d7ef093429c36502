"""The run store: every run, its progress and its results, in a real database through SQLAlchemy.

SQLite in WAL mode by default (a file in CNN_DATA_DIR), so the training worker process writes progress while
the web process reads it for the event streams; PostgreSQL when CNN_DATABASE_URL names one. Either way several
processes share it: each web process's trainer claims runs atomically, a stop is a flag the training worker
reads, and event streams poll the events table, so any web process can list, stream or stop any run. Each
run's events (progress, epochs, the end) are kept in order, so a client that connects late, or resumes with
Last-Event-ID, gets what happened so far first. The schema is Alembic's (app.runs.migrations), brought up to
date whenever a store is opened."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    create_engine,
    delete,
    event,
    func,
    make_url,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.config import Settings
from app.runs import migrations

FINAL = ("done", "stopped", "failed", "interrupted")
WAL_SWITCH_S = 30.0  # how long a new SQLite database may be busy (migrated by another process) before we give up
SERVER_DIED = {"en": "the server stopped while this run was training; the epochs it completed are kept",
               "ko": "이 실행이 학습하는 동안 서버가 멈췄습니다; 끝난 에포크는 남아 있습니다"}
SERVER_STOPPED = {"en": "the server was shut down while this run was training; the epochs it completed are kept",
                  "ko": "이 실행이 학습하는 동안 서버가 종료되었습니다; 끝난 에포크는 남아 있습니다"}


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued running done stopped failed interrupted
    dataset: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict] = mapped_column(JSON)
    loss: Mapped[dict] = mapped_column(JSON)  # the loss chosen and why
    params: Mapped[int] = mapped_column(Integer)
    history: Mapped[list] = mapped_column(JSON, default=list)
    progress: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    results: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # test, confusion, per_class, misclassified
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    heartbeat_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # its trainer is alive as of then
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    weights: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # Where it trained (revision 0002), written by the training job as it starts: "local" or "ray", the Ray node's
    # id, and the process.
    engine: Mapped[str | None] = mapped_column(String(8), nullable=True)
    node: Mapped[str | None] = mapped_column(String(64), nullable=True)
    worker_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Event(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # progress, epoch, end
    data: Mapped[dict] = mapped_column(JSON)


def _wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    _journal_to_wal(cursor)  # readers never wait for the training writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _journal_to_wal(cursor) -> None:
    """Switching a new database's journal needs the file to itself, and while another connection writes SQLite
    answers "database is locked" at once, without waiting out busy_timeout: two processes starting on a new
    database (one migrating it) met that in CI. Try again for a while; a database already in WAL passes at once."""
    deadline = time.monotonic() + WAL_SWITCH_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def database_url(url: str) -> str:
    """SQLAlchemy's URL for ours: ``postgresql://`` (or ``postgres://``) is PostgreSQL through psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class RunStore:
    def __init__(self, url: str, migrate: bool = True):
        self.url = database_url(url)  # what the training worker opens too (payload["db_url"])
        self.engine = create_engine(self.url, pool_pre_ping=not self.url.startswith("sqlite"))
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", _wal)
        if migrate:
            migrations.upgrade(self.engine)

    @classmethod
    def in_dir(cls, data_dir: Path, migrate: bool = True) -> RunStore:
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{data_dir / 'runs.db'}", migrate)

    @classmethod
    def from_settings(cls, settings: Settings, migrate: bool = True) -> RunStore:
        """CNN_DATABASE_URL when set, else ``runs.db`` in CNN_DATA_DIR."""
        if settings.database_url:
            return cls(settings.database_url, migrate)
        return cls.in_dir(settings.data_dir, migrate)

    def close(self) -> None:
        self.engine.dispose()

    def create(self, request: dict, dataset: str, loss: dict, params: int, status: str = "queued") -> dict:
        run = Run(id=uuid.uuid4().hex[:12], created_at=time.time(), status=status, dataset=dataset,
                  request=request, loss=loss, params=params, history=[])
        with Session(self.engine) as session, session.begin():
            session.add(run)
            session.flush()
            return self._json(run)

    def get(self, run_id: str) -> dict | None:
        with Session(self.engine) as session:
            run = session.get(Run, run_id)
            return None if run is None else self._json(run)

    def all(self, except_dataset: str | None = None) -> list[dict]:
        query = select(Run).order_by(Run.created_at.desc())
        if except_dataset is not None:
            query = query.where(Run.dataset != except_dataset)
        with Session(self.engine) as session:
            return [self._json(run) for run in session.scalars(query)]

    def update(self, run_id: str, **fields: Any) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(update(Run).where(Run.id == run_id).values(**fields))

    def claim_next(self) -> dict | None:
        """The oldest queued run, now running; None if none waits. Safe when several processes claim at once: the
        update only takes a run still queued (PostgreSQL also skips rows another claim has locked)."""
        oldest = (select(Run.id).where(Run.status == "queued").order_by(Run.created_at, Run.id).limit(1)
                  .with_for_update(skip_locked=True))
        while True:
            with Session(self.engine) as session, session.begin():
                run_id = session.scalar(oldest)
                if run_id is None:
                    return None
                now = time.time()
                claimed = session.execute(update(Run).where(Run.id == run_id, Run.status == "queued")
                                          .values(status="running", started_at=now, heartbeat_at=now))
                if claimed.rowcount:
                    return self._json(session.get(Run, run_id))
            # another process took it between our look and our update: look again

    def queue_position(self, run: dict) -> int | None:
        if run["status"] != "queued":
            return None
        with Session(self.engine) as session:
            ahead = session.scalar(select(func.count()).select_from(Run)
                                   .where(Run.status == "queued", Run.created_at < run["created_at"]))
            return ahead + 1

    def queued_count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(Run).where(Run.status == "queued"))

    def request_stop(self, run_id: str) -> dict | None:
        """Queued: stopped at once. Running: the trainer stops after the current batch."""
        with Session(self.engine) as session, session.begin():
            stopped = session.execute(update(Run).where(Run.id == run_id, Run.status == "queued")
                                      .values(status="stopped", finished_at=time.time()))
            session.execute(update(Run).where(Run.id == run_id).values(stop_requested=True))
            if stopped.rowcount:  # its event stream ends too
                session.add(Event(run_id=run_id, kind="end", data={"status": "stopped"}))
        return self.get(run_id)

    def stop_requested(self, run_id: str) -> bool:
        with Session(self.engine) as session:
            return bool(session.scalar(select(Run.stop_requested).where(Run.id == run_id)))

    def beat(self, run_id: str) -> None:
        self.update(run_id, heartbeat_at=time.time())

    def interrupt_stale(self, stale_s: float) -> int:
        """Runs whose trainer has not been heard from in ``stale_s`` (its server died) are interrupted, with the
        epochs they completed. By heartbeat rather than "every running run at start-up": with several web
        processes sharing the store, one starting must not interrupt the runs another is training."""
        now = time.time()
        with Session(self.engine) as session, session.begin():
            stale = list(session.scalars(select(Run.id).where(Run.status == "running", Run.heartbeat_at < now - stale_s)))
            for run_id in stale:
                self._interrupt(session, run_id, SERVER_DIED, now)
            return len(stale)

    def interrupt(self, run_id: str) -> None:
        """The server is stopping while this run trains (Ctrl-C, a deploy): interrupted now, not after
        CNN_RUN_STALE_S of silence. A run that has just ended keeps its status."""
        with Session(self.engine) as session, session.begin():
            self._interrupt(session, run_id, SERVER_STOPPED, time.time())

    @staticmethod
    def _interrupt(session: Session, run_id: str, message: dict, now: float) -> None:
        interrupted = session.execute(update(Run).where(Run.id == run_id, Run.status == "running")
                                      .values(status="interrupted", error=message, progress=None, finished_at=now))
        if interrupted.rowcount:
            session.add(Event(run_id=run_id, kind="end", data={"status": "interrupted", "error": message}))

    def delete(self, run_id: str) -> dict | None:
        """Only a finished or queued run. The delete itself says so (status in its WHERE): a trainer of another
        process may claim the run between our look and our delete, and a running run must stay."""
        with Session(self.engine) as session, session.begin():
            run = session.get(Run, run_id)
            if run is None or run.status not in (*FINAL, "queued"):
                return None
            gone = self._json(run)
            removed = session.execute(delete(Run).where(Run.id == run_id, Run.status.in_((*FINAL, "queued"))))
            if not removed.rowcount:
                return None
            session.execute(delete(Event).where(Event.run_id == run_id))
            return gone

    def add_event(self, run_id: str, kind: str, data: dict) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(Event(run_id=run_id, kind=kind, data=data))

    def events_after(self, run_id: str, seq: int) -> list[tuple[int, str, dict]]:
        with Session(self.engine) as session:
            rows = session.execute(select(Event.seq, Event.kind, Event.data)
                                   .where(Event.run_id == run_id, Event.seq > seq).order_by(Event.seq))
            return [tuple(row) for row in rows]

    @staticmethod
    def _json(run: Run) -> dict:
        return {column.name: getattr(run, column.name) for column in Run.__table__.columns}
