"""Budgets, windows and the cost tracker, on the in-memory store with a fake clock."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from cascadeflow.domain.budgets import Window, window_start
from cascadeflow.telemetry import BudgetConfig, CostTracker
from cascadeflow import ConfigurationError
from cascadeflow.testing import FakeClock, SequentialIds


def tracker(clock: FakeClock | None = None, **kwargs: object) -> CostTracker:
    return CostTracker(store="memory", clock=clock or FakeClock(), ids=SequentialIds(),
                       **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [-1.0, math.nan, math.inf, "ten"])
def test_bad_budget_values_are_rejected(value: object) -> None:
    with pytest.raises(ConfigurationError, match="daily"):
        BudgetConfig(daily=value)  # type: ignore[arg-type]


def test_budget_limits_skip_unlimited_windows() -> None:
    assert BudgetConfig(daily=1, total=5).limits == {Window.DAILY: 1.0, Window.TOTAL: 5.0}


@pytest.mark.parametrize(
    "now,window,start",
    [
        (datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC), Window.DAILY, datetime(2026, 3, 4, tzinfo=UTC)),
        (datetime(2026, 3, 5, 0, 0, 0, tzinfo=UTC), Window.DAILY, datetime(2026, 3, 5, tzinfo=UTC)),
        # 2026-03-08 is a Sunday: still the week that began Monday 2 March
        (datetime(2026, 3, 8, 23, 59, 59, tzinfo=UTC), Window.WEEKLY, datetime(2026, 3, 2, tzinfo=UTC)),
        (datetime(2026, 3, 9, 0, 0, 0, tzinfo=UTC), Window.WEEKLY, datetime(2026, 3, 9, tzinfo=UTC)),
        (datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC), Window.MONTHLY, datetime(2026, 2, 1, tzinfo=UTC)),
        (datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC), Window.MONTHLY, datetime(2026, 3, 1, tzinfo=UTC)),
        (datetime(2026, 3, 1, tzinfo=UTC), Window.TOTAL, None),
    ],
)
def test_window_edges(now: datetime, window: Window, start: datetime | None) -> None:
    assert window_start(window, now) == start


def test_spend_leaves_the_daily_window_at_midnight_but_stays_in_the_month() -> None:
    clock = FakeClock(datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    costs = tracker(clock, user_budgets={"u": BudgetConfig(daily=1.0, monthly=10.0)})
    costs.add_cost("gpt-4o", "openai", 100, 0.4, user_id="u")
    assert costs.get_user_summary("u")["spend"]["daily"] == pytest.approx(0.4)
    clock.advance(1)  # 1 April 00:00:00: new day, new month, same ISO week
    summary = costs.get_user_summary("u")
    assert summary["spend"]["daily"] == 0.0
    assert summary["spend"]["monthly"] == 0.0
    assert summary["spend"]["weekly"] == pytest.approx(0.4)
    assert summary["remaining"] == {"daily": 1.0, "monthly": 10.0}


def test_add_cost_and_aggregates() -> None:
    costs = tracker(user_budgets={"alice": BudgetConfig(daily=1.0)})
    costs.add_cost("gpt-4o", "openai", 1000, 0.25, user_id="alice", query_id="q1",
                   metadata={"feature": "chat"})
    costs.add_cost("claude-3-5-haiku", "anthropic", 500, 0.05, user_id="bob")
    costs.add_cost("gpt-4o", "openai", 10, 0.01)
    assert costs.total_cost == pytest.approx(0.31)
    assert costs.by_model == pytest.approx({"gpt-4o": 0.26, "claude-3-5-haiku": 0.05})
    assert costs.by_provider == pytest.approx({"openai": 0.26, "anthropic": 0.05})
    assert costs.by_user == pytest.approx({"alice": 0.25, "bob": 0.05})
    summary = costs.get_user_summary("alice")
    assert summary["user_id"] == "alice" and summary["entries"] == 1
    assert summary["total_cost"] == pytest.approx(0.25)
    assert summary["budget"] == BudgetConfig(daily=1.0)
    assert summary["remaining"] == {"daily": pytest.approx(0.75)}
    (entry,) = costs.entries("alice")
    assert entry.query_id == "q1" and entry.metadata == {"feature": "chat"} and entry.tokens == 1000


def test_an_unknown_users_summary_is_the_plans_empty_one() -> None:
    costs = tracker(user_budgets={"alice": BudgetConfig(daily=1.0)})
    summary = costs.get_user_summary("mallory")
    assert summary["user_id"] == "mallory" and summary["total_cost"] == 0.0
    assert summary["entries"] == 0 and summary["budget"] is None and summary["remaining"] == {}


@pytest.mark.parametrize("tokens,cost,fragment", [(-1, 0.1, "tokens"), (10, -0.1, "cost"),
                                                  (10, math.nan, "cost"), (1.5, 0.1, "tokens")])
def test_bad_add_cost_input(tokens: object, cost: object, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        tracker().add_cost("gpt-4o", "openai", tokens, cost)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"warn_threshold": 0}, {"warn_threshold": 1.5},
                                    {"budget_limit": -5}, {"user_budgets": {"u": 10}}])
def test_bad_tracker_config(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        tracker(**kwargs)


def test_reservations_outlive_the_slowest_possible_call() -> None:
    from datetime import timedelta

    from cascadeflow import RetryPolicy
    from cascadeflow.application.budget_gate import BudgetPolicy

    slow = BudgetPolicy().outliving(300.0, RetryPolicy(max_attempts=3, base_delay=1, max_delay=8))
    assert slow.reservation_ttl == timedelta(seconds=300 * 3 + 1 + 2 + 60)
    assert BudgetPolicy().outliving(5.0, RetryPolicy()).reservation_ttl == timedelta(minutes=10)
