"""A real Ray cluster on this machine for tests and benchmarks: a head node and worker nodes, each started with
``ray start`` in a temporary directory of its own, on loopback only, and stopped by the PIDs of its processes.

    with ray_cluster(nodes=2) as cluster:       # cluster.address is what CNN_RAY_ADDRESS takes
        cluster.nodes[1].kill()                  # that node dies: its raylet and everything it started

Two things of Ray's are set for a loopback cluster. Ray swaps 127.0.0.1 for the machine's network address
wherever it meets it (``--address``, ``--node-ip-address``), and binds its servers to every interface unless a
node's address is exactly 127.0.0.1: ``ray start`` runs here with loopback kept as it is, and Ray's processes
inherit RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, its own switch for the same (the app sets it too when its
CNN_RAY_ADDRESS is loopback). And token authentication, on by default in recent Ray, is turned off
(RAY_AUTH_MODE=disabled) for the cluster and for whoever joins it: nothing outside this machine can reach it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from live_server import ROOT, free_port

RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
START_TIMEOUT_S = 180  # a node starts in 10-20 s on a quiet machine; much longer on a busy one
OBJECT_STORE_BYTES = 150 * 1024 * 1024  # plenty for pictures and feature maps; Ray's default is 30% of memory

# `ray start`, keeping 127.0.0.1 as 127.0.0.1 (see above); everything else is Ray's own command line.
RAY_START = """
import os, sys
from ray._common.network_utils import is_localhost
from ray._private import services
resolve = services.resolve_ip_for_localhost
services.resolve_ip_for_localhost = lambda host: host if is_localhost(host) else resolve(host)
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # for the processes it starts
from ray.scripts.scripts import main
sys.argv = ["ray", "start", *sys.argv[1:]]
main()
"""


class RayMissing(RuntimeError):
    pass


def require_ray() -> None:
    """Fail, saying how to get it, when Ray is not installed (``make test`` installs it from pyproject.toml)."""
    # Looked for, not imported: a process that imports Ray before the app has set what Ray reads at import
    # (app.jobs.ray_connect.connect) would resolve 127.0.0.1 to the machine's network address.
    if importlib.util.find_spec("ray") is None:
        raise RayMissing("the Ray tests need Ray: `.venv/bin/pip install -e '.[test]'` (pyproject lists ray)")


@dataclass
class RayNode:
    temp_dir: Path
    head: bool
    node_id: str = ""
    raylet_pid: int = 0
    killed: bool = False
    log: list[str] = field(default_factory=list)

    def pids(self) -> list[int]:
        """Every process of this node: Ray's daemons (their command lines name its temp dir) and whatever the
        raylet started (its workers rename themselves, so they are found as the raylet's descendants)."""
        mine = {pid for pid, args in _processes() if str(self.temp_dir) in args}
        for pid in list(mine):
            mine |= _descendants(pid)
        return sorted(mine)

    def kill(self) -> None:
        """The node dies at once, as a machine that loses power: SIGKILL to its raylet and to all it ran."""
        pids = self.pids()
        for pid in sorted(pids, key=lambda pid: pid != self.raylet_pid):  # the raylet first
            _kill(pid)
        self.killed = True


@dataclass
class RayCluster:
    address: str
    nodes: list[RayNode] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """What a process joining the cluster needs in its environment."""
        return dict(RAY_ENV)

    def node(self, node_id: str) -> RayNode:
        return next(node for node in self.nodes if node.node_id == node_id)

    def add_node(self) -> RayNode:
        """One more worker node of one CPU, joined and listed alive before this returns."""
        folder = Path(tempfile.mkdtemp(prefix=f"ray{len(self.nodes)}-"))  # short: Ray's sockets live here
        self.folders.append(folder)
        self.nodes.append(_start_node([f"--address={self.address}"], folder, head=False))
        _wait_for_nodes(self, sum(not node.killed for node in self.nodes))
        return self.nodes[-1]

    def stop(self) -> None:
        for node in reversed(self.nodes):  # worker nodes before the head, whose GCS they would miss
            node.kill()


def _processes() -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
            except OSError:
                pass  # it exited while we looked
    return found


def _descendants(pid: int) -> set[int]:
    children: set[int] = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children |= {int(child) for child in (task / "children").read_text().split()}
    except OSError:
        return children
    for child in list(children):
        children |= _descendants(child)
    return children


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _start_node(args: list[str], temp_dir: Path, head: bool) -> RayNode:
    node = RayNode(temp_dir=temp_dir, head=head)
    started = subprocess.run(
        [sys.executable, "-c", RAY_START, *args, f"--temp-dir={temp_dir}", "--num-cpus=1", "--num-gpus=0",
         f"--object-store-memory={OBJECT_STORE_BYTES}", f"--dashboard-agent-listen-port={free_port()}",
         "--disable-usage-stats"],
        cwd=ROOT, env={**os.environ, **RAY_ENV}, capture_output=True, text=True, timeout=START_TIMEOUT_S)
    node.log = (started.stdout + started.stderr).splitlines()[-30:]
    if started.returncode != 0:
        node.kill()
        raise RuntimeError("ray start failed:\n" + "\n".join(node.log))
    for pid, line in _processes():
        if "raylet/raylet" in line.split(" ", 1)[0] and f"--temp_dir={temp_dir}" in line:
            node.raylet_pid = pid
            node.node_id = re.search(r"--node_id=([0-9a-f]+)", line).group(1)
    if not node.raylet_pid:
        node.kill()
        raise RuntimeError("ray start succeeded but no raylet of this node is running:\n" + "\n".join(node.log))
    return node


@contextmanager
def ray_cluster(nodes: int = 2):
    """A head node and ``nodes - 1`` worker nodes of one CPU each, on 127.0.0.1; all stopped by PID at the end."""
    require_ray()
    port = free_port()
    cluster = RayCluster(f"127.0.0.1:{port}")
    try:
        cluster.folders.append(Path(tempfile.mkdtemp(prefix="ray0-")))
        cluster.nodes.append(_start_node(
            ["--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--include-dashboard=false",
             f"--dashboard-port={free_port()}",  # its minimal head process runs all the same, on 8265 by default
             f"--ray-client-server-port={free_port()}"], cluster.folders[0], head=True))
        for _ in range(nodes - 1):
            cluster.add_node()
        yield cluster
    finally:
        cluster.stop()
        for folder in cluster.folders:
            shutil.rmtree(folder, ignore_errors=True)


def _wait_for_nodes(cluster: RayCluster, count: int) -> None:
    """Until the cluster lists every node alive (asked from a fresh Python process: this one stays Ray-free)."""
    code = (f"import ray; ray.init(address='{cluster.address}', logging_level='error', log_to_driver=False); "
            "print(sum(node['Alive'] for node in ray.nodes()))")
    env = {**os.environ, **RAY_ENV, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
        if out.stdout.strip().splitlines()[-1:] == [str(count)]:
            return
        time.sleep(1)  # a worker node registers a moment after its `ray start` returns
    raise RuntimeError(f"the cluster did not list {count} live nodes within {START_TIMEOUT_S} s: {out.stderr[-2000:]}")
