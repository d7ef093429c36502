"""A trainer stopped while it trains: the run is interrupted at once, and stopping never waits on the database."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.config import Settings
from app.runs.trainer import Trainer

RUN = {"id": "r1", "request": {}, "loss": {"from_logits": False}}


class TrainingForever:
    """A pool whose one job runs until cancelled, as a long run does when the server stops."""

    def __init__(self):
        self.running = asyncio.Event()

    def start(self) -> None:
        pass

    async def run(self, job, payload, deadline=None):
        self.running.set()
        await asyncio.Event().wait()

    def close(self) -> None:
        pass


class Store:
    url = "sqlite://"

    def __init__(self, interrupt_fails: bool):
        self.interrupt_fails, self.claimed, self.interrupted = interrupt_fails, False, []

    def interrupt_stale(self, stale_s):
        return 0

    def claim_next(self):
        if self.claimed:
            return None
        self.claimed = True
        return RUN

    def beat(self, run_id):
        pass

    def interrupt(self, run_id):
        if self.interrupt_fails:
            raise RuntimeError("database is locked")
        self.interrupted.append(run_id)


@pytest.mark.parametrize("interrupt_fails", [False, True], ids=["database answers", "database fails"])
def test_closing_a_trainer_mid_run_interrupts_the_run_and_returns(interrupt_fails):
    async def scenario() -> Store:
        store = Store(interrupt_fails)
        trainer = Trainer(Settings(training_workers=1), store)
        trainer.pool = pool = TrainingForever()
        trainer.start()
        await asyncio.wait_for(pool.running.wait(), 10)
        await asyncio.wait_for(trainer.close(), 10)  # a TimeoutError here is the hang
        return store

    # A loop of its own, in a thread of its own: a browser test in the same worker leaves Playwright's loop running
    # on this thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as thread:
        store = thread.submit(asyncio.run, scenario()).result()
    assert store.interrupted == ([] if interrupt_fails else ["r1"])
