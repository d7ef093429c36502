"""A throwaway PostgreSQL server for tests: Debian's binaries, a cluster in a temporary directory, loopback only,
a role with a random password; stopped with pg_ctl (or by its PID) and deleted at the end.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user that Debian's package
creates and every command runs through ``runuser``. ``make test`` installs the package (``make system-deps``);
a test that finds it missing fails and says so, rather than skipping."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from live_server import free_port

ROLE = "cnn_blocks"
START_TIMEOUT_S = 60


def binaries() -> Path:
    """The newest installed PostgreSQL's bin directory."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/pg_ctl): "
                           "`make test` installs Debian's postgresql package, or run `make system-deps`, "
                           "or `apt-get install postgresql`")
    return found[-1].parent


class PostgresServer:
    def __init__(self, folder: Path, port: int, password: str, owner: str | None):
        self.folder, self.port, self.password, self.owner = folder, port, password, owner
        self.data = folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{ROLE}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; its URL (``postgresql://…``, as CNN_DATABASE_URL takes it)."""
        name = name or f"test_{secrets.token_hex(4)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def run(self, *command: str, **options) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", self.owner, "--"] if self.owner else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True, check=True, **options)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = binaries()
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="cnn-blocks-postgres-"))
    server = PostgresServer(folder, free_port(), secrets.token_urlsafe(16), owner)
    try:
        _start(server, bin_dir)
        yield server
    finally:
        _stop(server, bin_dir)
        shutil.rmtree(folder, ignore_errors=True)


def _start(server: PostgresServer, bin_dir: Path) -> None:
    folder = server.folder
    (folder / "password").write_text(server.password + "\n")
    if server.owner:
        user = pwd.getpwnam(server.owner)
        for path in (folder, folder / "password"):
            os.chown(path, user.pw_uid, user.pw_gid)
    try:
        server.run(str(bin_dir / "initdb"), "-D", str(server.data), "-U", ROLE, "--auth=scram-sha-256",
                   f"--pwfile={folder / 'password'}", "--encoding=UTF8", "--no-sync", timeout=START_TIMEOUT_S)
        options = f"-k {folder} -p {server.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        server.run(str(bin_dir / "pg_ctl"), "-D", str(server.data), "-o", options, "-l", str(folder / "log"),
                   "-w", "-t", str(START_TIMEOUT_S), "start", timeout=START_TIMEOUT_S + 10)
    except subprocess.CalledProcessError as error:
        log = folder / "log"
        raise RuntimeError(f"PostgreSQL did not start: {error.cmd}: {error.stderr}"
                           f"{log.read_text()[-2000:] if log.exists() else ''}") from error


def _stop(server: PostgresServer, bin_dir: Path) -> None:
    if not (server.data / "postmaster.pid").exists():
        return
    pid = server.pid()
    try:
        server.run(str(bin_dir / "pg_ctl"), "-D", str(server.data), "-m", "fast", "-w", "stop", timeout=30)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        try:
            os.kill(pid, 9)  # the postmaster this helper started; its backends exit with it
        except ProcessLookupError:
            pass
