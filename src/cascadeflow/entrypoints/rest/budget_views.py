"""Budgets and spend as the API shows them: per window, with where the budget came from."""

from __future__ import annotations

from collections.abc import Mapping

from cascadeflow.application.live_budgets import LiveBudgets
from cascadeflow.application.ports import Clock, UsageStore
from cascadeflow.domain.budgets import BudgetConfig, Window
from cascadeflow.domain.results import CascadeResult
from cascadeflow.entrypoints.rest.schemas import BudgetBody, BudgetState, BudgetView, UsageView


class BudgetViews:
    def __init__(self, usage: UsageStore, live: LiveBudgets, default: BudgetConfig | None,
                 clock: Clock, tiers: Mapping[str, BudgetConfig] | None = None) -> None:
        self._usage = usage
        self._live = live
        self._default = default
        self._clock = clock
        self._tiers = dict(tiers or {})

    def budget_of(self, user: str, tier: str | None = None) -> tuple[BudgetConfig | None, str]:
        """The budget the gate applies, as BudgetPolicy.limits_for picks it: the user's
        own, else their tier's, else the default."""
        budget, source = self._live.lookup(user)
        if budget is not None:
            return budget, source
        if tier is not None and (by_tier := self._tiers.get(tier)) is not None:
            return by_tier, "tier"
        return (self._default, "default") if self._default is not None else (None, "none")

    def view(self, user: str, tier: str | None = None) -> BudgetView:
        budget, source = self.budget_of(user, tier)
        (standing,) = self._usage.usage([user], self._clock.now())
        spend = {w.value: standing.spent[w] for w in Window}
        reserved = standing.held
        limits = budget.limits if budget is not None else {}
        return BudgetView(
            user=user,
            budget=_body(budget),
            source=source,  # type: ignore[arg-type]  # one of the literals by construction
            spend=spend,
            reserved=reserved,
            remaining={w.value: max(limit - spend[w.value] - reserved, 0.0) for w, limit in limits.items()},
        )

    def usage(self, user: str, tier: str | None) -> UsageView:
        return UsageView(**self.view(user, tier).model_dump(), tier=tier,
                         calls=self._usage.count(user))

    def put(self, user: str, body: BudgetBody, tier: str | None = None) -> BudgetView:
        self._live.store.put(user, BudgetConfig(**body.model_dump()))
        return self.view(user, tier)

    def state(self, result: CascadeResult, user: str, tier: str | None = None) -> BudgetState:
        """After a request: what enforcement decided, and the window with least left."""
        budget, _ = self.budget_of(user, tier)
        state = BudgetState(action=result.budget_action, message=result.budget_message)
        if budget is None or not budget.limits:
            return state
        (standing,) = self._usage.usage([user], self._clock.now())  # one read
        left = {w: limit - standing.spent[w] - standing.held for w, limit in budget.limits.items()}
        window = min(left, key=lambda w: left[w])
        return state.model_copy(update={"window": window.value, "remaining": max(left[window], 0.0)})


def _body(budget: BudgetConfig | None) -> BudgetBody | None:
    if budget is None:
        return None
    return BudgetBody(daily=budget.daily, weekly=budget.weekly, monthly=budget.monthly, total=budget.total)
