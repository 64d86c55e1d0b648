"""Cost tracking, budgets and their enforcement (the plan's ``cascadeflow.telemetry``)."""

from cascadeflow.domain.budgets import BudgetConfig, CostEntry, Window
from cascadeflow.domain.callbacks import CallbackEvent, CallbackManager
from cascadeflow.domain.enforcement import BudgetAction, EnforcementCallbacks, EnforcementContext
from cascadeflow.domain.errors import BudgetExceededError, UnknownUserError
from cascadeflow.domain.metrics import MetricsCollector
from cascadeflow.entrypoints.cost_tracker import CostTracker

__all__ = [
    "BudgetAction",
    "BudgetConfig",
    "BudgetExceededError",
    "CallbackEvent",
    "CallbackManager",
    "CostEntry",
    "CostTracker",
    "EnforcementCallbacks",
    "EnforcementContext",
    "MetricsCollector",
    "UnknownUserError",
    "Window",
]
