"""Short jobs (feature maps, building files) on a pool of Ray actors (setting CNN_RAY_ADDRESS), behind the same
interface as the local worker processes.

They run in CNN_WORKERS long-lived actors spread over the nodes. Each is a Python process that imported TensorFlow
once and keeps its model cache warm, and the same model goes to the same actor whenever that one is free. An actor
reserves no CPU, like a local worker, so that training can have them.

When things go wrong: a job over its time limit is killed (``ray.kill`` for its actor, which is replaced at once)
and answered as a local worker's (504). An actor that dies, with its node or alone, is replaced, and a feature-map
job it held is run once more on another actor: it has no side effects.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

from app.config import Settings
from app.jobs.errors import WorkerError
from app.jobs.outcome import Deadline, Done, execute, here, outcome, set_here
from app.jobs.pool import busy_error, stayed_busy_error, turned_off_error
from app.jobs.process import RUNNING, STARTING, too_slow
from app.jobs.ray_connect import ClusterJobs, imported_ray, lost, unreachable, value_of, worker_environment

log = logging.getLogger("cnn_blocks.jobs")

RETRIED = ("featuremaps",)  # jobs without side effects: run once more on another actor if theirs was lost
SUCCESSOR_LEAD = 25  # jobs before an actor's retirement at which its successor starts loading TensorFlow


class JobActor:
    """One actor process on some node: TensorFlow imported once, then jobs one at a time."""

    def __init__(self):
        worker_environment()
        import app.tf.jobs  # noqa: F401  (TensorFlow, loaded while the actor starts)

        set_here(engine="ray", node=imported_ray().get_runtime_context().get_node_id())
        self.where = here()

    def ready(self) -> dict:
        return self.where

    def run(self, job: str, payload: Any) -> tuple[str, Any]:
        return execute(job, payload)


class _Slot:
    def __init__(self, index: int):
        self.index = index
        self.actor = None
        self.ready: asyncio.Future | None = None  # the actor's where, once TensorFlow has loaded
        self.node: str | None = None  # the node it was placed on
        self.successor = None
        self.successor_ready: asyncio.Future | None = None
        self.successor_node: str | None = None
        self.jobs = 0
        self.busy = False

    def successor_loaded(self) -> bool:
        future = self.successor_ready
        return future is not None and future.done() and not future.cancelled() and future.exception() is None

    def take_successor(self) -> None:
        self.actor, self.ready, self.node = self.successor, self.successor_ready, self.successor_node
        self.successor = self.successor_ready = self.successor_node = None


class RayActorPool(ClusterJobs):
    """CNN_WORKERS actors for short jobs, with the local pool's bounds: at most CNN_MAX_QUEUED_JOBS requests wait
    (more get 429 at once), each job within its deadline, actors retired after CNN_WORKER_MAX_JOBS with a
    successor loaded ahead."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.slots = [_Slot(i) for i in range(settings.workers)]
        self.waiting = 0
        self._freed: asyncio.Event | None = None
        self._actor_class = None

    @property
    def actors(self) -> list:
        return [slot.actor for slot in self.slots if slot.actor is not None]

    def start(self) -> None:
        self._freed = asyncio.Event()
        if self.slots:
            super().start()

    async def _connected(self) -> None:
        for slot in self.slots:
            if slot.actor is None:
                self._fill(slot)

    def _fill(self, slot: _Slot, shun: str | None = None) -> None:
        """A new actor for the slot; if the cluster will not make one now, the slot says why until the next try."""
        try:
            slot.actor, slot.ready, slot.node = self._spawn(shun)
        except Exception as error:  # the GCS unreachable, say: answered as such, and tried again on the next job
            log.warning("could not start a Ray actor: %s", error)
            slot.actor = slot.node = None
            slot.ready = asyncio.get_running_loop().create_future()
            slot.ready.set_exception(unreachable(self.settings, f"{type(error).__name__}: {error}"))
            slot.ready.exception()  # retrieved: whoever asks next is told through _ready

    def _spawn(self, shun: str | None = None):
        """A new actor, loading TensorFlow in the background, on the live node that has fewest of ours (not
        ``shun``, where one was just lost, while another will do: the cluster may not know yet that it died).

        Placed by us rather than by Ray's SPREAD, which put both actors of a fresh pool on one node of two."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        ours = [slot.node for slot in self.slots] + [slot.successor_node for slot in self.slots]
        node = _least_used(imported_ray().nodes(), ours, shun)  # one quick question to the cluster's GCS
        # Hard: Ray's soft affinity put both actors of a fresh pool on the head. If that node is gone by the time
        # Ray places the actor, its creation fails, and the pool replaces it on another node as for any lost actor.
        strategy = "DEFAULT" if node is None else NodeAffinitySchedulingStrategy(node, soft=False)
        actor = self._remote_actor_class().options(scheduling_strategy=strategy).remote()
        ready = asyncio.ensure_future(value_of(actor.ready.remote()))
        ready.add_done_callback(lambda future: future.cancelled() or future.exception())  # seen, never "unretrieved"
        return actor, ready, node

    def _remote_actor_class(self):
        if self._actor_class is None:
            self._actor_class = imported_ray().remote(num_cpus=0, max_restarts=0, max_task_retries=0)(JobActor)
        return self._actor_class

    def check_room(self) -> None:
        if not self.slots:
            raise turned_off_error()
        if all(slot.busy for slot in self.slots) and self.waiting >= self.settings.max_queued_jobs:
            raise busy_error(self.waiting)

    async def call(self, job: str, payload: Any, *, deadline: Deadline | None = None) -> Done:
        deadline = deadline or Deadline(self.settings.job_timeout_s, "CNN_JOB_TIMEOUT_S")
        self.check_room()
        await self._ensure_connected()
        key, lost_on = _model_key(payload), None
        for attempt in range(2):
            slot = await self._acquire(key, avoid=lost_on)
            try:
                return await self._run_on(slot, job, payload, deadline)
            except _Lost as gone:
                if attempt or job not in RETRIED:
                    raise gone.error
                log.warning("a Ray actor was lost (%s); running the job once more on another", gone.error)
                lost_on = slot  # its replacement is still loading TensorFlow: another actor answers sooner
            finally:
                self._release(slot)
        raise AssertionError("unreachable")

    async def _acquire(self, key: int, avoid: _Slot | None = None) -> _Slot:
        self.check_room()
        self.waiting += 1
        loop = asyncio.get_running_loop()
        end = loop.time() + self.settings.job_timeout_s
        try:
            while (slot := self._pick(key, avoid)) is None:
                if loop.time() >= end:
                    raise stayed_busy_error()
                self._freed.clear()
                try:
                    await asyncio.wait_for(self._freed.wait(), end - loop.time())
                except TimeoutError:
                    pass
            slot.busy = True
            return slot
        finally:
            self.waiting -= 1

    def _pick(self, key: int, avoid: _Slot | None = None) -> _Slot | None:
        """The model's own actor if it is free (its cache may hold the model), else any free one; ``avoid``'s
        only if no other is free."""
        preferred = self.slots[key % len(self.slots)]
        free = [slot for slot in self.slots if not slot.busy]
        if preferred in free and preferred is not avoid:
            return preferred
        return next((slot for slot in free if slot is not avoid), free[0] if free else None)

    def _release(self, slot: _Slot) -> None:
        slot.busy = False
        if self._near_retirement(slot) and slot.successor is None and not self._closed:
            try:
                slot.successor, slot.successor_ready, slot.successor_node = self._spawn()
            except Exception as error:  # the current actor goes on serving; try again after the next job
                log.warning("could not start a successor Ray actor: %s", error)
        self._freed.set()

    def _near_retirement(self, slot: _Slot) -> bool:
        max_jobs = self.settings.worker_max_jobs
        return slot.jobs >= max_jobs - min(SUCCESSOR_LEAD, max_jobs // 5)

    async def _run_on(self, slot: _Slot, job: str, payload: Any, deadline: Deadline) -> Done:
        self._hand_over(slot)
        where = await self._ready(slot)
        slot.jobs += 1
        ref = slot.actor.run.remote(job, payload)
        ray = imported_ray()
        try:
            kind, value = await asyncio.wait_for(value_of(ref), deadline.seconds)
        except TimeoutError:
            self._replace(slot)  # the only way to stop an actor's running job: the actor goes, a new one comes
            raise too_slow(RUNNING, *deadline)
        except asyncio.CancelledError:  # the caller went away: free the CPU rather than finish for nobody
            self._replace(slot)
            raise
        except ray.exceptions.RayError as error:  # its process or its node died, or it ran out of memory
            self._replace(slot, suspect=True)
            raise _Lost(lost(error, RUNNING, where.get("node")))
        return Done(outcome(kind, value), where)

    def _hand_over(self, slot: _Slot) -> None:
        """A retiring actor gives way to its successor once that one has loaded."""
        if slot.jobs >= self.settings.worker_max_jobs and slot.successor_loaded():
            _kill(slot.actor)
            slot.take_successor()
            slot.jobs = 0

    async def _ready(self, slot: _Slot) -> dict:
        """The actor's where, once it has loaded TensorFlow; a loading actor is left to load if the caller leaves."""
        ray = imported_ray()
        if slot.actor is None and not self._closed:  # its last start failed: try again now
            self._fill(slot)
        try:
            return await asyncio.wait_for(asyncio.shield(slot.ready), self.settings.worker_start_timeout_s)
        except TimeoutError:
            self._replace(slot)
            raise too_slow(STARTING, self.settings.worker_start_timeout_s, "CNN_WORKER_START_TIMEOUT_S")
        except ray.exceptions.RayError as error:  # died while loading (its node went, or TensorFlow failed)
            self._replace(slot, suspect=True)
            raise _Lost(lost(error, STARTING))

    def _replace(self, slot: _Slot, suspect: bool = False) -> None:
        """The slot's actor killed and another on its way (on another node if ``suspect``: it was lost)."""
        _kill(slot.actor)
        shun = slot.node if suspect else None
        slot.actor = slot.node = None
        if slot.successor is not None:
            slot.take_successor()
        elif not self._closed:
            self._fill(slot, shun)
        slot.jobs = 0

    def close(self) -> None:
        super().close()
        for slot in self.slots:
            for actor in (slot.actor, slot.successor):
                _kill(actor)
            slot.actor = slot.successor = None


