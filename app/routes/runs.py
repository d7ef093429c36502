"""Training runs: start one, list them, follow one live (Server-Sent Events), stop it, download the model."""

from __future__ import annotations

from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import FileResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.config import Settings, get_settings
from app.core.text import Text, josa, quoted
from app.errors import Problem, responses
from app.runs.checks import RunRequest, check
from app.runs.imported import IMPORTED, weights_file
from app.runs.store import FINAL, RunStore

router = APIRouter(prefix="/api/runs", tags=["training"])
EVENT_POLL_S = 0.25
END_EVENT_WAIT_S = 2.0
HEAVY = ("results",)  # left out of the list: confusion matrices and pictures are for one run's page


def store_of(request: Request) -> RunStore:
    return request.app.state.runs


def _found(store: RunStore, run_id: str) -> dict:
    run = store.get(run_id)
    if run is None:
        raise Problem(404, Text(f"there is no run {quoted(run_id)}", f"실행 {josa(quoted(run_id), '이/가')} 없습니다"),
                      loc=("path", "run_id"))
    return run


async def existing_run(run_id: str, request: Request) -> dict:
    """As a dependency, so that an unknown run is a 404 before an event stream starts."""
    return await anyio.to_thread.run_sync(_found, store_of(request), run_id)


def _public(store: RunStore, run: dict, full: bool = True) -> dict:
    out = {key: value for key, value in run.items() if full or key not in HEAVY}
    out.pop("stop_requested", None)
    out["position"] = store.queue_position(run)
    out["model_url"] = f"/api/runs/{run['id']}/model.keras" if _model_file(run) else None
    out.pop("weights", None)
    if not full and run.get("results"):
        out["test"] = run["results"]["test"]
    return out


@router.post("", status_code=202, summary="Start a training run", responses=responses(400, 413, 422, 429))
async def start_run(body: RunRequest, request: Request, settings: Settings = Depends(get_settings)) -> dict:
    """Checked before anything is built (the model, the dataset's input shape, one output per class, the limits);
    then queued: `status` is `queued` with its `position`, and training starts when a trainer is free."""
    checked = await anyio.to_thread.run_sync(check, body, settings)  # reads dataset files: off the loop
    store = store_of(request)
    waiting = await anyio.to_thread.run_sync(store.queued_count)
    if waiting >= settings.max_queued_runs:
        raise Problem(429, Text(f"{waiting} runs are already waiting; try again later (setting CNN_MAX_QUEUED_RUNS)",
                                f"실행 {waiting}개가 이미 기다립니다; 나중에 다시 해 보세요 (설정 CNN_MAX_QUEUED_RUNS)"),
                      headers={"Retry-After": "30"})
    run = await anyio.to_thread.run_sync(store.create, body.model_dump(), body.dataset, checked.loss,
                                         sum(checked.result.totals()))
    request.app.state.trainer.poke()
    return await anyio.to_thread.run_sync(_public, store, run)


@router.get("", summary="Every run, newest first")
async def list_runs(request: Request) -> dict:
    store = store_of(request)
    def listing() -> dict:  # an opened file's weights are kept as a run, but it was not trained here
        return {"runs": [_public(store, run, full=False) for run in store.all(except_dataset=IMPORTED)]}

    return await anyio.to_thread.run_sync(listing)


@router.get("/{run_id}", summary="One run: status, history, test results", responses=responses(404))
async def get_run(run_id: str, request: Request) -> dict:
    store = store_of(request)
    return await anyio.to_thread.run_sync(lambda: _public(store, _found(store, run_id)))


@router.post("/{run_id}/stop", summary="Stop after the current batch", responses=responses(404))
async def stop_run(run_id: str, request: Request) -> dict:
    """A queued run stops at once; a running one after its current batch, keeping the weights it reached."""
    store = store_of(request)
    await anyio.to_thread.run_sync(_found, store, run_id)
    return await anyio.to_thread.run_sync(lambda: _public(store, store.request_stop(run_id)))


@router.delete("/{run_id}", status_code=204, summary="Delete a finished run", responses=responses(404, 409))
async def delete_run(run_id: str, request: Request) -> Response:
    store = store_of(request)
    run = await anyio.to_thread.run_sync(_found, store, run_id)
    if run["status"] not in FINAL and run["status"] != "queued":
        raise Problem(409, Text("the run is training; stop it first", "학습 중인 실행입니다; 먼저 멈추세요"),
                      loc=("path", "run_id"))
    if await anyio.to_thread.run_sync(store.delete, run_id) is None:  # claimed by a trainer meanwhile
        raise Problem(409, Text("the run has started training; stop it first", "실행이 학습을 시작했습니다; 먼저 멈추세요"),
                      loc=("path", "run_id"))
    for path in (_model_file(run), weights_file(run)):
        if path is not None:
            path.unlink(missing_ok=True)
    return Response(status_code=204)


def _model_file(run: dict) -> Path | None:
    """The whole trained model; a run opened from a file keeps only its weights."""
    return Path(run["weights"]) if run["weights"] and run["weights"].endswith(".keras") else None


@router.get("/{run_id}/model.keras", summary="The trained model as a .keras file", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}, **responses(404, 409)})
async def download_model(run_id: str, request: Request) -> FileResponse:
    run = await anyio.to_thread.run_sync(_found, store_of(request), run_id)
    if _model_file(run) is None or not _model_file(run).exists():
        raise Problem(409, Text("this run has no trained model (yet)", "이 실행에는 (아직) 학습된 모델이 없습니다"),
                      loc=("path", "run_id"))
    return FileResponse(run["weights"], media_type="application/octet-stream", filename=f"run-{run_id}.keras")


@router.get("/{run_id}/events", response_class=EventSourceResponse, summary="Live progress (Server-Sent Events)",
            responses=responses(404, 422))
async def run_events(run_id: str, request: Request, _: dict = Depends(existing_run),
                     last_event_id: int = Header(0, alias="Last-Event-ID", ge=0)):
    """`progress` (epoch, batch, samples/s, ETA) a few times a second at most, `epoch` with Keras's metrics,
    and `end`. A client that connects late gets what happened so far first; `Last-Event-ID` resumes."""
    store = store_of(request)
    seq, quiet_after_end = last_event_id, 0
    while not await request.is_disconnected():
        events = await anyio.to_thread.run_sync(store.events_after, run_id, seq)
        for seq, kind, data in events:
            yield ServerSentEvent(event=kind, id=str(seq), data=data)
        if any(kind == "end" for _, kind, _ in events):
            return
        run = await anyio.to_thread.run_sync(store.get, run_id)
        if run is None:
            return
        # The trainer (maybe in another process) writes the final status, then the end event: wait for it a while.
        quiet_after_end = quiet_after_end + 1 if run["status"] in FINAL and not events else 0
        if quiet_after_end > END_EVENT_WAIT_S / EVENT_POLL_S:
            return  # resumed after the end, or a run that never streamed (opened from a file)
        await anyio.sleep(EVENT_POLL_S)
