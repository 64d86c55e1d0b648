"""Cost forecasting (the plan's ``cascadeflow.telemetry.forecasting``)."""

from cascadeflow.domain.forecasting import Forecast, ForecastPoint
from cascadeflow.domain.spend_projection import BudgetExhaustion
from cascadeflow.domain.time_series import Frequency
from cascadeflow.entrypoints.api.cost_forecaster import CostForecaster

__all__ = ["BudgetExhaustion", "CostForecaster", "Forecast", "ForecastPoint", "Frequency"]
