"""CostForecaster over a CostTracker's stored spend (the plan's forecasting API)."""

from __future__ import annotations

from cascadeflow.application.forecast_costs import ForecastCosts
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.forecasting import CostForecaster as SeriesForecaster
from cascadeflow.domain.forecasting import Forecast
from cascadeflow.domain.spend_projection import BudgetExhaustion
from cascadeflow.domain.time_series import Frequency
from cascadeflow.entrypoints.api.cost_tracker import CostTracker


class CostForecaster(SeriesForecaster):
    """``forecast(series, horizon, freq)`` for any usage series; with a ``tracker``, also
    forecasts of its stored spend and of when each user's budgets run out.

        forecaster = CostForecaster(tracker)
        forecaster.forecast_spend(horizon=7, user_id="alice").total
        forecaster.forecast_budget_exhaustion("alice")
    """

    def __init__(self, tracker: CostTracker | None = None, level: float = 0.8,
                 max_history: int = 400) -> None:
        super().__init__(level=level, max_history=max_history)
        self.tracker = tracker

    def forecast_spend(
        self, horizon: int = 7, freq: str | Frequency = "D", user_id: str | None = None,
        model: str | None = None,
    ) -> Forecast:
        """Stored spend forecast from the current period on (overall, per user, per model)."""
        return self._use_case().execute(horizon, freq, user_id=user_id, model=model)

    def forecast_budget_exhaustion(
        self, user_id: str, horizon_days: int = 31
    ) -> list[BudgetExhaustion]:
        """When each of the user's budget windows runs out at the forecast rate."""
        tracker = self._tracker()
        budget = tracker.user_budgets.get(user_id, tracker.default_budget)
        if budget is None:
            raise ConfigurationError(
                f"user {user_id!r} has no budget: give one in CostTracker(user_budgets=...) "
                "or default_budget="
            )
        return self._use_case().budget_exhaustion(user_id, budget, horizon_days)

    def _tracker(self) -> CostTracker:
        if self.tracker is None:
            raise ConfigurationError(
                "this needs stored spend: create the forecaster with CostForecaster(tracker)"
            )
        return self.tracker

    def _use_case(self) -> ForecastCosts:
        tracker = self._tracker()
        return ForecastCosts(tracker.store, tracker.clock, self)
