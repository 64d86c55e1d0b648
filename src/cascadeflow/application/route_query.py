"""How one query runs: its domain, the models its user's tier may use, and then a
domain strategy or the standard cascade.

The routing configuration is an immutable value and every decision is a local of
``execute``: concurrent requests for different tiers never see each other's models.

A strategy run is admitted against the budget here, once for the whole request: its
steps and judge calls then only reserve and commit, so a warning fires once and a
degrade narrows the strategy to the steps it can afford. The standard cascade admits
itself (RunCascade).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cascadeflow.application.budget_gate import Admission, BudgetGate, max_input_tokens
from cascadeflow.application.ports import PricingCatalog
from cascadeflow.application.run_cascade import CascadeRequest, Relay, RunCascade
from cascadeflow.application.strategy_steps import question_of
from cascadeflow.domain.complexity import ComplexityAnalyzer
from cascadeflow.domain.enforcement import BudgetAction
from cascadeflow.domain.errors import BudgetExceededError
from cascadeflow.domain.messages import NO_OPTIONS, CallOptions, Message, billed_prompt
from cascadeflow.domain.models import ModelConfig, call_max_tokens
from cascadeflow.domain.results import CascadeResult

if TYPE_CHECKING:  # loaded where used: a plain cascade needs none of them at start
    from cascadeflow.application.run_strategy import RunStrategy
    from cascadeflow.domain.detection import Detector
    from cascadeflow.domain.strategies import DomainCascadeStrategy
    from cascadeflow.domain.tiers import TierAwareRouter, TierChoice


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    models: tuple[ModelConfig, ...]
    strategies: Mapping[str, DomainCascadeStrategy] = field(default_factory=dict)
    multi_step: bool = False
    detector: Detector | None = None
    tier_router: TierAwareRouter | None = None
    tier_routing: bool = False
    complexity: ComplexityAnalyzer = ComplexityAnalyzer()


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """One query. ``models`` narrows the configured models for this request only
    (None: all of them); tier routing, when it applies, picks from the tier's instead."""

    messages: tuple[Message, ...]
    models: tuple[ModelConfig, ...] | None = None
    max_tokens: int | None = None
    temperature: float | None = None  # None: each provider's default
    user_id: str | None = None
    domain: str | None = None
    user_tier: str | None = None
    query_id: str | None = None
    options: CallOptions = NO_OPTIONS
    relay: Relay | None = None  # streaming: where the answer's text goes (see CascadeRequest)


class RouteQuery:
    """``strategy`` builds the multi-step use-case when a domain strategy first runs (a
    plain cascade never loads it)."""

    def __init__(
        self,
        cascade: RunCascade,
        strategy: Callable[[], RunStrategy],
        pricing: PricingCatalog,
        budget_gate: BudgetGate | None = None,
    ) -> None:
        self._cascade = cascade
        self._strategy_for = strategy
        self._strategy: RunStrategy | None = None
        self._pricing = pricing
        self._gate = budget_gate

    async def execute(self, config: RoutingConfig, request: RouteRequest) -> CascadeResult:
        question = question_of(request.messages)
        domain = request.domain
        if domain is None and config.detector is not None:
            domain, _ = config.detector.detect(question)
        models = request.models or config.models
        known = {m.name: m for m in config.models}
        choice: TierChoice | None = None
        if config.tier_routing and config.tier_router is not None and request.user_tier is not None:
            complexity = config.complexity.analyze(question)["complexity"]
            choice = self.tier_models(config.tier_router, request.user_tier, request, complexity)
            models = choice.models
            known = {**config.tier_router.all_models, **known}
        strategy = config.strategies.get(domain) if config.multi_step and domain else None
        if strategy is not None and choice is not None:
            strategy = strategy.restricted_to({m.name for m in models})
        if strategy is not None:
            from cascadeflow.application.run_strategy import StrategyRequest

            strategy, admission = await self._admit(strategy, known, request)
            if self._strategy is None:
                self._strategy = self._strategy_for()
            result = await self._strategy.execute(StrategyRequest(
                strategy, request.messages, known, request.max_tokens, request.temperature,
                request.user_id, request.query_id, tier=request.user_tier, admission=admission,
                options=request.options,
            ))
            if request.relay is not None and result.content:  # steps are checked before it shows
                await request.relay(result.model_used, result.content)
        else:
            result = await self._cascade.execute(CascadeRequest(
                models, request.messages, request.max_tokens, request.temperature,
                request.user_id, domain, request.query_id, tier=request.user_tier,
                options=request.options, relay=request.relay,
            ))
        if choice is None:
            return result
        result = replace(result, user_tier=choice.tier, complexity=choice.complexity)
        if (why := choice.degraded) is not None and result.budget_action in (None, BudgetAction.ALLOW.value):
            result = replace(result, budget_action=BudgetAction.DEGRADE.value, budget_message=why)
        return result

    async def _admit(
        self, strategy: DomainCascadeStrategy, known: Mapping[str, ModelConfig], request: RouteRequest
    ) -> tuple[DomainCascadeStrategy, Admission | None]:
        """The strategy's budget decision over the models its steps answer with (judges
        are reserved per call, like every call); under DEGRADE, only the steps (or
        fallbacks) whose models were admitted are kept."""
        gate = self._gate
        if gate is None:
            return strategy, None
        from cascadeflow.domain.strategies import resolve_steps

        steps = resolve_steps(strategy, known)
        answering = [s.model for s in steps] + [s.fallback for s in steps if s.fallback is not None]
        models = list({m.name: m for m in answering}.values())
        admission = await gate.off_loop(
            gate.admit, request.user_id, models, request.messages, request.max_tokens,
            request.user_tier,
        )
        if admission.action is not BudgetAction.DEGRADE:
            return strategy, admission
        narrowed = strategy.restricted_to({m.name for m in admission.models})
        if narrowed is None:
            raise BudgetExceededError(
                f"no step of the {strategy.domain!r} strategy fits the budget left", admission.context
            )
        return narrowed, admission

    def tier_models(
        self, router: TierAwareRouter, tier: str, request: RouteRequest, complexity: str
    ) -> TierChoice:
        """The tier's models that fit this query's worst-case cost and the user's
        remaining budget (from the budget store, when budgets are enforced)."""
        gate = self._gate
        context = gate.context(request.user_id, 0.0, tier) if gate is not None else None
        remaining = context.budget_remaining if context is not None else None
        prompt_tokens = max_input_tokens(billed_prompt(request.messages, request.options))

        expected = router.policy(tier).expected_output_tokens

        def estimate(model: ModelConfig) -> float:
            # a typical answer, never more than the call may write; reservations stay worst-case
            output_tokens = min(expected, call_max_tokens(request.max_tokens, model))
            return self._pricing.price(model).cost(prompt_tokens, output_tokens)

        try:
            return router.route(tier, complexity, estimate, remaining)
        except BudgetExceededError as refused:
            if refused.context is not None or context is None:
                raise
            # the tier's refusal is a budget block: give callers the user's budget state
            raise BudgetExceededError(str(refused), context) from refused
