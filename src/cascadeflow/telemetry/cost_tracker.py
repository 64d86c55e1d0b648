"""The plan's ``cascadeflow.telemetry.cost_tracker`` path."""

from cascadeflow.domain.budgets import BudgetConfig, CostEntry
from cascadeflow.entrypoints.api.cost_tracker import CostTracker

__all__ = ["BudgetConfig", "CostEntry", "CostTracker"]
