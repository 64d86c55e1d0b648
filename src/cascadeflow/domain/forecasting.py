"""Cost forecasting: the next N days (or hours) of spend, with intervals, from history.

The method is chosen by rolling-origin backtesting among baselines (naive, seasonal
naive, recent mean and median) and exponential smoothing (simple, damped trend,
Holt-Winters with daily/weekly seasons, each also on a log scale); the forecast is the
mean of the best few. Intervals come from the backtest errors of that very forecast.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.forecast_backtest import COMBINE, MIN_TRAIN, run_backtest
from cascadeflow.domain.forecast_methods import (
    BASE_METHODS,
    Method,
    log_offset,
    recent_mean,
    seasonal_candidates,
)
from cascadeflow.domain.time_series import Frequency, as_utc, bucket, parse_frequency

Timestamp = datetime | date | str


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    start: datetime
    value: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """Per future period a point and an interval (``level``, e.g. 0.8 for 80%), the
    horizon total with its interval, and how it was made. ``backtest_error`` is the
    mean relative error of horizon totals over ``backtest_origins`` recent origins
    (None without a backtest); ``baseline_error`` the same for the recent mean."""

    freq: Frequency
    points: tuple[ForecastPoint, ...]
    total: float
    total_lower: float
    total_upper: float
    method: str
    level: float
    history_periods: int
    backtest_origins: int = 0
    backtest_error: float | None = None
    baseline_error: float | None = None
    note: str = ""

    @property
    def horizon(self) -> int:
        return len(self.points)

    def to_dict(self) -> dict[str, Any]:
        return {
            "freq": self.freq.value, "horizon": self.horizon, "method": self.method,
            "level": self.level, "total": self.total, "total_lower": self.total_lower,
            "total_upper": self.total_upper, "history_periods": self.history_periods,
            "backtest_origins": self.backtest_origins, "backtest_error": self.backtest_error,
            "baseline_error": self.baseline_error, "note": self.note,
            "points": [{"start": p.start.isoformat(), "value": p.value, "lower": p.lower,
                        "upper": p.upper} for p in self.points],
        }


class CostForecaster:
    """``CostForecaster().forecast(series, horizon=7, freq="D")``: ``series`` holds
    ``(timestamp, value)`` pairs, in any order, several per period allowed (they are
    summed; periods without any are 0)."""

    def __init__(self, level: float = 0.8, max_history: int = 400) -> None:
        if not 0 < level < 1:
            raise ConfigurationError(f"level must be between 0 and 1 (e.g. 0.8), got {level!r}")
        self.level = level
        self.max_history = max_history

    def forecast(
        self,
        series: Iterable[tuple[Timestamp, float]],
        horizon: int,
        freq: str | Frequency = "D",
        *,
        end: datetime | None = None,
    ) -> Forecast:
        """``end``: the first period to forecast (default: the one after the last point)."""
        frequency = parse_frequency(freq)
        points = [(_timestamp(t), _value(v)) for t, v in series]
        first, values = bucket(points, frequency, end=end)
        if first is None:
            start = frequency.floor(end) if end is not None else None
            return self._empty(frequency, horizon, start)
        return self.forecast_values(values, horizon, frequency, first)

    def forecast_values(
        self, values: Sequence[float], horizon: int, freq: str | Frequency, first: datetime
    ) -> Forecast:
        """A forecast from a regular series whose first period starts at ``first``."""
        frequency = parse_frequency(freq)
        _check_horizon(horizon)
        y = [_value(v) for v in values][-self.max_history:]
        start = frequency.floor(first) + frequency.step * len(values)
        if not y:
            return self._empty(frequency, horizon, start)
        backtest = run_backtest(y, horizon, _candidates(len(y), frequency))
        if backtest is None:
            return self._too_short(y, horizon, frequency, start)
        chosen = backtest.ranking()[:COMBINE]
        methods = _candidates(len(y), frequency)
        future = [statistics.fmean(step) for step in zip(
            *([max(v, 0.0) for v in methods[n][0](y, horizon, methods[n][1])] for n in chosen),
            strict=True)]
        history = backtest.combined(chosen)
        total_errors, period_errors = backtest.log_errors(history)
        baseline = backtest.total_errors(backtest.forecasts["recent_mean"])
        mine = backtest.total_errors(history)
        return self._build(
            frequency, start, future, y, _rms(period_errors), _rms(total_errors),
            method="mean of " + ", ".join(chosen), origins=len(backtest.origins),
            error=statistics.fmean(mine) if mine else None,
            baseline_error=statistics.fmean(baseline) if baseline else None,
        )

    def _z(self) -> float:
        return statistics.NormalDist().inv_cdf((1 + self.level) / 2)

    def _build(self, freq: Frequency, start: datetime, future: Sequence[float],
               y: Sequence[float], period_spread: float, total_spread: float, *, method: str,
               origins: int = 0, error: float | None = None,
               baseline_error: float | None = None, note: str = "") -> Forecast:
        offset, z = log_offset(y), self._z()

        def band(value: float, spread: float, periods: int) -> tuple[float, float]:
            shift = offset * periods
            return (max((value + shift) * math.exp(-z * spread) - shift, 0.0),
                    (value + shift) * math.exp(z * spread) - shift)

        points = tuple(ForecastPoint(start + freq.step * i, v, *band(v, period_spread, 1))
                       for i, v in enumerate(future))
        total = sum(future)
        lower, upper = band(total, total_spread, len(future))
        return Forecast(freq, points, total, lower, upper, method, self.level, len(y),
                        origins, error, baseline_error, note)

    def _too_short(self, y: Sequence[float], horizon: int, freq: Frequency,
                   start: datetime) -> Forecast:
        offset = log_offset(y)
        logs = [math.log(v + offset) for v in y]
        # with too little history to measure errors, assume a wide one: a factor of 2
        spread = max(statistics.stdev(logs) if len(logs) > 1 else 0.0, math.log(2))
        note = (f"only {len(y)} {freq.unit}(s) of history: too short to backtest a "
                f"{horizon}-{freq.unit} horizon (needs {horizon + MIN_TRAIN}); forecasting "
                "the mean of the history")
        future = recent_mean(y, horizon, freq.seasons[0])
        return self._build(freq, start, future, y, spread, spread, method="recent_mean",
                           note=note)

    def _empty(self, freq: Frequency, horizon: int, start: datetime | None) -> Forecast:
        _check_horizon(horizon)
        first = start or datetime.combine(date.today(), time(), tzinfo=None)
        points = tuple(ForecastPoint(as_utc(first) + freq.step * i, 0.0, 0.0, 0.0)
                       for i in range(horizon))
        return Forecast(freq, points, 0.0, 0.0, 0.0, "none", self.level, 0,
                        note="no usage history yet: nothing to forecast from, so 0")


def _candidates(length: int, freq: Frequency) -> dict[str, tuple[Method, int]]:
    primary = freq.seasons[0]
    methods = {name: (method, primary) for name, method in BASE_METHODS.items()}
    for season in freq.seasons:
        if length >= 2 * season + 1:
            methods.update({n: (m, season) for n, m in seasonal_candidates(season).items()})
    return methods


def _rms(errors: Sequence[float]) -> float:
    return math.sqrt(statistics.fmean(e * e for e in errors)) if errors else math.log(2)


def _check_horizon(horizon: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ConfigurationError(f"horizon must be a whole number of periods >= 1, got {horizon!r}")


def _timestamp(value: Timestamp) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return as_utc(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise ConfigurationError(
            f"cannot read {value!r} as a time: use a datetime, a date or ISO 8601 text "
            "such as 2026-03-01 or 2026-03-01T14:00"
        ) from None


def _value(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
        value) or value < 0:
        raise ConfigurationError(f"usage values must be finite numbers >= 0, got {value!r}")
    return float(value)
