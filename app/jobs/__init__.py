"""Jobs that need TensorFlow, run outside the web process: ``WorkerPool.run(job, payload)``.

The web side knows only this interface and the errors in :mod:`app.jobs.errors`; which processes (or, later,
which cluster) run the jobs is the pool's business.
"""

from app.jobs.errors import (
                             JobFailed,
                             JobRefused,
                             WorkerBusy,
                             WorkerCrashed,
                             WorkerError,
                             WorkerTimeout,
                             WorkerUnavailable,
)
from app.jobs.pool import WorkerPool

__all__ = ["JobFailed", "JobRefused", "WorkerBusy", "WorkerCrashed", "WorkerError", "WorkerPool", "WorkerTimeout",
           "WorkerUnavailable"]
