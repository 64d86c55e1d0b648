"""Projecting spend onto budgets: the current period counted as spent-so-far plus the
forecast for its remainder, and when each budget window will run out at that rate."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cascadeflow.domain.budgets import Window, window_start
from cascadeflow.domain.forecasting import Forecast, ForecastPoint


def with_current_period(forecast: Forecast, spent: float, now: datetime) -> Forecast:
    """The forecast with its first period (the one holding ``now``) made of what was
    already spent in it plus the forecast for the part still to come."""
    if not forecast.points:
        return forecast
    first = forecast.points[0]
    left = _remaining_fraction(first, forecast, now)
    adjusted = ForecastPoint(first.start, spent + first.value * left,
                             spent + first.lower * left, spent + first.upper * left)
    shift = adjusted.value - first.value
    return dataclasses.replace(
        forecast, points=(adjusted, *forecast.points[1:]), total=forecast.total + shift,
        total_lower=max(forecast.total_lower + adjusted.lower - first.lower, 0.0),
        total_upper=forecast.total_upper + adjusted.upper - first.upper,
    )


@dataclass(frozen=True, slots=True)
class BudgetExhaustion:
    """When a budget window runs out at the forecast rate: ``exhausted_at`` is None when
    it lasts beyond the forecast horizon (``horizon_end``)."""

    window: Window
    limit: float
    spent: float
    exhausted_at: datetime | None
    horizon_end: datetime

    @property
    def remaining(self) -> float:
        return max(self.limit - self.spent, 0.0)

    @property
    def already_exhausted(self) -> bool:
        return self.spent >= self.limit


def budget_exhaustion(
    limits: Mapping[Window, float],
    spent: Mapping[Window, float],
    forecast: Forecast,
    now: datetime,
) -> list[BudgetExhaustion]:
    """For each window with a limit. ``forecast`` starts with the period holding ``now``
    (unadjusted: its values are whole periods) and spreads each period evenly."""
    horizon_end = (forecast.points[-1].start + forecast.freq.step) if forecast.points else now
    found = []
    for window, limit in limits.items():
        used = spent.get(window, 0.0)
        at = now if used >= limit else _crossing(window, limit, used, forecast, now)
        found.append(BudgetExhaustion(window, limit, used, at, horizon_end))
    return found


def _crossing(window: Window, limit: float, used: float, forecast: Forecast,
              now: datetime) -> datetime | None:
    current = window_start(window, now)
    for point in forecast.points:
        begin = max(point.start, now)
        end = point.start + forecast.freq.step
        if end <= begin:
            continue
        amount = point.value * _remaining_fraction(point, forecast, now)
        if window_start(window, begin) != current:  # a new window starts from zero
            current, used = window_start(window, begin), 0.0
        if amount > 0 and used + amount >= limit:
            return begin + (end - begin) * ((limit - used) / amount)
        used += amount
    return None


def _remaining_fraction(point: ForecastPoint, forecast: Forecast, now: datetime) -> float:
    step = forecast.freq.step
    left = (point.start + step - max(point.start, now)) / step
    return min(max(left, 0.0), 1.0)