class _Lost(Exception):
    """The actor holding a job was lost; ``error`` is what to answer if the job is not run again."""

    def __init__(self, error: WorkerError):
        super().__init__(str(error))
        self.error = error


def _kill(actor) -> None:
    if actor is None:
        return
    try:
        imported_ray().kill(actor, no_restart=True)
    except Exception as error:  # already gone with its node: nothing left to stop
        log.info("could not kill a Ray actor: %s", error)


def _least_used(nodes: list[dict], ours: list[str | None], shun: str | None = None) -> str | None:
    """The live node with CPUs (a web host joins with --num-cpus=0 to run none) holding fewest of our actors.

    >>> nodes = [{"NodeID": "a", "Alive": True, "Resources": {"CPU": 1.0}},
    ...          {"NodeID": "b", "Alive": True, "Resources": {"CPU": 1.0}},
    ...          {"NodeID": "c", "Alive": False, "Resources": {"CPU": 1.0}},
    ...          {"NodeID": "web", "Alive": True, "Resources": {}}]
    >>> _least_used(nodes, ["a", None]), _least_used(nodes, ["a", "b", "a"]), _least_used([], [])
    ('b', 'b', None)
    >>> _least_used(nodes, [], shun="a"), _least_used(nodes[:1], [], shun="a")
    ('b', 'a')
    """
    alive = [node["NodeID"] for node in nodes if node["Alive"] and node.get("Resources", {}).get("CPU", 0) > 0]
    if not alive:
        return None
    alive = [node for node in alive if node != shun] or alive
    return min(alive, key=lambda node: (ours.count(node), alive.index(node)))


def _model_key(payload: Any) -> int:
    """Which actor a job prefers: the same model (spec, seed, weights) always the same one.

    >>> _model_key({"model": {"layers": []}, "seed": 1}) == _model_key({"seed": 1, "model": {"layers": []}})
    True
    """
    if not isinstance(payload, dict):
        return 0
    model = json.dumps([payload.get("model"), payload.get("seed"), payload.get("weights")], sort_keys=True)
    return int.from_bytes(hashlib.sha1(model.encode()).digest()[:4], "big")
