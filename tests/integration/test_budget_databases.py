"""The agent's budget holds on the real databases, not only in memory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.telemetry import BudgetConfig, BudgetExceededError, CostTracker
from cascadeflow.testing import ConfiguredPricing, FakeProvider, FakeReply

MAX = 100
MODEL = ModelConfig(name="small", provider="groq", input_cost_per_token=0.0,
                    output_cost_per_token=0.0001, max_tokens=MAX)  # exactly $0.01 per call


class YieldingFake(FakeProvider):
    async def complete(self, request):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)
        return await super().complete(request)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'budget.db'}"
    url: str = request.getfixturevalue("postgres_url")  # a fresh schema, dropped afterwards
    return url


async def test_200_concurrent_runs_spend_exactly_the_budget(database_url: str) -> None:
    url = database_url
    user = "race"
    fits = 23
    tracker = CostTracker(user_budgets={user: BudgetConfig(daily=fits * 0.01)}, store=url)
    agent = CascadeAgent(models=[MODEL], provider=YieldingFake(default=FakeReply("Fine.", 5, MAX)),
                         pricing=ConfiguredPricing(), cost_tracker=tracker)
    outcomes = await asyncio.gather(*(agent.run("Q?", user_id=user) for _ in range(200)),
                                    return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, BudgetExceededError)]
    assert errors == []
    assert sum(not isinstance(o, BaseException) for o in outcomes) == fits
    summary = tracker.get_user_summary(user)
    assert summary["spend"]["daily"] == pytest.approx(fits * 0.01)
    assert summary["entries"] == fits and summary["reserved"] == 0.0
