"""Joining the Ray cluster named by the setting CNN_RAY_ADDRESS, and what the Ray backend's two halves share.

The Ray backend has the same interface as the local worker processes: short jobs on a pool of actors
(:mod:`app.jobs.ray_actors`) and training runs as Ray tasks (:mod:`app.jobs.ray_tasks`). Both join the cluster
in the background through :class:`ClusterJobs` and put Ray's failures in words with :func:`lost`.

Ray is imported only by these three modules, and only when the setting is given: the web process otherwise never
loads it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import time
from typing import Any

import anyio

from app.config import Settings
from app.core.text import Text
from app.jobs.errors import WorkerCrashed, WorkerError, WorkerUnavailable
from app.jobs.outcome import Deadline, Done

RECONNECT_AFTER_S = 5.0
_connect_lock = threading.Lock()


def imported_ray():
    import ray  # imported on first use, after connect() has set what Ray reads at import

    return ray


def _is_loopback(address: str) -> bool:
    """
    >>> _is_loopback("127.0.0.1:6379"), _is_loopback("localhost:6379"), _is_loopback("10.0.0.5:6379")
    (True, True, False)
    """
    return address.rsplit(":", 1)[0].strip("[]") in ("127.0.0.1", "localhost", "::1")


def connect(settings: Settings) -> None:
    """Join the cluster as a driver (once per process). Blocking: call it from a thread."""
    with _connect_lock:
        address = settings.ray_address or ""
        if _is_loopback(address):
            # A cluster on this machine: Ray would otherwise swap 127.0.0.1 for the machine's network address,
            # which its loopback-only servers do not listen on (Ray's own switch, read when ray is imported).
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        ray = imported_ray()
        if not ray.is_initialized():
            ray.init(address=address, namespace=settings.ray_namespace, log_to_driver=False,
                     logging_level=logging.WARNING)


def worker_environment() -> None:
    """Set in a Ray worker process before it imports TensorFlow."""
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # CPU only, as the local workers
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def unreachable(settings: Settings, reason: str) -> WorkerUnavailable:
    return WorkerUnavailable(Text(
        f"the Ray cluster at {settings.ray_address} cannot be reached ({reason}); retrying, try again in a moment "
        "(setting CNN_RAY_ADDRESS)",
        f"{settings.ray_address}의 Ray 클러스터에 연결할 수 없습니다 ({reason}); 계속 다시 시도하니 잠시 뒤 다시 해 보세요 "
        "(설정 CNN_RAY_ADDRESS)"), retry_after_s=RECONNECT_AFTER_S)


def lost(error: Exception, doing: Text, node: str | None = None) -> WorkerCrashed:
    """A Ray failure in words: the node died, it ran out of memory, or the process running the job stopped."""
    ray = imported_ray()
    if isinstance(error, ray.exceptions.NodeDiedError) or "node has died" in str(error):
        found = re.search(r"[Nn]ode (?:ID|Id): ([0-9a-f]+)", str(error))
        return _node_died(doing, found.group(1) if found else node)
    if isinstance(error, ray.exceptions.OutOfMemoryError):
        return _out_of_memory(doing, node)
    return _process_stopped(doing, node, type(error).__name__)


def _short(node: str | None) -> str:
    return (node or "?")[:12]


def _node_died(doing: Text, node: str | None) -> WorkerCrashed:
    return WorkerCrashed(Text(
        f"the node running it died (Ray node {_short(node)}) while {doing.en}; the cluster goes on without it, "
        "try again",
        f"작업을 실행하던 노드가 {doing.ko} 중에 죽었습니다 (Ray 노드 {_short(node)}); 클러스터는 그 노드 없이 계속되니 "
        "다시 해 보세요"))


def _out_of_memory(doing: Text, node: str | None) -> WorkerCrashed:
    return WorkerCrashed(Text(
        f"Ray stopped the job while {doing.en}: its node (Ray node {_short(node)}) ran out of memory; try a "
        "smaller model or batch",
        f"Ray가 {doing.ko} 중에 작업을 멈췄습니다: 노드 (Ray 노드 {_short(node)})의 메모리가 모자랐습니다; 더 작은 "
        "모델이나 배치로 해 보세요"))


def _process_stopped(doing: Text, node: str | None, reason: str) -> WorkerCrashed:
    return WorkerCrashed(Text(
        f"the Ray process running it (on node {_short(node)}) stopped while {doing.en} ({reason}); it has been "
        "replaced, try again",
        f"작업을 실행하던 Ray 프로세스가 (노드 {_short(node)}) {doing.ko} 중에 멈췄습니다 ({reason}); 새로 바꿨으니 "
        "다시 해 보세요"))


async def value_of(ref) -> Any:
    """An ObjectRef's value, awaited without blocking the loop (Ray fetches and unpickles it in its own thread)."""
    return await asyncio.wrap_future(ref.future())


class ClusterJobs:
    """Joins the cluster in the background when started; jobs wait for that, or hear why it failed."""

    engine = "ray"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._connecting: asyncio.Task | None = None
        self._failed_at = 0.0
        self._closed = False

    def start(self) -> None:
        self._connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        try:
            await anyio.to_thread.run_sync(connect, self.settings)
        except Exception:
            self._failed_at = time.monotonic()
            raise
        await self._connected()

    async def _connected(self) -> None:
        """Called once the driver has joined (the actor pool starts its actors here)."""

    async def _ensure_connected(self) -> None:
        task = self._connecting
        if task is None or (task.done() and task.exception() is not None
                            and time.monotonic() - self._failed_at > RECONNECT_AFTER_S):
            self.start()
            task = self._connecting
        try:
            await asyncio.wait_for(asyncio.shield(task), self.settings.worker_start_timeout_s)
        except TimeoutError:
            raise unreachable(self.settings, f"no answer in {self.settings.worker_start_timeout_s:g} s")
        except WorkerError:
            raise
        except Exception as error:
            raise unreachable(self.settings, f"{type(error).__name__}: {error}")

    async def run(self, job: str, payload: Any, *, deadline: Deadline | None = None) -> Any:
        return (await self.call(job, payload, deadline=deadline)).value

    async def call(self, job: str, payload: Any, *, deadline: Deadline | None = None) -> Done:
        raise NotImplementedError

    def close(self) -> None:
        self._closed = True
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
