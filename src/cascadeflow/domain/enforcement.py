"""Budget enforcement: what to do with a request given what a user has left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cascadeflow.domain.errors import ConfigurationError


class BudgetAction(str, Enum):
    ALLOW = "allow"
    WARN = "warn"
    DEGRADE = "degrade"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class EnforcementContext:
    """A user's budget state when a request arrives, in the window closest to its limit.

    ``current_cost`` is the estimated maximum cost of this request on its cheapest
    model; ``window`` names the binding window (daily, weekly, monthly or total).
    ``scope`` says whose limit binds: "user" (the user's own, their tier's or the
    default budget) or "global" (the cap on all users together; ``window`` then reads
    e.g. "total (all users)" and the budget and request figures are everyone's).
    """

    user_id: str
    budget_limit: float
    budget_remaining: float
    budget_used: float
    budget_pct_used: float
    current_cost: float
    total_requests: int
    window: str = "total"
    user_tier: str | None = None
    scope: str = "user"


CheckFn = Callable[[EnforcementContext], tuple[str, str | None]]
FilterFn = Callable[[EnforcementContext, list[Any]], list[Any]]
WarnFn = Callable[[EnforcementContext], None]


DEFAULT_WARN = 0.9  # the plan's default enforcement warns from 90% of a budget used


class EnforcementCallbacks:
    """Decides allow / warn / degrade / block; each decision can be replaced by a callback."""

    def __init__(
        self,
        on_budget_check: CheckFn | None = None,
        on_model_filter: FilterFn | None = None,
        on_budget_warning: WarnFn | None = None,
        warn_threshold: float | None = None,
    ) -> None:
        """``warn_threshold`` None: the CostTracker's ``warn_threshold`` when it sets one,
        else 0.9 (the plan's: warn from 90% used)."""
        self.on_budget_check = on_budget_check
        self.on_model_filter = on_model_filter
        self.on_budget_warning = on_budget_warning
        self.warn_threshold = warn_threshold

    def check_budget(self, ctx: EnforcementContext) -> tuple[str, str | None]:
        """(action, message), action one of 'allow', 'warn', 'degrade', 'block'."""
        if self.on_budget_check is not None:
            return self.on_budget_check(ctx)
        if ctx.budget_remaining <= 0:
            return "block", "Budget exceeded"
        if ctx.budget_pct_used >= (DEFAULT_WARN if self.warn_threshold is None else self.warn_threshold):
            return "warn", f"Budget {ctx.budget_pct_used:.0%} used"
        return "allow", None

    def with_default_threshold(self, warn_threshold: float | None) -> EnforcementCallbacks:
        """A copy that warns at ``warn_threshold`` unless this one set its own level."""
        return EnforcementCallbacks(
            self.on_budget_check, self.on_model_filter, self.on_budget_warning,
            warn_threshold if self.warn_threshold is None else self.warn_threshold,
        )

    def filter_models(self, ctx: EnforcementContext, models: Sequence[Any]) -> list[Any]:
        if self.on_model_filter is None:
            return list(models)
        return list(self.on_model_filter(ctx, list(models)))

    def warn(self, ctx: EnforcementContext) -> None:
        if self.on_budget_warning is not None:
            self.on_budget_warning(ctx)


def parse_action(action: str) -> BudgetAction:
    try:
        return BudgetAction(action)
    except ValueError:
        allowed = ", ".join(a.value for a in BudgetAction)
        raise ConfigurationError(
            f"on_budget_check returned action {action!r}; it must be one of {allowed}"
        ) from None
