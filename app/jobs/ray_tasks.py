"""Training runs as Ray tasks (setting CNN_RAY_ADDRESS), behind the same interface as the local worker processes.

A training run is a Ray task that reserves CNN_RAY_TRAIN_CPUS on whichever node has them free, runs plain Keras
``fit()`` and writes its progress to the run store as a local worker does (and reads a stop from there): the
store's URL (and CNN_DATA_DIR, where weights go) must reach every node.

When things go wrong: a run over its time limit is killed (``ray.cancel(force=True)``) and answered as a local
worker's (504). A training task whose node dies fails its run with "the node running it died"; the next run goes
to a live node.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.config import Settings
from app.jobs.outcome import Deadline, Done, execute, here, outcome, set_here
from app.jobs.process import RUNNING, too_slow
from app.jobs.ray_connect import ClusterJobs, imported_ray, lost, value_of, worker_environment

TRAINING_TASK_CALLS = 20  # a training task's process is replaced after this many runs (TF keeps some per model)


def run_task(job: str, payload: Any) -> tuple[str, Any, dict]:
    """One job as a Ray task (a training run): runs where Ray placed it and says where that was."""
    worker_environment()
    set_here(engine="ray", node=imported_ray().get_runtime_context().get_node_id())
    kind, value = execute(job, payload)
    return kind, value, here()


class RayTasks(ClusterJobs):
    """Training runs as Ray tasks. How many run at once is the Trainer's (CNN_TRAINING_WORKERS per web process);
    each waits in Ray's queue until a node has CNN_RAY_TRAIN_CPUS free."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self._task = None

    def check_room(self) -> None:
        """The Trainer runs at most CNN_TRAINING_WORKERS at once: nothing else waits here."""

    async def call(self, job: str, payload: Any, *, deadline: Deadline | None = None) -> Done:
        deadline = deadline or Deadline(self.settings.job_timeout_s, "CNN_JOB_TIMEOUT_S")
        await self._ensure_connected()
        ray = imported_ray()
        ref = self._remote_task().options(num_cpus=self.settings.ray_train_cpus).remote(job, payload)
        try:
            kind, value, where = await asyncio.wait_for(value_of(ref), deadline.seconds)
        except (TimeoutError, asyncio.CancelledError) as stop:
            ray.cancel(ref, force=True)  # kills the process running it; Ray starts another for the next task
            if isinstance(stop, TimeoutError):
                raise too_slow(RUNNING, *deadline)
            raise
        except ray.exceptions.RayError as error:
            raise lost(error, RUNNING)
        return Done(outcome(kind, value), where)

    def _remote_task(self):
        if self._task is None:
            self._task = imported_ray().remote(max_retries=0, max_calls=TRAINING_TASK_CALLS)(run_task)
        return self._task
