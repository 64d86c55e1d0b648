"""Rolling-origin backtests: how each method would have done on the recent past.

At each origin a method sees only the history before it and forecasts the next
``horizon`` periods; it is scored on the log ratio of forecast to actual horizon
totals (symmetric, and the same for dollars and tokens). Selecting one method on a
couple of dozen origins overfits, so the forecast is the mean of the best few: a combination is
rarely the best method and rarely far from it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cascadeflow.domain.forecast_methods import Method, log_offset

MAX_ORIGINS = 20
MIN_TRAIN = 4
COMBINE = 3


@dataclass(frozen=True, slots=True)
class Backtest:
    """Per method, its forecasts at each origin; the actuals they are scored against."""

    origins: tuple[int, ...]
    forecasts: Mapping[str, tuple[tuple[float, ...], ...]]
    actuals: tuple[tuple[float, ...], ...]
    offset: float

    def score(self, name: str) -> float:
        """Mean |log(forecast total / actual total)| over the origins."""
        return statistics.fmean(
            abs(self._log_ratio(sum(f), sum(a), len(f)))
            for f, a in zip(self.forecasts[name], self.actuals, strict=True)
        )

    def ranking(self) -> list[str]:
        return sorted(self.forecasts, key=lambda name: (self.score(name), name))

    def combined(self, names: Sequence[str]) -> tuple[tuple[float, ...], ...]:
        """The mean of these methods' forecasts, at each origin."""
        return tuple(
            tuple(statistics.fmean(step) for step in zip(*(self.forecasts[n][i] for n in names),
                                                          strict=True))
            for i in range(len(self.origins))
        )

    def total_errors(self, forecasts: Sequence[Sequence[float]]) -> list[float]:
        """|forecast total - actual total| / actual total at each origin (actual > 0)."""
        return [abs(sum(f) - sum(a)) / sum(a)
                for f, a in zip(forecasts, self.actuals, strict=True) if sum(a) > 0]

    def log_errors(self, forecasts: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
        """Signed log(actual / forecast) errors: of horizon totals, and of each period."""
        totals = [self._log_ratio(sum(a), sum(f), len(f))
                  for f, a in zip(forecasts, self.actuals, strict=True)]
        periods = [self._log_ratio(av, fv, 1) for f, a in zip(forecasts, self.actuals, strict=True)
                   for fv, av in zip(f, a, strict=True)]
        return totals, periods

    def _log_ratio(self, top: float, bottom: float, periods: int) -> float:
        offset = self.offset * periods
        return math.log((max(top, 0.0) + offset) / (max(bottom, 0.0) + offset))


def origins_for(length: int, horizon: int) -> tuple[int, ...]:
    """Up to MAX_ORIGINS origins, the latest first, each with a full horizon after it."""
    step = max(1, horizon // 4)
    latest = length - horizon
    return tuple(o for o in range(latest, MIN_TRAIN - 1, -step))[:MAX_ORIGINS]


def run_backtest(
    y: Sequence[float], horizon: int, methods: Mapping[str, tuple[Method, int]]
) -> Backtest | None:
    """None when the history is too short for even one origin."""
    origins = origins_for(len(y), horizon)
    if not origins:
        return None
    forecasts = {
        name: tuple(tuple(max(v, 0.0) for v in method(y[:o], horizon, season)) for o in origins)
        for name, (method, season) in methods.items()
    }
    actuals = tuple(tuple(y[o:o + horizon]) for o in origins)
    # an offset per period so that a period with no usage doesn't make log errors explode
    return Backtest(origins, forecasts, actuals, log_offset(y))
