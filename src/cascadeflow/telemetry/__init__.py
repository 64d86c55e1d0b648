"""Cost tracking, budgets and their enforcement (the plan's ``cascadeflow.telemetry``)."""

from cascadeflow.domain.budgets import BudgetConfig, CostEntry, Window
from cascadeflow.domain.enforcement import BudgetAction, EnforcementCallbacks, EnforcementContext
from cascadeflow.domain.errors import BudgetExceededError, UnknownUserError
from cascadeflow.entrypoints.cost_tracker import CostTracker

__all__ = [
    "BudgetAction",
    "BudgetConfig",
    "BudgetExceededError",
    "CostEntry",
    "CostTracker",
    "EnforcementCallbacks",
    "EnforcementContext",
    "UnknownUserError",
    "Window",
]
