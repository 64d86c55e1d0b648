"""The plan's ``cascadeflow.telemetry.cost_tracker`` path."""

from cascadeflow.domain.budgets import BudgetConfig, CostEntry
from cascadeflow.entrypoints.cost_tracker import CostTracker

__all__ = ["BudgetConfig", "CostEntry", "CostTracker"]
