"""One TensorFlow worker process, driven from the event loop.

Each worker is a fresh interpreter (``spawn``: nothing of the server is forked) that imports TensorFlow
once and then answers jobs over a pipe. The server waits for an answer without blocking its event loop
(the pipe is watched with ``add_reader``), with a deadline, watching the worker's resident memory
meanwhile. A worker that runs over time or memory, whose caller went away, or that dies, is killed; the
caller gets a clear error and the pool starts another.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from multiprocessing.connection import Connection
from typing import Any

import anyio

from app.config import Settings
from app.core.text import Text, josa
from app.jobs.errors import WorkerCrashed, WorkerTimeout
from app.jobs.outcome import Deadline, execute, outcome, set_here

MEMORY_POLL_S = 0.05  # how often a running job's worker memory is read from /proc
STARTING = Text("starting", "시작")
RUNNING = Text("running the job", "작업 실행")


def serve(conn: Connection) -> None:  # pragma: no cover - runs in the child process
    """The worker's main loop: import TensorFlow once, then answer (job, payload) messages."""
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # CPU only: no GPU probing noise or delay
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import app.tf.jobs  # noqa: F401  (TensorFlow, loaded before saying ready)

    set_here(engine="local")
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job, payload = conn.recv()
        except EOFError:
            return
        conn.send(execute(job, payload))


def resident_mb(pid: int | None) -> float:
    """Resident memory of a process in MiB (0 if it is gone), from /proc."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Worker:
    """A spawned worker process. ``Worker(settings)`` raises OSError when the process cannot be started."""

    def __init__(self, settings: Settings):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        try:
            self.process = context.Process(target=serve, args=(child,), daemon=True, name="cnn-blocks-worker")
            self.process.start()
        except BaseException:
            self._conn.close()
            raise
        finally:
            child.close()
        self.settings = settings
        self.ready = False
        self.jobs = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def poll_ready(self) -> bool:
        """True once TensorFlow has loaded, without waiting."""
        if not self.ready and self.alive() and self._conn.poll():
            self.ready = self._conn.recv()[0] == "ready"
        return self.ready

    async def wait_ready(self) -> None:
        if not self.ready:
            await self._receive(STARTING, self.settings.worker_start_timeout_s, "CNN_WORKER_START_TIMEOUT_S",
                                small=True)
            self.ready = True

    async def call(self, job: str, payload: Any, deadline: Deadline | None = None) -> Any:
        """Run one job, within ``deadline`` (by default CNN_JOB_TIMEOUT_S). Raises a WorkerError subclass when it cannot answer; cancelled, it kills the worker
        if the job was already in its hands (a worker still loading TensorFlow is left to finish loading:
        killing it for every impatient client kept feature maps off while the CPU re-imported TensorFlow)."""
        await self.wait_ready()
        try:
            self.jobs += 1
            try:
                await anyio.to_thread.run_sync(self._conn.send, (job, payload))  # megabytes: not on the loop
            except OSError:  # the worker died since it was last seen alive
                raise self._stopped(RUNNING)
            deadline = deadline or Deadline(self.settings.job_timeout_s, "CNN_JOB_TIMEOUT_S")
            kind, value = await self._receive(RUNNING, *deadline)
        except asyncio.CancelledError:  # the caller went away: free the CPU rather than finish for nobody
            self.kill()
            raise
        return outcome(kind, value)

    async def _receive(self, doing: Text, timeout_s: float, setting: str, small: bool = False) -> tuple[str, Any]:
        """The worker's next message; meanwhile watch its life, memory and the deadline.

        The pipe is polled from a thread, a slice at a time, rather than watched with the loop's add_reader:
        uvloop makes a watched descriptor non-blocking, and the pipe's blocking reads then fail mid-message."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not await anyio.to_thread.run_sync(self._conn.poll, MEMORY_POLL_S, abandon_on_cancel=True):
            failure = self._failure(doing) or (
                self._too_slow(doing, timeout_s, setting) if loop.time() > deadline else None)
            if failure is not None:
                self.kill()
                raise failure
        try:
            if small:  # read at once: no await between seeing it and having it, so a cancel cannot lose it
                return self._conn.recv()
            return await anyio.to_thread.run_sync(self._conn.recv)  # large answers unpickle off the loop
        except (EOFError, OSError):
            raise self._stopped(doing)

    def _failure(self, doing: Text) -> WorkerCrashed | None:
        if not self.alive():
            return self._stopped(doing)
        if resident_mb(self.pid) > self.settings.worker_memory_mb:
            limit = self.settings.worker_memory_mb
            return WorkerCrashed(Text(
                f"the TensorFlow worker went over {limit:,} MB while {doing.en} (setting CNN_WORKER_MEMORY_MB); "
                "try a smaller model or image",
                f"TensorFlow 작업자가 {doing.ko} 중에 {limit:,} MB를 넘었습니다 (설정 CNN_WORKER_MEMORY_MB); "
                "더 작은 모델이나 이미지로 해 보세요"))
        return None

    @staticmethod
    def _too_slow(doing: Text, timeout_s: float, setting: str) -> WorkerTimeout:
        return too_slow(doing, timeout_s, setting)

    def _stopped(self, doing: Text) -> WorkerCrashed:
        self.process.join(timeout=0.5)  # reap it, so that its exit code is known; it is dead or dying: brief
        how = exit_reason(self.process.exitcode)
        return WorkerCrashed(Text(
            f"the TensorFlow worker stopped while {doing.en} ({how.en}); it has been replaced, try again",
            f"TensorFlow 작업자가 {doing.ko} 중에 멈췄습니다 ({how.ko}); 새 작업자로 바꿨으니 다시 해 보세요"))

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self._conn.close()


def too_slow(doing: Text, timeout_s: float, setting: str) -> WorkerTimeout:
    return WorkerTimeout(Text(
        f"the TensorFlow worker took longer than {timeout_s:g} s {doing.en} (setting {setting}); "
        "it has been replaced; try a smaller model or image",
        f"TensorFlow 작업자의 {josa(doing.ko, '이/가')} {timeout_s:g}초를 넘었습니다 (설정 {setting}); "
        "새 작업자로 바꿨으니 더 작은 모델이나 이미지로 해 보세요"))


def exit_reason(code: int | None) -> Text:
    """How a process ended, as a person would want it said.

    >>> exit_reason(-9).en
    'killed by signal SIGKILL, often the system running out of memory'
    >>> exit_reason(1).ko
    '종료 코드 1'
    """
    if code is None:
        return Text("still shutting down", "아직 종료 중")
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        oom = ", often the system running out of memory" if name == "SIGKILL" else ""
        oom_ko = ", 흔히 시스템 메모리 부족" if name == "SIGKILL" else ""
        return Text(f"killed by signal {name}{oom}", f"신호 {josa(name, '으로/로')} 종료됨{oom_ko}")
    return Text(f"exit code {code}", f"종료 코드 {code}")
