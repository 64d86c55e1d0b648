"""What the tests of budget calls on a real database share: an agent whose draft is
accepted, and a check that a run waits while the event loop keeps running."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from cascadeflow import BudgetConfig, CascadeAgent, CostTracker, ModelConfig
from cascadeflow.application.ports import UsageStore
from cascadeflow.domain.results import CascadeResult
from cascadeflow.testing import FakeProvider

MODELS = [ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)]


def agent_on(store: UsageStore, runs: int = 20) -> CascadeAgent:
    fake = FakeProvider({"small": ["Paris is the capital of France."] * runs, "large": ["Paris."] * runs})
    tracker = CostTracker(store=store, default_budget=BudgetConfig(daily=5.0))
    return CascadeAgent(MODELS, quality_validation_mode="fast", provider=fake, cost_tracker=tracker)


async def waiting_with_the_loop_running(
    run: Coroutine[Any, Any, CascadeResult],
) -> asyncio.Task[CascadeResult]:
    """Start ``run`` and check that the loop goes on ticking (ten ticks, however slow the
    machine) while the run has not finished (it waits for a lock held elsewhere); the
    run is returned, still waiting."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    running = asyncio.create_task(run)
    try:
        for _ in range(500):  # up to 5 s for ten ticks of 10 ms
            if ticks >= 10:
                break
            await asyncio.sleep(0.01)
        assert ticks >= 10  # the loop kept running…
        assert not running.done()  # …while the run waits for the lock
    finally:
        ticker.cancel()
    return running
