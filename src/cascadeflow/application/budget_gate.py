"""Budgets enforced before money is spent: admit a request, then reserve, commit or
release each model call against the UsageStore."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from datetime import timedelta

from cascadeflow.application.ports import Clock, IdGenerator, PricingCatalog, UsageStore
from cascadeflow.domain.budgets import (
    BudgetConfig,
    CostEntry,
    Reservation,
    ReservationRequest,
    Window,
    window_start,
)
from cascadeflow.domain.enforcement import (
    BudgetAction,
    EnforcementCallbacks,
    EnforcementContext,
    parse_action,
)
from cascadeflow.domain.errors import BudgetExceededError
from cascadeflow.domain.messages import Completion, Message
from cascadeflow.domain.models import ModelConfig, call_max_tokens
from cascadeflow.domain.retry import RetryPolicy

if TYPE_CHECKING:
    from cascadeflow.application.run_cascade import CascadeRequest

ANONYMOUS = "anonymous"
GLOBAL = "global"
log = logging.getLogger("cascadeflow.budget")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """Who may spend how much: a user's own budget, else their tier's (``tier_budgets``,
    for requests that name a tier), else ``default_budget``."""

    user_budgets: Mapping[str, BudgetConfig] = field(default_factory=dict)
    default_budget: BudgetConfig | None = None
    global_budget: BudgetConfig | None = None
    warn_threshold: float = 0.8
    reservation_ttl: timedelta = timedelta(minutes=10)
    tier_budgets: Mapping[str, BudgetConfig] = field(default_factory=dict)

    def limits_for(self, user_id: str | None, tier: str | None = None) -> Mapping[Window, float]:
        """A user's own limits. Anonymous calls have none: spend without a user can't
        be told apart per caller, so only the global budget covers it."""
        if user_id is None:
            return {}
        budget = self.user_budgets.get(user_id)
        if budget is None and tier is not None:
            budget = self.tier_budgets.get(tier)
        budget = budget if budget is not None else self.default_budget
        return budget.limits if budget is not None else {}

    def outliving(self, timeout: float, retry: RetryPolicy) -> BudgetPolicy:
        """This policy with a reservation TTL longer than the slowest call can take
        (every attempt timing out, plus the backoff between them), so a reservation
        never expires under a call that is still running."""
        slowest = timeout * retry.max_attempts + sum(
            retry.delay(attempt) for attempt in range(1, retry.max_attempts)
        )
        ttl = max(self.reservation_ttl, timedelta(seconds=slowest + 60))
        return replace(self, reservation_ttl=ttl)

    @property
    def global_limits(self) -> Mapping[Window, float]:
        return self.global_budget.limits if self.global_budget is not None else {}


@dataclass(frozen=True, slots=True)
class Admission:
    """A request's budget decision, made once before its first model call: a strategy
    passes it to every step and judge call, which then only reserve and commit."""

    models: tuple[ModelConfig, ...]
    action: BudgetAction
    message: str | None
    context: EnforcementContext | None


@dataclass(frozen=True, slots=True)
class _Standing:
    """Where one limit stands: the user's own ("user") or all users' ("global")."""

    remaining: float
    limit: float
    used: float
    window: Window
    scope: str

    def sort_key(self) -> tuple[float, bool, str]:
        # on a tie the user's own limit binds: it is the one the user can act on
        return (self.remaining, self.scope == GLOBAL, self.window.value)


def max_input_tokens(messages: Sequence[Message]) -> int:
    """An upper bound on prompt tokens: every token is at least one byte of UTF-8, plus
    the chat template's few tokens per message. Pessimistic on purpose: the reservation
    must never be smaller than the call."""
    return sum(len(m.content.encode("utf-8")) + 4 for m in messages) + 3


class BudgetGate:
    def __init__(
        self,
        store: UsageStore,
        clock: Clock,
        ids: IdGenerator,
        pricing: PricingCatalog,
        policy: BudgetPolicy,
        enforcement: EnforcementCallbacks,
    ) -> None:
        self.store = store
        self._clock = clock
        self._ids = ids
        self._pricing = pricing
        self.policy = policy
        self._enforcement = enforcement
        self._pool: ThreadPoolExecutor | None = None

    async def off_loop(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a store call on the gate's own threads. Not the loop's default executor:
        calls waiting on a database lock there would starve its other users (address
        lookups for new upstream connections among them)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="cascadeflow-budget")
        return await asyncio.get_running_loop().run_in_executor(self._pool, partial(fn, *args))

    def estimate(self, model: ModelConfig, messages: Sequence[Message], max_tokens: int) -> float:
        return self._pricing.price(model).cost(max_input_tokens(messages), max_tokens)

    def context(
        self, user_id: str | None, current_cost: float, tier: str | None = None
    ) -> EnforcementContext | None:
        """The state of the limit with the least left, over the user's own limits and
        the global ones (all users together); None when neither has any."""
        standings = self._standings(user_id, tier)
        if not standings:
            return None
        return self._context(min(standings, key=_Standing.sort_key), user_id, current_cost, tier)

    def _standings(self, user_id: str | None, tier: str | None) -> list[_Standing]:
        now = self._clock.now()
        found: list[_Standing] = []
        scopes = (("user", user_id, self.policy.limits_for(user_id, tier)),
                  (GLOBAL, None, self.policy.global_limits))  # store queries with None: all users
        for scope, who, limits in scopes:
            if not limits:
                continue
            held = self.store.reserved(who, now)
            for window, limit in limits.items():
                used = self.store.spent(who, window_start(window, now)) + held
                found.append(_Standing(limit - used, limit, used, window, scope))
        return found

    def _context(
        self, standing: _Standing, user_id: str | None, current_cost: float, tier: str | None
    ) -> EnforcementContext:
        is_global = standing.scope == GLOBAL
        requests = self.store.count(None) if is_global else self.store.count(user_id) if user_id else 0
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

    def admit(
        self, user_id: str | None, models: Sequence[ModelConfig], messages: Sequence[Message],
        max_tokens: int | None, tier: str | None = None,
    ) -> Admission:
        """Decide before any model is called; BudgetExceededError when blocked."""
        estimates = {m.name: self.estimate(m, messages, call_max_tokens(max_tokens, m)) for m in models}
        ctx = self.context(user_id, min(estimates.values()), tier)
        if ctx is None:
            return Admission(tuple(models), BudgetAction.ALLOW, None, None)
        action_name, message = self._enforcement.check_budget(ctx)
        action = parse_action(action_name)
        if message is not None and ctx.scope == GLOBAL:
            message = f"{message} ({_budget_name(ctx)})"
        if action is BudgetAction.BLOCK:
            raise BudgetExceededError(message or f"the {_budget_name(ctx)} is exceeded", ctx)
        kept = list(models)
        if action is BudgetAction.DEGRADE:
            kept = [m for m in models if estimates[m.name] <= ctx.budget_remaining]
            kept = self._enforcement.filter_models(ctx, kept)
            if not kept:
                raise BudgetExceededError(
                    f"no model fits the ${ctx.budget_remaining:.6f} left in the {_budget_name(ctx)}",
                    ctx,
                )
        if action is BudgetAction.WARN:
            self._enforcement.warn(ctx)
        return Admission(tuple(kept), action, message, ctx)

    def reserve(
        self, user_id: str | None, model: ModelConfig, messages: Sequence[Message], max_tokens: int,
        tier: str | None = None,
    ) -> Reservation | None:
        limits = self.policy.limits_for(user_id, tier)
        global_limits = self.policy.global_limits
        if not limits and not global_limits:
            return None
        request = ReservationRequest(
            id=self._ids.new_id(),
            user_id=user_id or ANONYMOUS,
            amount=self.estimate(model, messages, max_tokens),
            limits=limits,
            now=self._clock.now(),
            ttl=self.policy.reservation_ttl,
            global_limits=global_limits,
        )
        reservation = self.store.reserve(request)
        if reservation is None:
            raise self._refusal(user_id, model, request.amount, tier)
        return reservation

    def _refusal(
        self, user_id: str | None, model: ModelConfig, amount: float, tier: str | None
    ) -> BudgetExceededError:
        """Why a reservation did not fit, naming the limit it hit (the user's or the global one)."""
        standings = self._standings(user_id, tier)
        if not standings:  # cannot happen: reserve only runs with limits; kept for safety
            return BudgetExceededError(f"the budget cannot cover {model.name} (up to ${amount:.6f})")
        short = [s for s in standings if s.remaining < amount] or standings
        ctx = self._context(min(short, key=_Standing.sort_key), user_id, amount, tier)
        if ctx.scope != GLOBAL:
            return BudgetExceededError(f"the budget cannot cover {model.name} (up to ${amount:.6f})", ctx)
        return BudgetExceededError(
            f"the {_budget_name(ctx)} cannot cover {model.name} (up to ${amount:.6f}; "
            f"${ctx.budget_remaining:.6f} left of ${ctx.budget_limit:g}): raise "
            "CostTracker(budget_limit=...) to allow more spend", ctx,
        )

    def settle(
        self, reservation: Reservation | None, model: ModelConfig, completion: Completion,
        cost: float, request: CascadeRequest,
    ) -> None:
        """Store the call's real cost (and free the rest of its reservation)."""
        entry = CostEntry(
            id=reservation.id if reservation is not None else self._ids.new_id(),
            model=model.name,
            provider=model.provider,
            cost=cost,
            timestamp=self._clock.now(),
            input_tokens=completion.input_tokens,
            output_tokens=completion.output_tokens,
            user_id=request.user_id,
            query_id=request.query_id,
            domain=request.domain,
            tier=request.tier,
        )
        if reservation is None:
            self.store.record(entry)
            return
        self.store.commit(reservation.id, entry)
        if cost > reservation.amount + 1e-12:
            # the provider went past max_tokens (reasoning tokens, a price change):
            # the spend is real and recorded; say so, since the limit may now be exceeded
            log.warning(
                "call to %s cost $%.6f, more than the $%.6f reserved for it",
                model.name, cost, reservation.amount,
            )

    def release(self, reservation: Reservation | None) -> None:
        if reservation is not None:
            self.store.release(reservation.id)


def _budget_name(ctx: EnforcementContext) -> str:
    """"daily budget", or "global total budget of all users" when the global cap binds."""
    if ctx.scope == GLOBAL:
        return f"global {ctx.window.removesuffix(' (all users)')} budget of all users"
    return f"{ctx.window} budget"
