"""Forecasting methods: simple baselines and exponential smoothing, in plain Python.

Each method maps (history, horizon, season) to ``horizon`` non-negative values. Smoothing
parameters are fitted by a small grid search on one-step-ahead squared error: robust on
the short, noisy histories that usage series are, and fast enough to refit at every
backtest origin. The log variants model multiplicative change (a level that doubles,
weekends at half), which usage series show more often than additive change.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

Method = Callable[[Sequence[float], int, int], list[float]]

_ALPHAS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9)
_TREND_GAINS = (0.01, 0.05, 0.2)
_DAMPING = (0.8, 0.9, 0.98)
_HW_ALPHAS = (0.05, 0.2, 0.5, 0.8)
_HW_GAMMAS = (0.05, 0.2, 0.5)
_HW_TREND = ((0.0, 1.0), (0.05, 0.9), (0.05, 0.98))  # (trend gain, damping)


def naive(y: Sequence[float], horizon: int, season: int) -> list[float]:
    return [y[-1]] * horizon


def seasonal_naive(y: Sequence[float], horizon: int, season: int) -> list[float]:
    if season < 2 or len(y) < season:
        return naive(y, horizon, season)
    return [y[len(y) - season + i % season] for i in range(horizon)]


def _window(y: Sequence[float], season: int) -> Sequence[float]:
    return y[-max(season, 7):]


def recent_mean(y: Sequence[float], horizon: int, season: int) -> list[float]:
    """The mean of the last season (at least 7 periods): the usual baseline."""
    return [statistics.fmean(_window(y, season))] * horizon


def recent_median(y: Sequence[float], horizon: int, season: int) -> list[float]:
    return [statistics.median(_window(y, season))] * horizon


def _ses_sse(y: Sequence[float], alpha: float) -> tuple[float, float]:
    level, sse = y[0], 0.0
    for value in y[1:]:
        error = value - level
        sse += error * error
        level += alpha * error
    return sse, level


def ses(y: Sequence[float], horizon: int, season: int) -> list[float]:
    """Simple exponential smoothing: a level that follows the series."""
    if len(y) < 3:
        return naive(y, horizon, season)
    _, level = min(_ses_sse(y, alpha) for alpha in _ALPHAS)
    return [level] * horizon


@dataclass(frozen=True, slots=True)
class _State:
    sse: float
    level: float
    trend: float
    phi: float
    seasonal: tuple[float, ...] = ()


def _holt(y: Sequence[float], alpha: float, gain: float, phi: float) -> _State:
    level, trend, sse = y[0], y[1] - y[0], 0.0
    for value in y[1:]:
        fitted = level + phi * trend
        error = value - fitted
        sse += error * error
        level = fitted + alpha * error
        trend = phi * trend + alpha * gain * error
    return _State(sse, level, trend, phi)


def _damped_sum(phi: float, steps: int) -> float:
    return sum(phi ** k for k in range(1, steps + 1))


def holt_damped(y: Sequence[float], horizon: int, season: int) -> list[float]:
    """Level and a trend that flattens out: growth is followed, not extrapolated forever."""
    if len(y) < 4:
        return ses(y, horizon, season)
    best = min((_holt(y, a, g, p) for a, g, p in product(_ALPHAS, _TREND_GAINS, _DAMPING)),
               key=lambda state: state.sse)
    return [best.level + _damped_sum(best.phi, h) * best.trend for h in range(1, horizon + 1)]


def _holt_winters(y: Sequence[float], m: int, alpha: float, gain: float, phi: float,
                  gamma: float) -> _State:
    level = statistics.fmean(y[:m])
    trend = (statistics.fmean(y[m:2 * m]) - level) / m
    seasonal = [value - level for value in y[:m]]
    sse = 0.0
    for t in range(m, len(y)):
        fitted = level + phi * trend + seasonal[t % m]
        error = y[t] - fitted
        sse += error * error
        level += phi * trend + alpha * error
        trend = phi * trend + alpha * gain * error
        seasonal[t % m] += gamma * (1 - alpha) * error
    # rotate so that index 0 is the season slot of the first future period
    start = len(y) % m
    return _State(sse, level, trend, phi, tuple(seasonal[start:] + seasonal[:start]))


def holt_winters(y: Sequence[float], horizon: int, season: int) -> list[float]:
    """Additive Holt-Winters with a damped trend; needs two full seasons."""
    if season < 2 or len(y) < 2 * season:
        return holt_damped(y, horizon, season)
    best = min(
        (_holt_winters(y, season, a, g, p, s)
         for a, (g, p), s in product(_HW_ALPHAS, _HW_TREND, _HW_GAMMAS)),
        key=lambda state: state.sse,
    )
    return [best.level + _damped_sum(best.phi, h) * best.trend + best.seasonal[(h - 1) % season]
            for h in range(1, horizon + 1)]


def in_logs(method: Method) -> Method:
    """The method applied to log(y + c), c a small fraction of the series' level, so the
    transform is the same for dollars and for millions of tokens."""

    def logged(y: Sequence[float], horizon: int, season: int) -> list[float]:
        offset = log_offset(y)
        forecast = method([math.log(v + offset) for v in y], horizon, season)
        return [math.exp(min(v, 700.0)) - offset for v in forecast]

    logged.__name__ = f"log_{method.__name__}"
    return logged


def log_offset(y: Sequence[float]) -> float:
    positive = [v for v in y if v > 0]
    return 0.05 * statistics.fmean(positive) if positive else 1.0


def seasonal_candidates(season: int) -> dict[str, Method]:
    """Methods that model a cycle of ``season`` periods, named with it."""

    def bind(method: Method) -> Method:
        return lambda y, horizon, _season: method(y, horizon, season)

    return {
        f"seasonal_naive_{season}": bind(seasonal_naive),
        f"holt_winters_{season}": bind(holt_winters),
        f"log_holt_winters_{season}": bind(in_logs(holt_winters)),
    }


BASE_METHODS: dict[str, Method] = {
    "naive": naive,
    "recent_mean": recent_mean,
    "recent_median": recent_median,
    "ses": ses,
    "log_ses": in_logs(ses),
    "holt_damped": holt_damped,
    "log_holt_damped": in_logs(holt_damped),
}
