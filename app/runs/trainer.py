"""Runs training one after another (CNN_TRAINING_WORKERS at once) through the jobs interface: in TensorFlow
workers of their own, so training never slows /api/shapes and never takes the feature-map worker, or as tasks on
a Ray cluster (CNN_RAY_ADDRESS). A run's time limit (CNN_MAX_TRAIN_S) is the job's deadline, and a local worker's
memory is watched as for feature maps; a worker or a node that dies fails its run with the reason, and the next
run gets a fresh worker. The run itself writes its progress, and where it runs, to the store."""

from __future__ import annotations

import asyncio
import logging
import time

import anyio

from app.config import Settings
from app.jobs import WorkerError, WorkerUnavailable, training_deadline, training_jobs
from app.runs.store import RunStore

log = logging.getLogger("cnn_blocks.trainer")
POLL_S = 2.0  # how often an idle trainer looks for runs queued by another web process


class Trainer:
    def __init__(self, settings: Settings, store: RunStore):
        self.settings, self.store = settings, store
        self.pool = training_jobs(settings)
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.pool_started = False  # the worker starts with the first run: a server nobody trains on loads no TF

    def start(self) -> None:
        if self.settings.training_workers < 1:
            return
        self.tasks = [asyncio.create_task(self._loop()) for _ in range(self.settings.training_workers)]

    def poke(self) -> None:
        """A run was queued: look now rather than at the next poll."""
        self.wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self._once()
            except Exception:  # the database locked or the disk full: say so and go on, never stop training for good
                log.exception("the trainer could not take the next run; trying again")
                await asyncio.sleep(POLL_S)

    async def _once(self) -> None:
        await anyio.to_thread.run_sync(self.store.interrupt_stale, self.settings.run_stale_s)
        run = await anyio.to_thread.run_sync(self.store.claim_next)
        if run is None:
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), POLL_S)
            except TimeoutError:
                pass
            return
        if not self.pool_started:
            self.pool.start()
            self.pool_started = True
        await self._train(run)

    async def _train(self, run: dict) -> None:
        settings = self.settings
        payload = {"run_id": run["id"], "request": run["request"], "db_url": self.store.url,
                   "datasets_dir": str(settings.datasets_dir), "data_dir": str(settings.data_dir),
                   "from_logits": run["loss"]["from_logits"],
                   "weights_path": str(settings.data_dir / "runs" / run["id"]),
                   "progress_interval_s": settings.progress_interval_s}
        heartbeat = asyncio.create_task(self._beat(run["id"]))
        try:
            await self.pool.run("train", payload, deadline=training_deadline(settings))
        except WorkerUnavailable as error:  # no worker could start (out of memory or descriptors): not the run's fault
            await anyio.to_thread.run_sync(lambda: self.store.update(run["id"], status="queued", started_at=None))
            await asyncio.sleep(error.retry_after_s or POLL_S)
        except WorkerError as error:
            await anyio.to_thread.run_sync(self._failed, run["id"], error.text.to_json())
        except asyncio.CancelledError:  # the server is stopping: its worker is gone (the pool killed it), say so now
            self._interrupt(run["id"])
            raise
        finally:
            heartbeat.cancel()

    async def _beat(self, run_id: str) -> None:
        """While this process trains a run, say so: a run nobody beats for CNN_RUN_STALE_S is interrupted."""
        while True:
            await anyio.to_thread.run_sync(self.store.beat, run_id)
            await asyncio.sleep(self.settings.run_stale_s / 4)

    def _interrupt(self, run_id: str) -> None:
        """At once, on the loop (the server is shutting down), and never in the way of stopping: a database that
        fails now leaves the run to be interrupted when its silence passes CNN_RUN_STALE_S."""
        try:
            self.store.interrupt(run_id)
        except Exception:
            log.exception("could not mark run %s interrupted while stopping", run_id)

    def _failed(self, run_id: str, message: dict) -> None:
        self.store.update(run_id, status="failed", error=message, progress=None, finished_at=time.time())
        self.store.add_event(run_id, "end", {"status": "failed", "error": message})

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.pool.close()
