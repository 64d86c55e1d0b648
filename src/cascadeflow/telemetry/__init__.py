"""Cost tracking, budgets and their enforcement (the plan's ``cascadeflow.telemetry``)."""

from cascadeflow.domain.budgets import BudgetConfig, CostBreakdown, CostEntry, Window
from cascadeflow.domain.callbacks import CallbackEvent, CallbackManager
from cascadeflow.domain.enforcement import BudgetAction, EnforcementCallbacks, EnforcementContext
from cascadeflow.domain.errors import BudgetExceededError, UnknownUserError
from cascadeflow.domain.metrics import MetricsCollector
from cascadeflow.entrypoints.api.cost_calculator import CostCalculator
from cascadeflow.entrypoints.api.cost_tracker import CostTracker
from cascadeflow.telemetry import anomaly, forecasting
from cascadeflow.telemetry.anomaly import AnomalyDetector, AnomalyMonitor, detect_anomalies
from cascadeflow.telemetry.forecasting import CostForecaster, Forecast

__all__ = [
    "AnomalyDetector",
    "AnomalyMonitor",
    "CostForecaster",
    "Forecast",
    "anomaly",
    "detect_anomalies",
    "forecasting",
    "BudgetAction",
    "BudgetConfig",
    "BudgetExceededError",
    "CallbackEvent",
    "CallbackManager",
    "CostBreakdown",
    "CostCalculator",
    "CostEntry",
    "CostTracker",
    "EnforcementCallbacks",
    "EnforcementContext",
    "MetricsCollector",
    "UnknownUserError",
    "Window",
]
