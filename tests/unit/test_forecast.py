"""CostForecaster on series and on stored spend, through the public API and fakes."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from cascadeflow import ConfigurationError
from cascadeflow.domain.budgets import CostEntry
from cascadeflow.telemetry import BudgetConfig, CostTracker, Window
from cascadeflow.telemetry.forecasting import CostForecaster
from cascadeflow.testing import FakeClock

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def weekly(days: int, growth: float = 0.0) -> list[tuple[datetime, float]]:
    """Weekdays at 10, weekends at 4, optionally growing, with a small wobble."""
    return [(START + timedelta(days=d),
             (4.0 if d % 7 in (5, 6) else 10.0) * (1 + growth) ** d * (1 + 0.03 * math.sin(d)))
            for d in range(days)]


def test_a_weekly_pattern_is_forecast_with_its_weekends() -> None:
    forecast = CostForecaster().forecast(weekly(70), horizon=7, freq="D")

    assert forecast.horizon == 7 and forecast.method.startswith("mean of ")
    assert forecast.points[0].start == START + timedelta(days=70)
    weekdays = [p.value for p in forecast.points if p.start.weekday() < 5]
    weekend = [p.value for p in forecast.points if p.start.weekday() >= 5]
    assert min(weekdays) > max(weekend) * 1.5
    assert forecast.total == pytest.approx(5 * 10 + 2 * 4, rel=0.1)
    assert forecast.total_lower <= forecast.total <= forecast.total_upper
    assert all(p.lower <= p.value <= p.upper for p in forecast.points)
    assert forecast.backtest_origins > 5
    assert forecast.backtest_error is not None and forecast.baseline_error is not None
    assert forecast.backtest_error < 0.05  # a weekly total is easy; its days are not


def test_growth_is_followed() -> None:
    series = weekly(70, growth=0.02)
    forecast = CostForecaster().forecast(series, horizon=7)
    last_week = sum(v for _, v in series[-7:])
    assert forecast.total > last_week * 1.05


def test_several_points_per_period_are_summed_and_gaps_are_zero() -> None:
    series = [(START, 1.0), (START + timedelta(hours=5), 2.0), (date(2026, 1, 7), 3.0),
              ("2026-01-08T10:00", 4.0)]
    forecast = CostForecaster().forecast(series, horizon=2, freq="day")
    assert forecast.history_periods == 4
    assert forecast.points[0].start == datetime(2026, 1, 9, tzinfo=UTC)


def test_empty_history_is_a_clear_zero() -> None:
    forecast = CostForecaster().forecast([], horizon=3, freq="H")
    assert forecast.total == 0 and forecast.method == "none" and forecast.horizon == 3
    assert "no usage history" in forecast.note


def test_short_history_falls_back_to_the_mean_and_says_so() -> None:
    forecast = CostForecaster().forecast([(START, 2.0), (START + timedelta(days=1), 4.0)], 7)
    assert forecast.method == "recent_mean" and forecast.total == pytest.approx(21.0)
    assert "too short to backtest" in forecast.note
    assert forecast.total_lower < 21 < forecast.total_upper


@pytest.mark.parametrize("bad", [
    {"horizon": 0}, {"horizon": 2, "freq": "W"}, {"horizon": 2, "series": [(START, -1.0)]},
    {"horizon": 2, "series": [("yesterday", 1.0)]},
])
def test_bad_input_says_what_to_change(bad: dict[str, object]) -> None:
    series = bad.pop("series", [(START, 1.0)])
    with pytest.raises(ConfigurationError):
        CostForecaster().forecast(series, **bad)  # type: ignore[arg-type]


def tracker_with_history(days: int, per_day: float, now: datetime) -> CostTracker:
    tracker = CostTracker(user_budgets={"alice": BudgetConfig(daily=5.0, monthly=100.0)},
                          store="memory", clock=FakeClock(now))
    for d in range(days, 0, -1):
        for hour in (9, 15):
            moment = (now - timedelta(days=d)).replace(hour=hour, minute=0)
            tracker.store.record(CostEntry(id=f"{d}-{hour}", model="gpt-4o", provider="openai",
                                           cost=per_day / 2, timestamp=moment, user_id="alice"))
    return tracker


def test_stored_spend_is_forecast_from_today_counting_what_was_spent_today() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    tracker = tracker_with_history(30, 4.0, now)
    tracker.store.record(CostEntry(id="today", model="gpt-4o", provider="openai", cost=1.0,
                                   timestamp=now - timedelta(hours=1), user_id="alice"))

    forecast = CostForecaster(tracker).forecast_spend(horizon=3, user_id="alice")

    assert forecast.points[0].start == datetime(2026, 3, 10, tzinfo=UTC)
    assert forecast.points[0].value == pytest.approx(1.0 + 4.0 * 0.5, rel=0.05)
    assert forecast.points[1].value == pytest.approx(4.0, rel=0.05)
    assert CostForecaster(tracker).forecast_spend(3, model="claude").total == 0


def test_budget_exhaustion_at_the_forecast_rate() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    tracker = tracker_with_history(30, 4.0, now)  # $4/day: daily $5 holds, monthly $100 not

    found = {e.window: e for e in CostForecaster(tracker).forecast_budget_exhaustion("alice")}

    assert set(found) == {Window.DAILY, Window.MONTHLY}
    assert found[Window.DAILY].exhausted_at is None
    monthly = found[Window.MONTHLY]
    assert monthly.spent == pytest.approx(36.0)  # March 1-9
    # 64 left at $4/day from noon on the 10th: 16 days later, within March
    assert monthly.exhausted_at is not None
    assert monthly.exhausted_at.date() == date(2026, 3, 26)


def test_budget_exhaustion_needs_a_budget_and_a_tracker() -> None:
    with pytest.raises(ConfigurationError, match="no budget"):
        CostForecaster(CostTracker(store="memory")).forecast_budget_exhaustion("bob")
    with pytest.raises(ConfigurationError, match="CostForecaster\\(tracker\\)"):
        CostForecaster().forecast_spend()
