"""The gateway's use of the library: which models answer a request, for whom, under
which budget. Routes stay thin; everything they need is here."""

from __future__ import annotations

import asyncio
import functools
import re
import tempfile
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.concurrency import run_in_threadpool

from cascadeflow.application.budget_gate import MUST_WAIT, BudgetPolicy, run_if_quick
from cascadeflow.application.live_budgets import LiveBudgets
from cascadeflow.application.ports import Clock
from cascadeflow.application.rate_limiting import Admitted, RateLimiter, used_tokens, user_scope
from cascadeflow.bootstrap import (
    bootstrap,
    budget_store,
    calibration_store,
    calibration_store_beside,
    online_calibration,
    rate_limiter,
    usage_store,
)
from cascadeflow.application.budget_policy import max_input_tokens
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.messages import CallOptions, Message, billed_prompt, call_options
from cascadeflow.domain.rate_limits import RateLimit
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.results import CascadeEvent, CascadeResult
from cascadeflow.domain.retry import RetryPolicy
from cascadeflow.domain.tiers import TierAwareRouter, TierModelPolicy
from cascadeflow.entrypoints.api.agent import CascadeAgent
from cascadeflow.entrypoints.api.calibration_status import status_rows
from cascadeflow.entrypoints.api.cost_tracker import CostTracker
from cascadeflow.entrypoints.rest.auth import Caller, KeyRing, acting_user
from cascadeflow.entrypoints.rest.budget_views import BudgetViews
from cascadeflow.entrypoints.rest.error_statuses import ApiError
from cascadeflow.entrypoints.rest.schemas import (
    BudgetState,
    CalibrationRoute,
    CalibrationView,
    ChatCompletionRequest,
)
from cascadeflow.entrypoints.rest.setup import GatewaySetup

