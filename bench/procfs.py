"""Process figures read straight from /proc (psutil is not a dependency): memory, CPU time, children.

Linux only, like the benchmark that uses it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int | str = "self") -> int:
    """Resident memory from /proc/PID/status (VmRSS, in kB); 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _stat_fields(pid: int | str) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may hold spaces and parentheses; the numeric fields start after its last ')'.
        return stat.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a whole process (all its threads); 0 if it is gone."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def cpu_seconds_with_reaped(pid: int | str = "self") -> float:
    """cpu_seconds plus that of the children it has already waited for (a server that replaced a worker keeps
    the old worker's CPU here, so a sum over the processes alive now still counts it); 0 if it is gone."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / TICKS_PER_SECOND


def parent_pid(pid: int) -> int | None:
    try:
        return int(_stat_fields(pid)[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (children, grandchildren, ...), found by walking /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = parent_pid(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def maps_mention(pid: int, needle: str) -> bool:
    """Whether any file mapped into the process (shared libraries, extension modules) has `needle` in its path."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return any(needle in line for line in maps)
    except OSError:
        return False


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used since boot, summed over cores (/proc/stat)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle, iowait = values[3], values[4]
    # Guest time is already counted in user time; the first eight fields are the whole of it.
    return (sum(values[:8]) - idle - iowait) / TICKS_PER_SECOND


@dataclass
class CpuWindow:
    """How much CPU processes other than ours used over a stretch of wall time.

    Benchmarks on a shared 2-core machine are only worth reading if nothing else was busy meanwhile;
    this says so with a number instead of a hope. Pass the processes that are ours at each end (workers may have
    been replaced in between): one that ended meanwhile is still counted through its parent."""

    started_wall: float
    started_machine: float
    started_ours: float

    @classmethod
    def open(cls, wall: float, our_pids: list[int | str]) -> CpuWindow:
        return cls(wall, machine_busy_seconds(), sum(cpu_seconds_with_reaped(p) for p in our_pids))

    def others_cores(self, wall: float, our_pids: list[int | str]) -> float:
        """Average number of cores busy with other processes' work since the window opened."""
        machine = machine_busy_seconds() - self.started_machine
        ours = sum(cpu_seconds_with_reaped(p) for p in our_pids) - self.started_ours
        return max(0.0, machine - ours) / max(wall - self.started_wall, 1e-9)


def command_line(pid: int) -> str:
    """The process's arguments joined by spaces; empty if it is gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""
