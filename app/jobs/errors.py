"""Why a job did not complete, each with the HTTP status to answer and words for people."""

from __future__ import annotations

from app.core.text import Text


class InputRefused(ValueError):
    """Raised inside a job: its input cannot be used (a picture that will not decode, weights that do not fit the
    model); ``status`` is 413 for too large, 422 otherwise. The worker answers it in these words and lives on."""

    def __init__(self, text: Text, status: int = 422):
        super().__init__(text.en)
        self.text = text
        self.status = status


class WorkerError(Exception):
    """A job that did not complete; ``status`` is the HTTP status to answer with, ``text`` says why."""

    status = 503

    def __init__(self, text: Text, retry_after_s: float | None = None):
        super().__init__(text.en)
        self.text = text
        self.retry_after_s = retry_after_s


class WorkerTimeout(WorkerError):
    status = 504


class WorkerBusy(WorkerError):
    """Too many jobs already wait: answered at once, so waiting requests (and their pictures) stay few."""

    status = 429


class WorkerUnavailable(WorkerError):
    """No worker can take jobs now: turned off, or failing to start (retried in the background)."""

    status = 503


class WorkerCrashed(WorkerError):
    status = 503


class JobFailed(WorkerError):
    """The job itself raised (e.g. TensorFlow cannot run this model here): the request's fault, not the worker's."""

    status = 422


class JobRefused(WorkerError):
    """The job refused its input with its own status and words (e.g. a picture that will not decode)."""

    def __init__(self, status: int, text: Text):
        super().__init__(text)
        self.status = status