VIRTUAL = "cascadeflow"
KNOWN_DOMAINS = ("code", "math", "medical", "legal", "general")
_DOMAIN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class _LiveBudgetTracker(CostTracker):
    """A CostTracker whose per-user budgets are read through the BudgetStore."""

    def __init__(self, live: LiveBudgets, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.live = live

    @property
    def policy(self) -> BudgetPolicy:
        return replace(super().policy, user_budgets=self.live)


@dataclass(frozen=True, slots=True)
class Answered:
    result: CascadeResult
    user: str
    tier: str | None
    id: str
    created: int
    admitted: Admitted | None = None  # what the rate limits counted, corrected at the finish


@dataclass(frozen=True, slots=True)
class _Run:
    """One request, ready to run: its agent, messages and run arguments."""

    agent: CascadeAgent
    messages: list[Message]
    arguments: dict[str, Any]
    user: str
    tier: str | None
    id: str
    options: CallOptions
    admitted: Admitted | None = None

    def answered(self, result: CascadeResult, now: datetime) -> Answered:
        return Answered(result, self.user, self.tier, self.id, int(now.timestamp()), self.admitted)


@dataclass(slots=True)
class Streaming:
    """A streamed answer under way: ``first`` event already received, ``rest`` to come."""

    run: _Run
    first: CascadeEvent
    rest: AsyncGenerator[CascadeEvent, None]
    clock: Clock
    # the rate limits' count corrected to ``used`` tokens, for a stream that ends without
    # its finish (broken off, or the client gone): 0 unless the answer had arrived
    settle_rate: Callable[[int], Awaitable[None]]
    settled: bool = False  # the rate limits' count was corrected, by the finish or after a break

    async def settle_once(self, used: int) -> None:
        if not self.settled:
            self.settled = True
            await self.settle_rate(used)

    async def abandon(self) -> None:
        """For a response that ended without relaying the whole answer, its body perhaps
        never started (the client gone first): stop the cascade, and correct the rate
        limits' count as for a request that failed, unless that was done."""
        await self.rest.aclose()
        await self.settle_once(0)

    @property
    def model(self) -> str:
        """The model whose text streams (known from the first event)."""
        first = self.first
        return first.model or (first.result.model_used if first.result else "")

    def answered(self, result: CascadeResult) -> Answered:
        return self.run.answered(result, self.clock.now())


class Gateway:
    def __init__(self, setup: GatewaySetup) -> None:
        config = self.config = setup.config
        url = config.database_url.get_secret_value() if config.database_url else None
        self.models = {m.name: m.to_model_config() for m in config.models}
        configured = {u: s.budget.to_budget() for u, s in config.users.items() if s.budget}
        live = LiveBudgets(setup.budgets or budget_store(url), configured)
        default = config.default_budget.to_budget() if config.default_budget else None
        tiers = config.tier_budgets()
        self.tracker = _LiveBudgetTracker(live, store=setup.usage or usage_store(url),
                                          default_budget=default, tier_budgets=tiers,
                                          clock=setup.clock, ids=setup.ids)
        self.budgets = BudgetViews(self.tracker.store, live, default, self.tracker.clock, tiers)
        self.keys = KeyRing(config.keys)
        # one online policy for every model list: evidence is kept per model pair, in the
        # usage database, so replicas learn together and restarts forget nothing
        self.online = online_calibration(
            # only the gateway's own domains get plans: a client's made-up domain hints do not
            replace(config.quality.to_online(), plan_domains=tuple(dict.fromkeys([*KNOWN_DOMAINS, *config.domains]))),
            setup.calibration or (calibration_store_beside(setup.usage) if setup.usage is not None
                                  else calibration_store(url)),
        ) if config.quality.online else None
        self._provider, self._pricing = setup.provider, setup.pricing
        # rate-limit counters live with the spend (so replicas count together); built
        # on the first limited request
        self._url = url
        self._memory_stores = setup.usage is not None and url is None
        self._rate_store_setup = setup.rate_limits
        self._limiter: RateLimiter | None = None
        self._agents: dict[tuple[tuple[str, ...], str | None], CascadeAgent] = {}
        self._check_prices()

    def calibration_view(self) -> CalibrationView:
        quality = self.config.quality
        if self.online is None:
            return CalibrationView(mode=quality.mode, target_quality=None, routes=[])
        rows = status_rows(self.online.store)
        return CalibrationView(mode=quality.mode, target_quality=quality.target_quality,
                               routes=[CalibrationRoute(**row) for row in rows])

    def model_ids(self) -> list[str]:
        domains = dict.fromkeys([*KNOWN_DOMAINS, *self.config.domains])
        return [VIRTUAL, *(f"{VIRTUAL}:{d}" for d in domains), *self.config.presets, *self.models]

    async def answer(self, caller: Caller, body: ChatCompletionRequest,
                     domain_hint: str | None, tier_hint: str | None) -> Answered:
        run = await self._admit_rate(self._prepare(caller, body, domain_hint, tier_hint), caller)
        try:
            result = await run.agent.run(run.messages, **run.arguments)
        except BaseException:
            await asyncio.shield(self._settle_rate(run.admitted, 0))  # no answer: its tokens go back
            raise
        return run.answered(result, self.tracker.clock.now())

    async def finish(self, done: Answered, caller: Caller) -> BudgetState:
        """After an answer: the rate limits count the tokens its calls used (instead of
        its prompt's bound), and the budget state to report."""
        await self._settle_rate(done.admitted, used_tokens(done.result.calls))
        return await self.budget_state(done)

    async def _settle_rate(self, admitted: Admitted | None, used: int) -> None:
        if admitted is not None:
            await self._rate_limiter().settle(admitted, used)

    def _rate_scopes(self, user: str, caller: Caller) -> list[tuple[str, RateLimit]]:
        settings = self.config.users.get(user)
        mine = settings.rate_limit if settings is not None and settings.rate_limit else self.config.default_rate_limit
        scopes = [(user_scope(user), mine.to_rate_limit())] if mine is not None else []
        if caller.rate_limit is not None:
            scopes.append((f"k:{caller.key_id}", caller.rate_limit))
        return scopes

    async def _admit_rate(self, run: _Run, caller: Caller) -> _Run:
        """The run, with what the rate limits counted for it; RateLimitExceededError when
        the request does not fit the user's or the key's requests or tokens per minute
        (its prompt's bound counts now, corrected to the tokens used when it is done)."""
        scopes = self._rate_scopes(run.user, caller)
        if not scopes:
            return run
        prompt = max_input_tokens(billed_prompt(tuple(run.messages), run.options))
        return replace(run, admitted=await self._rate_limiter().admit(scopes, prompt))

    def _rate_limiter(self) -> RateLimiter:
        if self._limiter is None:
            self._limiter = rate_limiter(self.tracker.clock, self._rate_store_setup,
                                         "memory" if self._memory_stores else self._url)
        return self._limiter


    async def stream(self, caller: Caller, body: ChatCompletionRequest,
                     domain_hint: str | None, tier_hint: str | None) -> Streaming:
        """The answer as events, started: its first event is awaited here, so that a
        refusal (a budget block, every model failing before any text) is raised before
        the response begins and reaches the client as an ordinary error."""
        run = await self._admit_rate(self._prepare(caller, body, domain_hint, tier_hint), caller)
        events = run.agent.stream(run.messages, **run.arguments)
        try:
            first = await anext(events)
        except BaseException:
            await events.aclose()
            await asyncio.shield(self._settle_rate(run.admitted, 0))
            raise
        return Streaming(run, first, events, self.tracker.clock,
                         functools.partial(self._settle_rate, run.admitted))

    def _prepare(self, caller: Caller, body: ChatCompletionRequest,
                 domain_hint: str | None, tier_hint: str | None) -> _Run:
        user = self._billed_user(caller, body.user)
        tier = self._tier(caller, user, tier_hint)
        names, domain = self._route(body.model, _domain(domain_hint))
        routed_tier = tier if tier in self.config.tiers else None
        agent = self._agent(self._for_tier(names, tier, body.model), routed_tier)
        response_id = f"chatcmpl-{self.tracker.ids.new_id()}"
        # the tier goes to the run even when it routes nothing: the budget gate picks
        # the tier's budget for a user without one of their own, and entries record it.
        # A field or schema the cascade cannot honour is a ConfigurationError: a 400.
        fields = body.model_fields_for_models()
        options = call_options(fields)  # names the run also takes (domain, user_id…) are no OpenAI field: a 400
        arguments = dict(max_tokens=body.max_completion_tokens or body.max_tokens,
                         temperature=body.temperature, user_id=user, domain=domain,
                         user_tier=tier, query_id=response_id, **fields)
        return _Run(agent, _messages(body), arguments, user, tier, response_id, options)

    @staticmethod
    def _billed_user(caller: Caller, label: str | None) -> str:
        """Whose budget pays. OpenAI's ``user`` labels the end user: with a user key it
        is only a label (sent on, and stored with the costs), the key's user pays; an
        admin key's ``user`` names the budgeted user."""
        if not caller.is_admin or label is None:
            return caller.user
        return acting_user(caller, label)

    async def budget_state(self, done: Answered) -> BudgetState:
        """The budget after a request: as the cascade reports it (where the user stood at
        the budget decision, minus the request's cost), else read: on the event loop
        where the store never waits (in memory, or SQLite's reads), else off it."""
        result = done.result
        if result.budget_window is not None:  # the cascade knows it: no read
            return BudgetState(action=result.budget_action, message=result.budget_message,
                               window=result.budget_window, remaining=result.budget_remaining)
        state = functools.partial(self.budgets.state, result, done.user, done.tier)
        found = run_if_quick(self.tracker.store, state)
        return await run_in_threadpool(state) if found is MUST_WAIT else found

    def export(self, fmt: str, user: str | None, since: datetime | None) -> bytes:
        try:
            start = since.astimezone(UTC) if since is not None else None
        except (OverflowError, ValueError):
            raise ApiError(400, "invalid_value", f"since={since} is out of range", param="since") from None
        with tempfile.TemporaryDirectory(prefix="cascadeflow-export-") as folder:
            path = Path(folder) / f"export.{fmt}"
            self.tracker.export(path, format=fmt, user_id=user, since=start)
            return path.read_bytes()

    def ping(self) -> None:
        """Touch the usage database: a replica that cannot reach it is not healthy."""
        self.tracker.store.reserved("", self.tracker.clock.now())

    def tier_of(self, user: str, caller: Caller | None = None) -> str | None:
        if caller is not None and caller.user == user and caller.tier:
            return caller.tier
        settings = self.config.users.get(user)
        return settings.tier if settings else None

    def _tier(self, caller: Caller, user: str, hint: str | None) -> str | None:
        if hint is None:
            return self.tier_of(user, caller)
        if not caller.is_admin:
            raise ApiError(403, "insufficient_permissions", "only admin keys may send "
                           "X-Cascadeflow-User-Tier", kind="permission_error")
        if self.config.tiers and hint not in self.config.tiers:
            raise ApiError(404, "tier_not_found", f"tier {hint!r} does not exist; tiers are "
                           f"{sorted(self.config.tiers)}")
        return hint

    def _route(self, name: str, hint: str | None) -> tuple[Sequence[str], str | None]:
        cfg = self.config
        default = cfg.default_models or list(self.models)
        if name == VIRTUAL:
            return cfg.domains.get(hint or "", default), hint
        prefix, _, domain = name.partition(":")
        if prefix == VIRTUAL and domain in (*KNOWN_DOMAINS, *cfg.domains):
            return cfg.domains.get(domain, default), domain
        if name in cfg.presets:
            return cfg.presets[name], hint
        if name in self.models:
            return [name], hint
        raise ApiError(404, "model_not_found", f"model {name!r} does not exist; this gateway "
                       f"serves {', '.join(self.model_ids())}", param="model")

    def _for_tier(self, names: Sequence[str], tier: str | None, asked: str) -> tuple[str, ...]:
        policy = self.config.tiers.get(tier or "")
        if policy is None or policy.models is None:
            return tuple(names)
        allowed = tuple(n for n in names if n in policy.models)
        if not allowed:
            raise ApiError(403, "model_not_allowed", f"tier {tier!r} may not use any model of "
                           f"{asked!r}; it may use {', '.join(policy.models)}",
                           kind="permission_error", param="model")
        return allowed

    def _agent(self, names: tuple[str, ...], tier: str | None) -> CascadeAgent:
        """One agent per model list and tier, built on first use. A tier routes within
        the list: its per-query cost cap, the user's remaining budget, the complexity cut."""
        key = (names, tier)
        if key not in self._agents:
            cfg = self.config
            models = [self.models[n] for n in names]
            router = None
            if tier is not None:
                policy = TierModelPolicy(tier, tuple(m.name for m in models),
                                         cfg.tiers[tier].max_cost_per_query)
                router = TierAwareRouter({tier: policy}, models)
            self._agents[key] = CascadeAgent(
                models=models, quality_config=cfg.quality.to_quality(), calibration=self.online,
                provider=self._provider, pricing=self._pricing, clock=self.tracker.clock,
                retry_policy=RetryPolicy(max_attempts=cfg.server.max_attempts),
                timeout=cfg.server.timeout, cost_tracker=self.tracker,
                otel_endpoint=cfg.otel_endpoint, tier_router=router,
                enable_tier_routing=router is not None, guardrails=cfg.guardrails.to_guardrails(),
            )
        return self._agents[key]

    def _check_prices(self) -> None:
        """An unpriced model would fail every request: refuse to start instead."""
        catalog = bootstrap(provider=self._provider, pricing=self._pricing).adapters.pricing()
        for model in self.models.values():
            catalog.price(model)


def _messages(body: ChatCompletionRequest) -> list[Message]:
    try:
        return [Message.from_openai(m.model_dump(exclude_unset=True)) for m in body.messages]
    except ConfigurationError as bad:
        raise ApiError(400, "invalid_message", str(bad), param="messages") from None


def _domain(hint: str | None) -> str | None:
    if hint is None or _DOMAIN.match(hint):
        return hint
    raise ApiError(400, "invalid_domain", f"X-Cascadeflow-Domain must look like 'code' or "
                   f"'medical' (lowercase letters, digits, - and _), got {hint!r}")
