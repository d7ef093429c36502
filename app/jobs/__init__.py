"""Jobs that need TensorFlow, run outside the web process, behind one small interface (:class:`Jobs`).

Two backends: local worker processes (the default, :class:`WorkerPool`) and a Ray cluster when the setting
CNN_RAY_ADDRESS names one (:mod:`app.jobs.ray_connect` joins it, :mod:`app.jobs.ray_actors` runs short jobs,
:mod:`app.jobs.ray_tasks` training). The web side knows only this interface and the errors in
:mod:`app.jobs.errors`; which processes, on which machines, run the jobs is the backend's business.
"""

from __future__ import annotations

from typing import Any, Protocol

from app.config import Settings
from app.jobs.errors import (
    JobFailed,
    JobRefused,
    WorkerBusy,
    WorkerCrashed,
    WorkerError,
    WorkerTimeout,
    WorkerUnavailable,
)
from app.jobs.outcome import Deadline, Done
from app.jobs.pool import WorkerPool


class Jobs(Protocol):
    """Run a named job of :data:`app.tf.jobs.JOBS` on TensorFlow somewhere.

    ``call`` answers the job's value and where it ran (:class:`Done`), or raises a :class:`WorkerError` whose
    ``status`` and words are the HTTP answer: 429 when too many wait, 503 when nothing can run it (with
    Retry-After), 504 past the deadline (the job is killed), 422 when the job itself failed. A caller who is
    cancelled (a client that hung up) has the job killed. ``run`` is ``call`` without the where."""

    engine: str  # "local" or "ray"

    def start(self) -> None: ...

    def check_room(self) -> None:
        """Raise now if a job could not even wait (before the caller reads an upload into memory)."""

    async def call(self, kind: str, payload: Any, *, deadline: Deadline | None = None) -> Done: ...

    async def run(self, kind: str, payload: Any, *, deadline: Deadline | None = None) -> Any: ...

    def close(self) -> None: ...


def short_jobs(settings: Settings) -> Jobs:
    """Feature maps and files built for a request: CNN_WORKERS local processes, or as many actors on Ray."""
    if settings.ray_address:
        from app.jobs.ray_actors import RayActorPool

        return RayActorPool(settings)
    return WorkerPool(settings)


def training_jobs(settings: Settings) -> Jobs:
    """Training runs, CNN_TRAINING_WORKERS at once (the Trainer's loops): local worker processes of their own,
    bounded like feature maps, or Ray tasks that each reserve CNN_RAY_TRAIN_CPUS on some node."""
    if settings.ray_address:
        from app.jobs.ray_tasks import RayTasks

        return RayTasks(settings)
    return WorkerPool(settings.model_copy(update={
        "workers": settings.training_workers, "job_timeout_s": settings.max_train_s,
        "worker_memory_mb": settings.train_memory_mb, "max_queued_jobs": settings.training_workers,
        "worker_max_jobs": 20,  # a fresh interpreter now and then: TensorFlow keeps some memory per model
    }))


def training_deadline(settings: Settings) -> Deadline:
    return Deadline(settings.max_train_s, "CNN_MAX_TRAIN_S")


__all__ = ["Deadline", "Done", "JobFailed", "JobRefused", "Jobs", "WorkerBusy", "WorkerCrashed", "WorkerError",
           "WorkerPool", "WorkerTimeout", "WorkerUnavailable", "short_jobs", "training_deadline", "training_jobs"]
