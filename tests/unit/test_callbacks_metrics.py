from __future__ import annotations

from typing import Any

import pytest

from cascadeflow import CascadeAgent, ConfigurationError, ModelConfig
from cascadeflow.telemetry import (
    BudgetConfig,
    BudgetExceededError,
    CallbackManager,
    CostTracker,
    EnforcementCallbacks,
    MetricsCollector,
)
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, FakeReply

# small max_tokens keep the reservation (input bound + max_tokens) near the real cost
SMALL = ModelConfig(name="small", provider="groq", cost=0.1, max_tokens=10)
LARGE = ModelConfig(name="large", provider="openai", cost=1.0, max_tokens=10)


def agent(fake: FakeProvider, events: list[dict[str, Any]], metrics: MetricsCollector,
          budget: BudgetConfig, tracker: CostTracker | None = None, **kwargs: Any) -> CascadeAgent:
    callbacks = CallbackManager()
    for name in ("cost_recorded", "budget_warning", "budget_blocked", "degraded", "escalated"):
        callbacks.register(name, events.append)
    tracker = tracker or CostTracker(user_budgets={"u": budget}, store="memory", clock=FakeClock())
    return CascadeAgent(models=[SMALL, LARGE], provider=fake, pricing=ConfiguredPricing(), quality_validation_mode="fast",
                        cost_tracker=tracker, callbacks=callbacks, metrics=metrics, **kwargs)


def test_events_and_metrics_follow_what_happened() -> None:
    events: list[dict[str, Any]] = []
    metrics = MetricsCollector()
    fake = FakeProvider({"small": [FakeReply("I'm not sure.", 5, 5), FakeReply("Paris.", 5, 5)],
                         "large": [FakeReply("Paris is the capital.", 5, 5)]})
    runner = agent(fake, events, metrics, BudgetConfig(daily=100.0))
    runner.run_sync("Capital?", user_id="u")  # escalated
    runner.run_sync("Capital?", user_id="u")  # draft accepted
    kinds = [e["event"] for e in events]
    assert kinds == ["cost_recorded", "cost_recorded", "escalated", "cost_recorded"]
    assert events[2]["models"] == ["small", "large"]
    summary = metrics.summary()
    assert summary["requests"] == 2 and summary["draft_acceptance_rate"] == 0.5
    assert summary["models"]["small"]["calls"] == 2 and summary["models"]["large"]["accepted"] == 1
    assert summary["total_cost"] == pytest.approx(0.001 + 0.01 + 0.001)


def test_blocked_and_warning_events() -> None:
    events: list[dict[str, Any]] = []
    fake = FakeProvider(default=FakeReply("Paris.", 5, 5))
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=0.01)}, store="memory",
                          clock=FakeClock())
    runner = agent(fake, events, MetricsCollector(), BudgetConfig(daily=0.01), tracker)
    runner.run_sync("Capital?", user_id="u")  # spends 0.001 of 0.01
    assert [e["event"] for e in events] == ["cost_recorded"]
    warned = agent(fake, events, MetricsCollector(), BudgetConfig(daily=0.01), tracker,
                   enforcement=EnforcementCallbacks(warn_threshold=0.0001))
    warned.run_sync("Capital?", user_id="u")
    assert [e["event"] for e in events[1:]] == ["budget_warning", "cost_recorded"]
    blocked = agent(fake, events, MetricsCollector(), BudgetConfig(daily=0.0))
    with pytest.raises(BudgetExceededError):
        blocked.run_sync("Capital?", user_id="u")
    assert events[-1]["event"] == "budget_blocked" and events[-1]["context"].user_id == "u"


def test_a_failing_callback_does_not_break_the_request() -> None:
    callbacks = CallbackManager()
    seen: list[str] = []

    def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError("observer bug")

    callbacks.register("escalated", broken)
    callbacks.register("escalated", lambda p: seen.append(p["model_used"]))
    fake = FakeProvider({"small": ["I'm not sure."], "large": ["Paris."]})
    result = CascadeAgent(models=[SMALL, LARGE], provider=fake, pricing=ConfiguredPricing(), quality_validation_mode="fast",
                          callbacks=callbacks).run_sync("Capital?")
    assert result.model_used == "large" and seen == ["large"]


def test_unknown_event_names_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="events are: cost_recorded"):
        CallbackManager().register("cost_recroded", print)
