"""Forecasts of stored spend: overall, per user, per model, and against budgets."""

from __future__ import annotations

from cascadeflow.application.ports import Clock, UsageStore
from cascadeflow.domain.budgets import BudgetConfig, Window, window_start
from cascadeflow.domain.forecasting import CostForecaster, Forecast
from cascadeflow.domain.spend_projection import (
    BudgetExhaustion,
    budget_exhaustion,
    with_current_period,
)
from cascadeflow.domain.time_series import Frequency, parse_frequency


class ForecastCosts:
    def __init__(self, store: UsageStore, clock: Clock, forecaster: CostForecaster) -> None:
        self._store = store
        self._clock = clock
        self._forecaster = forecaster

    def execute(
        self,
        horizon: int,
        freq: str | Frequency = "D",
        user_id: str | None = None,
        model: str | None = None,
    ) -> Forecast:
        """Spend per period from the current one on; the current period counts what was
        already spent in it plus the forecast for the rest of it."""
        forecast, spent_now = self._raw(horizon, parse_frequency(freq), user_id, model)
        return with_current_period(forecast, spent_now, self._clock.now())

    def budget_exhaustion(
        self, user_id: str, budget: BudgetConfig, horizon_days: int = 31
    ) -> list[BudgetExhaustion]:
        """When each of the user's budget windows runs out at the forecast daily rate."""
        now = self._clock.now()
        forecast, _ = self._raw(horizon_days, Frequency.DAILY, user_id, None)
        spent = {w: self._store.spent(user_id, window_start(w, now)) for w in Window}
        return budget_exhaustion(budget.limits, spent, forecast, now)

    def _raw(self, horizon: int, freq: Frequency, user_id: str | None,
             model: str | None) -> tuple[Forecast, float]:
        now = self._clock.now()
        current = freq.floor(now)
        since = current - freq.step * self._forecaster.max_history
        entries = [e for e in self._store.entries(user_id, since)
                   if model is None or e.model == model]
        history = [(e.timestamp, e.cost) for e in entries if e.timestamp < current]
        spent_now = sum(e.cost for e in entries if current <= e.timestamp <= now)
        return self._forecaster.forecast(history, horizon, freq, end=current), spent_now
