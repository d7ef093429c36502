"""The run store behaves the same on SQLite and on a real PostgreSQL server (a throwaway cluster started here):
migrations from an empty database and from one made before migrations, runs claimed once however many
processes claim, events in order, stop, interrupted runs, delete rules, and opened files kept out of listings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from live_server import ROOT
from postgres_server import postgres_server
from sqlalchemy import create_engine, inspect, text

from app.runs import migrations
from app.runs.imported import IMPORTED
from app.runs.store import RunStore, database_url

CLAIMERS = 4


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture
def store(url):
    store = RunStore(url)
    yield store
    store.close()


def tables(url: str) -> set[str]:
    engine = create_engine(database_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def revision(store: RunStore) -> str | None:
    with store.engine.connect() as connection:
        return migrations.current(connection)


def new_run(store: RunStore, dataset: str = "shapes", **fields) -> dict:
    run = store.create({"model": {"layers": []}, "seed": 1}, dataset, {"from_logits": False}, 1234,
                       **({"status": fields.pop("status")} if "status" in fields else {}))
    if fields:
        store.update(run["id"], **fields)
    return store.get(run["id"])


def test_an_empty_database_is_migrated_to_head_down_to_nothing_and_up_again(url):
    store = RunStore(url)
    assert tables(url) == {"runs", "events", "alembic_version"} and revision(store) == migrations.head()
    migrations.downgrade(store.engine, "base")
    assert tables(url) == {"alembic_version"} and revision(store) is None
    migrations.upgrade(store.engine)
    assert tables(url) == {"runs", "events", "alembic_version"} and revision(store) == migrations.head()
    run = new_run(store)
    assert store.get(run["id"])["status"] == "queued"
    store.close()


def test_a_database_made_before_migrations_is_stamped_and_keeps_its_runs(url):
    engine = create_engine(database_url(url))
    migrations.upgrade(engine, migrations.FIRST)  # the tables create_all made before there were migrations,
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))  # without Alembic's record of them
        connection.execute(text("INSERT INTO runs (id, created_at, status, dataset, request, loss, params, history, "
                                "stop_requested) VALUES ('oldrun', 1.0, 'done', 'shapes', '{}', '{}', 5, "
                                "'[{\"epoch\": 1, \"loss\": 0.5}]', FALSE)"))
    engine.dispose()
    store = RunStore(url)
    assert revision(store) == migrations.head()
    assert store.get("oldrun")["history"] == [{"epoch": 1, "loss": 0.5}] and store.all()[0]["id"] == "oldrun"
    store.close()


def test_processes_opening_an_empty_database_at_once_migrate_it_once(url):
    code = "import sys; from app.runs.store import RunStore; RunStore(sys.argv[1]).close()"
    openers = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE, text=True)
               for _ in range(CLAIMERS)]
    errors = [opener.communicate(timeout=120)[1] for opener in openers]
    assert [opener.returncode for opener in openers] == [0] * CLAIMERS, errors
    store = RunStore(url)
    assert revision(store) == migrations.head() and tables(url) == {"runs", "events", "alembic_version"}
    store.close()


def test_runs_are_queued_in_order_and_listed_newest_first_without_opened_files(store):
    first, second = new_run(store), new_run(store)
    opened = new_run(store, IMPORTED, status="done")
    assert first["status"] == "queued" and first["history"] == [] and first["stop_requested"] is False
    assert [store.queue_position(run) for run in (first, second)] == [1, 2]
    assert store.queue_position(opened) is None and store.queued_count() == 2
    assert [run["id"] for run in store.all(except_dataset=IMPORTED)] == [second["id"], first["id"]]
    assert [run["id"] for run in store.all()][0] == opened["id"]


def test_the_oldest_queued_run_is_claimed_first_and_a_finished_one_never(store):
    new_run(store, status="done")
    oldest, newer = new_run(store), new_run(store)
    claimed = store.claim_next()
    assert claimed["id"] == oldest["id"] and claimed["status"] == "running"
    assert claimed["started_at"] == claimed["heartbeat_at"] is not None
    assert store.claim_next()["id"] == newer["id"] and store.claim_next() is None


def test_stores_claiming_at_once_take_each_run_exactly_once(store, url):
    """As the trainers of several web processes do: each claimer has its own engine, so its own connections."""
    queued = {new_run(store)["id"] for _ in range(30)}
    claimed: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(CLAIMERS)

    def claimer() -> None:
        mine = RunStore(url, migrate=False)
        try:
            start.wait()
            while (run := mine.claim_next()) is not None:
                claimed.append(run["id"])
        except BaseException as error:
            errors.append(error)
        finally:
            mine.close()

    threads = [threading.Thread(target=claimer) for _ in range(CLAIMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(claimed) == sorted(queued)  # every run once: none twice, none left
    assert {run["status"] for run in store.all()} == {"running"}


def test_events_are_kept_in_order_per_run_and_resume_after_a_given_one(store):
    run, other = new_run(store), new_run(store)
    for epoch in range(1, 4):
        store.add_event(run["id"], "progress", {"epoch": epoch, "batch": 1})
        store.add_event(other["id"], "progress", {"epoch": epoch})
        store.add_event(run["id"], "epoch", {"epoch": epoch, "loss": 1 / epoch})
    store.add_event(run["id"], "end", {"status": "done", "message": {"ko": "끝났습니다"}})
    events = store.events_after(run["id"], 0)
    seqs = [seq for seq, _, _ in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    assert [kind for _, kind, _ in events] == ["progress", "epoch"] * 3 + ["end"]
    assert events[-1][2] == {"status": "done", "message": {"ko": "끝났습니다"}}
    assert store.events_after(run["id"], seqs[4]) == events[5:]
    assert store.events_after(run["id"], seqs[-1]) == []
    assert len(store.events_after(other["id"], 0)) == 3


def test_a_stop_ends_a_queued_run_at_once_and_flags_a_running_one_for_its_trainer(store):
    running, queued = new_run(store), new_run(store)
    assert store.claim_next()["id"] == running["id"]  # the older one
    stopped = store.request_stop(queued["id"])
    assert stopped["status"] == "stopped" and stopped["finished_at"] is not None
    assert [(kind, data) for _, kind, data in store.events_after(queued["id"], 0)] == [("end", {"status": "stopped"})]
    assert store.stop_requested(running["id"]) is False
    flagged = store.request_stop(running["id"])
    assert flagged["status"] == "running" and store.stop_requested(running["id"]) is True
    assert store.events_after(running["id"], 0) == []  # the trainer writes the end when it has stopped
    assert store.claim_next() is None


def test_a_run_whose_trainer_went_silent_is_interrupted_and_one_beating_is_left_alone(store):
    silent, beating = new_run(store), new_run(store)
    store.claim_next(), store.claim_next()
    store.update(silent["id"], heartbeat_at=time.time() - 120, history=[{"epoch": 1}])
    store.beat(beating["id"])
    assert store.interrupt_stale(30) == 1
    interrupted = store.get(silent["id"])
    assert interrupted["status"] == "interrupted" and interrupted["history"] == [{"epoch": 1}]
    assert interrupted["error"]["en"] and interrupted["error"]["ko"]
    assert [kind for _, kind, _ in store.events_after(silent["id"], 0)] == ["end"]
    assert store.get(beating["id"])["status"] == "running" and store.interrupt_stale(30) == 0


def test_a_server_shutting_down_interrupts_its_run_at_once_but_never_one_that_has_ended(store):
    training, ended = new_run(store), new_run(store)
    store.claim_next(), store.claim_next()
    store.update(training["id"], history=[{"epoch": 1}], progress={"epoch": 2, "batch": 10})
    store.update(ended["id"], status="done")  # its worker wrote the end just before the server stopped
    store.interrupt(training["id"]), store.interrupt(ended["id"])
    interrupted = store.get(training["id"])
    assert interrupted["status"] == "interrupted" and interrupted["history"] == [{"epoch": 1}]
    assert interrupted["progress"] is None and "shut down" in interrupted["error"]["en"]
    assert [kind for _, kind, _ in store.events_after(training["id"], 0)] == ["end"]
    assert store.get(ended["id"])["status"] == "done" and store.events_after(ended["id"], 0) == []


def test_only_finished_or_queued_runs_are_deleted_and_their_events_go_with_them(store):
    running = new_run(store)
    store.claim_next()
    done, queued = new_run(store, status="done"), new_run(store)
    store.add_event(done["id"], "end", {"status": "done"})
    assert store.delete(running["id"]) is None and store.get(running["id"])["status"] == "running"
    assert store.delete(done["id"])["id"] == done["id"]
    assert store.get(done["id"]) is None and store.events_after(done["id"], 0) == []
    assert store.delete(queued["id"])["status"] == "queued" and store.get(queued["id"]) is None
    assert store.delete("nosuchrun") is None
    assert [run["id"] for run in store.all()] == [running["id"]]


def test_a_new_sqlite_database_another_connection_is_writing_is_opened_once_it_is_free(tmp_path):
    """SQLite refuses the switch to WAL at once, without waiting, while another connection writes: a process
    starting beside one that migrates a new database got "database is locked"."""
    path = tmp_path / "runs.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO other VALUES (1)")
    done = threading.Timer(0.5, writer.execute, ["COMMIT"])
    done.start()
    store = RunStore(f"sqlite:///{path}")
    done.join()
    assert revision(store) == migrations.head() and new_run(store)["status"] == "queued"
    store.close()
    writer.close()
