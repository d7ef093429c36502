"""A fixed number of worker slots that cannot wedge.

Each slot holds at most one worker. A request waits for a free slot (at most CNN_MAX_QUEUED_JOBS requests
wait; more are answered 429 at once, so what waiting requests hold has a ceiling), takes the slot's worker,
and always gives the slot back, whatever happened. A slot whose worker died, was killed or could not be
started gets a new worker started in the background; a start that fails (out of descriptors or memory) is
retried with a doubling backoff and said in the answers meanwhile, and nothing of the old worker is left
running. Workers are also retired after CNN_WORKER_MAX_JOBS jobs, because Keras keeps a little memory per
model built; the successor is started ahead of time, so no request waits for TensorFlow to load.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from app.config import Settings
from app.core.text import Text
from app.jobs.errors import WorkerBusy, WorkerUnavailable
from app.jobs.outcome import Deadline, Done
from app.jobs.process import Worker

log = logging.getLogger("cnn_blocks.jobs")

MAX_BACKOFF_S = 30.0
SUCCESSOR_LEAD = 25  # jobs before retirement at which the successor starts loading TensorFlow


def turned_off_error() -> WorkerUnavailable:
    return WorkerUnavailable(Text("feature maps are turned off on this server (setting CNN_WORKERS=0)",
                                  "이 서버에서는 특성 맵이 꺼져 있습니다 (설정 CNN_WORKERS=0)"))


def busy_error(waiting: int) -> WorkerBusy:
    return WorkerBusy(Text(
        f"{waiting} requests are already waiting for the TensorFlow workers; try again in a moment "
        "(settings CNN_MAX_QUEUED_JOBS, CNN_WORKERS)",
        f"요청 {waiting}개가 이미 TensorFlow 작업자를 기다립니다; 잠시 뒤 다시 해 보세요 "
        "(설정 CNN_MAX_QUEUED_JOBS, CNN_WORKERS)"), retry_after_s=2)


def stayed_busy_error() -> WorkerBusy:
    return WorkerBusy(Text("every TensorFlow worker stayed busy; try again in a moment (setting CNN_WORKERS)",
                           "모든 TensorFlow 작업자가 계속 바빴습니다; 잠시 뒤 다시 해 보세요 (설정 CNN_WORKERS)"),
                      retry_after_s=5)


class Slot:
    def __init__(self, index: int):
        self.index = index
        self.worker: Worker | None = None
        self.successor: Worker | None = None
        self.backoff_s = 0.0
        self.retry: asyncio.TimerHandle | None = None
        self.start_error: str | None = None


class WorkerPool:
    """The local backend of :class:`app.jobs.Jobs`: TensorFlow worker processes on this machine."""

    engine = "local"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.slots = [Slot(i) for i in range(settings.workers)]
        self._free: asyncio.Queue[Slot] = asyncio.Queue()
        self.waiting = 0
        self.cold_jobs = 0  # jobs that had to wait for TensorFlow to load: the first, and any after a crash
        self._closed = False

    @property
    def workers(self) -> list[Worker]:
        """The current workers, slot by slot (tests and benchmarks look at their PIDs)."""
        return [slot.worker for slot in self.slots if slot.worker is not None]

    def start(self) -> None:
        """Start the workers now; they import TensorFlow in the background while the server answers."""
        for slot in self.slots:
            self._refill(slot)
            self._free.put_nowait(slot)

    async def run(self, job: str, payload: Any, *, deadline: Deadline | None = None) -> Any:
        return (await self.call(job, payload, deadline=deadline)).value

    async def call(self, job: str, payload: Any, *, deadline: Deadline | None = None) -> Done:
        """The job's answer and where it ran (this machine, which worker process)."""
        slot = await self._acquire()
        try:
            worker = self._worker_for(slot)
            self.cold_jobs += not worker.poll_ready()
            value = await worker.call(job, payload, deadline)
            return Done(value, {"engine": self.engine, "worker_pid": worker.pid})
        finally:
            self._release(slot)

    def check_room(self) -> None:
        """Refuse now if a job could not even wait: before the caller reads its upload into memory."""
        if not self.slots:  # none configured: say so now rather than after a wait that cannot end well
            raise turned_off_error()
        if self._free.empty() and self.waiting >= self.settings.max_queued_jobs:
            raise busy_error(self.waiting)

    async def _acquire(self) -> Slot:
        self.check_room()
        self.waiting += 1
        try:
            return await asyncio.wait_for(self._free.get(), timeout=self.settings.job_timeout_s)
        except TimeoutError:
            raise stayed_busy_error()
        finally:
            self.waiting -= 1

    def _worker_for(self, slot: Slot) -> Worker:
        """The slot's worker, swapped for its successor once that is ready; an error if there is none."""
        retiring = slot.worker is not None and slot.worker.jobs >= self.settings.worker_max_jobs
        if retiring and slot.successor is not None and slot.successor.poll_ready():  # else the old one goes on
            self._retire(slot.worker)
            slot.worker, slot.successor = slot.successor, None
        if slot.worker is not None and not slot.worker.alive():  # died while idle (killed, out of memory)
            self._retire(slot.worker)
            slot.worker = None
            self._refill(slot)
        if slot.worker is None:
            reason = slot.start_error or "starting"
            raise WorkerUnavailable(Text(
                f"the TensorFlow worker could not be started ({reason}); retrying in the background, "
                "try again in a moment",
                f"TensorFlow 작업자를 시작하지 못했습니다 ({reason}); 계속 다시 시도하니 잠시 뒤 다시 해 보세요"),
                retry_after_s=max(1.0, slot.backoff_s))
        return slot.worker

    def _release(self, slot: Slot) -> None:
        """Every path ends here: the slot goes back, with a worker that can serve or one on its way."""
        try:
            worker = slot.worker
            if worker is not None and not worker.alive():  # killed for time, memory or a vanished caller
                self._retire(worker)
                slot.worker = None
                self._refill(slot)
            elif worker is not None and worker.jobs >= self.settings.worker_max_jobs - self._lead():
                self._prepare_successor(slot)
        finally:
            self._free.put_nowait(slot)

    def _lead(self) -> int:
        """How many jobs before retirement the successor starts: never so early that one always idles."""
        return min(SUCCESSOR_LEAD, self.settings.worker_max_jobs // 5)

    def _prepare_successor(self, slot: Slot) -> None:
        if slot.successor is not None and not slot.successor.alive():  # died while loading: start another
            self._retire(slot.successor)
            slot.successor = None
        if slot.successor is None and not self._closed:
            try:
                slot.successor = Worker(self.settings)
            except OSError as error:  # the current worker goes on serving; try again after the next job
                log.warning("could not start a successor worker: %s", error)

    def _refill(self, slot: Slot) -> None:
        """Start a worker for an empty slot now, or after a backoff if starting fails."""
        slot.retry = None
        if self._closed or slot.worker is not None:
            return
        if slot.successor is not None:
            slot.worker, slot.successor = slot.successor, None
            return
        try:
            slot.worker = Worker(self.settings)
        except OSError as error:
            slot.start_error = f"{type(error).__name__}: {error}"
            slot.backoff_s = min(MAX_BACKOFF_S, max(self.settings.worker_restart_backoff_s, slot.backoff_s * 2))
            log.warning("could not start a TensorFlow worker (%s); retrying in %.1f s", error, slot.backoff_s)
            slot.retry = asyncio.get_running_loop().call_later(slot.backoff_s, self._refill, slot)
            return
        slot.start_error, slot.backoff_s = None, 0.0

    @staticmethod
    def _retire(worker: Worker | None) -> None:
        if worker is not None:
            worker.kill()

    def close(self) -> None:
        self._closed = True
        for slot in self.slots:
            if slot.retry is not None:
                slot.retry.cancel()
            for worker in (slot.worker, slot.successor):
                self._retire(worker)
            slot.worker = slot.successor = None

