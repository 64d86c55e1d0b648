"""The plan's ``cascadeflow.telemetry.enforcement`` path."""

from cascadeflow.domain.enforcement import BudgetAction, EnforcementCallbacks, EnforcementContext

__all__ = ["BudgetAction", "EnforcementCallbacks", "EnforcementContext"]
