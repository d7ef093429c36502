"""A small pool of TensorFlow worker processes, so TensorFlow never runs in the web process.

Each worker is a fresh interpreter (``spawn``: nothing of the server is
forked) that imports TensorFlow once and then answers jobs over a pipe. The
server waits for an answer with a deadline and watches the worker's resident
memory meanwhile; a worker that runs over time or memory, or dies, is killed
and replaced, and the caller gets a clear error. Workers are also replaced
after a number of jobs, because Keras keeps a little memory per model built.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import time
from multiprocessing.connection import Connection
from typing import Any

import anyio

from app.config import Settings
from app.core.text import Text


class WorkerError(Exception):
    """A job that did not complete; ``status`` is the HTTP status to answer with, ``text`` says why."""

    status = 503

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


class WorkerTimeout(WorkerError):
    status = 504


class WorkerBusy(WorkerError):
    status = 503


class WorkerCrashed(WorkerError):
    status = 503


class JobFailed(WorkerError):
    """The job itself raised (e.g. TensorFlow cannot run this model here): the request's fault, not the worker's."""

    status = 422


def serve(conn: Connection) -> None:  # pragma: no cover - runs in the child process
    """The worker's main loop: import TensorFlow once, then answer (job, payload) messages."""
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # CPU only: no GPU probing noise or delay
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from app.tf.jobs import JOBS

    conn.send(("ready", os.getpid()))
    while True:
        try:
            job, payload = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", JOBS[job](payload)))
        except Exception as error:  # any failure of the job is reported, the worker lives on
            conn.send(("error", f"{type(error).__name__}: {error}"))


def resident_mb(pid: int) -> float:
    """Resident memory of a process in MiB (0 if it is gone), from /proc."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
STARTING = Text("starting", "시작")
RUNNING = Text("running the job", "작업 실행")


class Worker:
    POLL_S = 0.02

    def __init__(self, settings: Settings):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), daemon=True, name="cnn-blocks-worker")
        self.process.start()
        child.close()
        self.settings = settings
        self.ready = False
        self.jobs = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def call(self, job: str, payload: Any) -> Any:
        """Blocking: run one job. Raises a WorkerError subclass when it cannot answer."""
        if not self.ready:
            self._wait(STARTING, self.settings.worker_start_timeout_s, "CNN_WORKER_START_TIMEOUT_S")
            self.ready = True
        self.jobs += 1
        try:
            self._conn.send((job, payload))
        except OSError:  # the worker died since it was last seen alive
            raise self._stopped(RUNNING)
        kind, value = self._wait(RUNNING, self.settings.job_timeout_s, "CNN_JOB_TIMEOUT_S")
        if kind == "error":
            reason = _ANSI.sub("", value)  # Keras colours its messages for terminals
            raise JobFailed(Text(f"TensorFlow could not run this model: {reason}",
                                 f"TensorFlow가 이 모델을 실행하지 못했습니다: {reason}"))
        return value

    def _wait(self, doing: Text, timeout_s: float, setting: str) -> tuple[str, Any]:
        deadline = time.monotonic() + timeout_s
        while not self._conn.poll(self.POLL_S):
            if not self.alive():
                raise self._stopped(doing)
            if resident_mb(self.pid) > self.settings.worker_memory_mb:
                self.kill()
                limit = self.settings.worker_memory_mb
                raise WorkerCrashed(Text(
                    f"the TensorFlow worker went over {limit:,} MB while {doing.en} (setting CNN_WORKER_MEMORY_MB); "
                    "try a smaller model or image",
                    f"TensorFlow 작업자가 {doing.ko} 중에 {limit:,} MB를 넘었습니다 (설정 CNN_WORKER_MEMORY_MB); "
                    "더 작은 모델이나 이미지로 해 보세요"))
            if time.monotonic() > deadline:
                self.kill()
                raise WorkerTimeout(Text(
                    f"the TensorFlow worker took longer than {timeout_s:g} s {doing.en} (setting {setting}); "
                    "it has been replaced; try a smaller model or image",
                    f"TensorFlow 작업자의 {doing.ko}이(가) {timeout_s:g}초를 넘었습니다 (설정 {setting}); "
                    "새 작업자로 바꿨으니 더 작은 모델이나 이미지로 해 보세요"))
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            raise self._stopped(doing)

    def _stopped(self, doing: Text) -> WorkerCrashed:
        code = self.process.exitcode
        return WorkerCrashed(Text(
            f"the TensorFlow worker stopped while {doing.en} (exit code {code}); it has been replaced, try again",
            f"TensorFlow 작업자가 {doing.ko} 중에 멈췄습니다 (종료 코드 {code}); 새 작업자로 바꿨으니 다시 해 보세요"))

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self._conn.close()


class WorkerPool:
    """A fixed number of workers; a request waits for an idle one (bounded by the job timeout)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: list[Worker] = []

    def start(self) -> None:
        """Spawn the workers now; they import TensorFlow in the background while the server answers."""
        for _ in range(self.settings.workers):
            worker = Worker(self.settings)
            self.workers.append(worker)
            self._idle.put_nowait(worker)

    async def run(self, job: str, payload: Any) -> Any:
        if self.settings.workers == 0:  # none configured: say so now rather than after a wait that cannot end well
            raise WorkerBusy(Text("feature maps are turned off on this server (setting CNN_WORKERS=0)",
                                  "이 서버에서는 특성 맵이 꺼져 있습니다 (설정 CNN_WORKERS=0)"))
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.settings.job_timeout_s)
        except asyncio.TimeoutError:
            raise WorkerBusy(Text("every TensorFlow worker is busy; try again in a moment (setting CNN_WORKERS)",
                                  "모든 TensorFlow 작업자가 바쁩니다; 잠시 뒤 다시 해 보세요 (설정 CNN_WORKERS)"))
        if not worker.alive():  # died while idle (killed, out of memory): replace it before use
            worker = self._replace(worker)
        try:
            return await anyio.to_thread.run_sync(worker.call, job, payload)
        finally:
            self._return(worker)

    def _return(self, worker: Worker) -> None:
        if worker.alive() and worker.jobs < self.settings.worker_max_jobs:
            self._idle.put_nowait(worker)
            return
        self._idle.put_nowait(self._replace(worker))

    def _replace(self, worker: Worker) -> Worker:
        fresh = Worker(self.settings)  # first, so that a failure here leaves the pool as it was
        worker.kill()
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.workers.clear()
