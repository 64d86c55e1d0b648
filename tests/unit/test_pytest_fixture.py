"""The cascadeflow_fake fixture users get from the pytest plugin: code that builds its
own agents and trackers runs against the fake, keeping spend in memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.telemetry import BudgetConfig, CostTracker
from cascadeflow.testing import FakeProvider


def users_app(question: str) -> tuple[str, CostTracker]:
    """Code a user cannot edit: it builds its agent and tracker the production way."""
    tracker = CostTracker(user_budgets={"ann": BudgetConfig(daily=1.0)})
    agent = CascadeAgent(models=[ModelConfig(name="gpt-4o-mini", provider="openai")], cost_tracker=tracker)
    return agent.run_sync(question, user_id="ann").content, tracker


def test_the_fixture_answers_for_agents_built_without_a_provider(
    cascadeflow_fake: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CASCADEFLOW_DATABASE_URL", raising=False)
    cascadeflow_fake.script("gpt-4o-mini", "Paris.")
    answer, tracker = users_app("Capital of France?")
    assert answer == "Paris." and cascadeflow_fake.calls_to("gpt-4o-mini") == 1
    assert isinstance(tracker.store, InMemoryUsageStore) and tracker.store.count("ann") == 1
    assert not os.path.exists(tmp_path / "cascadeflow.db")  # nothing written where it ran
