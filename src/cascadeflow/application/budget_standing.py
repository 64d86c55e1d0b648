"""Where a request stands against its limits: the user's own and the global ones
(all users together), and the enforcement context of the one with the least left."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cascadeflow.application.budget_policy import ANONYMOUS
from cascadeflow.domain.budgets import ScopeUsage, Window
from cascadeflow.domain.enforcement import EnforcementContext

GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one limit stands: the user's own ("user") or all users' ("global")."""

    remaining: float
    limit: float
    used: float
    window: Window
    scope: str
    calls: int = 0  # entries stored in the scope, all time

    def sort_key(self) -> tuple[float, bool, str]:
        # on a tie the user's own limit binds: it is the one the user can act on
        return (self.remaining, self.scope == GLOBAL, self.window.value)


def standings_from(
    user_id: str | None, limits: Mapping[Window, float], global_limits: Mapping[Window, float],
    usage: ScopeUsage, everyone: ScopeUsage,
) -> list[Standing]:
    """Every limit of the user and every global one, from where the user and all users
    stand (read by the gate: with a reservation, or alone)."""
    found: list[Standing] = []
    for scope, scope_limits, standing in (("user", limits, usage), (GLOBAL, global_limits, everyone)):
        calls = standing.calls if scope == GLOBAL or user_id else 0
        for window, limit in scope_limits.items():
            used = standing.spent[window] + standing.held
            found.append(Standing(limit - used, limit, used, window, scope, calls))
    return found


def enforcement_context(
    standing: Standing, user_id: str | None, current_cost: float, tier: str | None,
) -> EnforcementContext:
    is_global = standing.scope == GLOBAL
    requests = standing.calls
    limit, used = standing.limit, standing.used
    return EnforcementContext(
        user_id=user_id or ANONYMOUS,
        budget_limit=limit,
        budget_remaining=max(standing.remaining, 0.0),
        budget_used=used,
        budget_pct_used=used / limit if limit > 0 else 1.0,
        current_cost=current_cost,
        total_requests=requests,
        window=f"{standing.window.value} (all users)" if is_global else standing.window.value,
        user_tier=tier,
        scope=standing.scope,
    )


def budget_name(ctx: EnforcementContext) -> str:
    """"daily budget", or "global total budget of all users" when the global cap binds."""
    if ctx.scope == GLOBAL:
        return f"global {ctx.window.removesuffix(' (all users)')} budget of all users"
    return f"{ctx.window} budget"
