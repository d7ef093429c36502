"""What every backend shares: a job's deadline, where it ran, how a job is run on the worker's side, and how its
outcome becomes a value or an error on the web side. Nothing here imports TensorFlow or Ray."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.core.text import Text
from app.jobs.errors import InputRefused, JobFailed, JobRefused

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Deadline(NamedTuple):
    """A job's time limit and the setting that gives it, named in the answer when it is hit."""

    seconds: float
    setting: str


@dataclass
class Done:
    """A job's answer and where it ran: ``{"engine": "local", "worker_pid": 123}`` or
    ``{"engine": "ray", "node": "<Ray node id>", "worker_pid": 456}``."""

    value: Any
    where: dict = field(default_factory=dict)


_here: dict = {"engine": "local"}


def set_here(**where: Any) -> None:
    """Said once by the process that runs jobs (a local worker, a Ray actor or task) before it runs any."""
    _here.clear()
    _here.update(where)


def here() -> dict:
    """Where the current job runs, for a job that records it itself (a training run writes it to the store).

    >>> set_here(engine="ray", node="abc"); here()["node"], here()["worker_pid"] == os.getpid()
    ('abc', True)
    """
    return {"engine": _here.get("engine", "local"), "node": _here.get("node"), "worker_pid": os.getpid()}


def execute(job: str, payload: Any) -> tuple[str, Any]:
    """Run one job on the worker's side: ("ok", value), ("refused", (status, en, ko)) or ("error", words).
    Only what pickles plainly goes back, whatever the job raised."""
    from app.tf.jobs import JOBS  # TensorFlow: imported once, by the process that runs jobs

    try:
        return "ok", JOBS[job](payload)
    except InputRefused as error:  # the input was refused: the request's fault, said in its own words
        return "refused", (error.status, error.text.en, error.text.ko)
    except Exception as error:  # any other failure of the job is reported; the process lives on
        return "error", f"{type(error).__name__}: {error}"


def outcome(kind: str, value: Any) -> Any:
    """On the web side: the job's value, or the error its outcome stands for.

    >>> outcome("ok", 3)
    3
    >>> outcome("refused", (413, "too big", "너무 큼"))
    Traceback (most recent call last):
    app.jobs.errors.JobRefused: too big
    """
    if kind == "refused":
        status, en, ko = value
        raise JobRefused(status, Text(en, ko))
    if kind == "error":
        reason = _ANSI.sub("", value)  # Keras colours its messages for terminals
        raise JobFailed(Text(f"TensorFlow could not run this model: {reason}",
                             f"TensorFlow가 이 모델을 실행하지 못했습니다: {reason}"))
    return value
