"""Choosing the run store from the settings: SQLite in the data directory unless CNN_DATABASE_URL names a server.
(The store's behaviour on both databases is in tests/server/test_store_backends.py.)"""

from __future__ import annotations

from app.config import Settings
from app.runs.store import RunStore, database_url


def test_a_postgresql_url_is_opened_with_psycopg_3_and_keeps_its_password():
    assert database_url("postgresql://cnn:s3cr%40t@db.example:5433/runs") == \
        "postgresql+psycopg://cnn:s3cr%40t@db.example:5433/runs"
    assert database_url("postgres://cnn@db/runs") == "postgresql+psycopg://cnn@db/runs"
    assert database_url("postgresql+psycopg://cnn@db/runs") == "postgresql+psycopg://cnn@db/runs"


def test_without_a_database_url_the_store_is_sqlite_in_the_data_directory(tmp_path):
    store = RunStore.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    assert store.url == f"sqlite:///{tmp_path / 'data' / 'runs.db'}"
    assert (tmp_path / "data" / "runs.db").exists()
    store.close()


def test_a_database_url_in_the_settings_chooses_that_server():
    store = RunStore.from_settings(Settings(database_url="postgresql://cnn:pw@127.0.0.1:1/runs"), migrate=False)
    assert store.url == "postgresql+psycopg://cnn:pw@127.0.0.1:1/runs" and store.engine.dialect.name == "postgresql"
    assert store.engine.dialect.driver == "psycopg"
