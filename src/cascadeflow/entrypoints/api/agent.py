"""CascadeAgent: the Python API most users write against."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cascadeflow.application.ports import Clock, CompletionProvider, PricingCatalog, Telemetry
from cascadeflow.application.route_query import RouteQuery, RouteRequest, RoutingConfig
from cascadeflow.application.budget_policy import max_input_tokens
from cascadeflow.application.rate_limiting import UserRateLimits, used_tokens
from cascadeflow.application.run_cascade import RunCascade
from cascadeflow.application.online_calibration import OnlineCalibration
from cascadeflow.bootstrap import (
    rate_limit_store_beside,
    rate_limiter,
    bootstrap,
    calibration_store_beside,
    online_calibration,
    quality_config as resolve_quality,
)
from cascadeflow.domain.callbacks import CallbackEvent, CallbackManager
from cascadeflow.domain.complexity import ComplexityAnalyzer
from cascadeflow.domain.enforcement import EnforcementCallbacks
from cascadeflow.domain.metrics import MetricsCollector
from cascadeflow.domain.errors import BudgetExceededError, ConfigurationError
from cascadeflow.domain.guardrails import Guardrails
from cascadeflow.domain.messages import Message, billed_prompt, call_options
from cascadeflow.domain.rate_limits import RateLimit
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.online_policy import OnlineSettings
from cascadeflow.domain.quality import QualityConfig, QualityValidator
from cascadeflow.domain.quality_presets import ONLINE_MODE, ONLINE_QUALITY
from cascadeflow.domain.results import CascadeEvent, CascadeResult
from cascadeflow.domain.retry import RetryPolicy
from cascadeflow.entrypoints.api.cost_tracker import CostTracker

if TYPE_CHECKING:  # loaded when used: detection rules, strategies (and their validators),
    # tiers and the forecaster take ~100 ms to import, and a plain cascade needs none
    from cascadeflow.domain.detection import Detector, DomainDetector
    from cascadeflow.domain.strategies import DomainCascadeStrategy
    from cascadeflow.domain.tiers import TierAwareRouter
    from cascadeflow.entrypoints.api.cost_forecaster import CostForecaster

log = logging.getLogger("cascadeflow.agent")

Query = str | Sequence[Message | Mapping[str, Any]]


def to_messages(query: Query) -> tuple[Message, ...]:
    """A question string, or chat messages as Message objects or OpenAI message dicts
    ({"role", "content"}, and "name", "tool_calls", "tool_call_id" where they apply)."""
    if isinstance(query, str):
        if not query.strip():
            raise ConfigurationError("the query is empty: pass a question or a list of messages")
        return (Message("user", query),)
    messages: list[Message] = []
    for item in query:
        if isinstance(item, Message):
            messages.append(item)
        elif isinstance(item, Mapping) and "role" in item and (
                "content" in item or "tool_calls" in item):
            messages.append(Message.from_openai({"content": None, **item}))
        else:
            raise ConfigurationError(
                f"each message must be a Message or a dict with 'role' and 'content', got {item!r}"
            )
    if not messages:
        raise ConfigurationError("the query is empty: pass a question or a list of messages")
    return tuple(messages)


class CascadeAgent:
    """Answers with the cheapest model whose answer passes validation.

    Without ``provider`` it calls real models through LiteLLM with API keys from the
    environment; pass ``cascadeflow.testing.FakeProvider`` (or any CompletionProvider)
    to run without a network.
    """

    _strategies: dict[str, DomainCascadeStrategy] | None

    def __init__(
        self,
        models: Sequence[ModelConfig],
        quality_config: QualityConfig | str | None = None,
        provider: CompletionProvider | None = None,
        *,
        quality_validation_mode: str | None = None,
        pricing: PricingCatalog | None = None,
        clock: Clock | None = None,
        retry_policy: RetryPolicy | None = None,
        timeout: float = 60.0,
        cost_tracker: CostTracker | None = None,
        enforcement: EnforcementCallbacks | None = None,
        callbacks: CallbackManager | None = None,
        metrics: MetricsCollector | None = None,
        telemetry: Telemetry | None = None,
        otel_endpoint: str | None = None,
        domain_strategies: Mapping[str, DomainCascadeStrategy] | None = None,
        enable_multi_step_cascade: bool = False,
        domain_detector: Detector | None = None,
        tier_router: TierAwareRouter | None = None,
        enable_tier_routing: bool = False,
        complexity_analyzer: ComplexityAnalyzer | None = None,
        quality_validator: QualityValidator | None = None,
        enable_cost_forecasting: bool = False,
        calibration: OnlineSettings | OnlineCalibration | None = None,
        guardrails: Guardrails | None = None,
        rate_limits: RateLimit | Mapping[str, RateLimit] | None = None,
    ) -> None:
        if guardrails is not None and not isinstance(guardrails, Guardrails):
            raise ConfigurationError(f"guardrails must be a Guardrails(input=[...], output=[...]), got {guardrails!r}")
        self.guardrails = guardrails
        # requests and tokens per minute per user_id, refused before any call; counted in
        # the tracker's database when it has one (processes sharing it count together)
        self.rate_limits = UserRateLimits(rate_limits) if rate_limits is not None else None
        if not models:
            raise ConfigurationError("CascadeAgent needs at least one ModelConfig in models=[...]")
        for model in models:
            if not isinstance(model, ModelConfig):
                raise ConfigurationError(f"models must be ModelConfig objects, got {model!r}")
        self.models = tuple(models)
        given = [q for q in (quality_config, quality_validation_mode, quality_validator) if q is not None]
        if len(given) > 1:
            raise ConfigurationError(
                "pass one of quality_config, quality_validation_mode or quality_validator, not both"
            )
        # a preset name (fast, balanced, strict, cost-optimized), a saved calibration file,
        # a QualityConfig, or a QualityValidator (the plan's quality_validator=)
        chosen: QualityConfig | str | QualityValidator | None = given[0] if given else None
        if isinstance(chosen, QualityValidator):
            chosen = chosen.config
        # Out of the box, and with quality mode "online", drafts are accepted only as far as
        # agreement with the strongest model shows they keep its quality (online calibration).
        self.quality_config = ONLINE_QUALITY if chosen is None else resolve_quality(chosen)
        online = self.quality_config.name == ONLINE_MODE or calibration is not None
        if isinstance(calibration, OnlineCalibration):
            self.online: OnlineCalibration | None = calibration
        elif online:
            # evidence lives beside the tracker's spend: replicas share it, restarts keep it
            self.online = online_calibration(calibration or OnlineSettings(),
                                             calibration_store_beside(cost_tracker.store if cost_tracker else None))
        else:
            self.online = None
        self.cost_tracker = cost_tracker
        self.callbacks = callbacks
        self.metrics = metrics
        if enforcement is not None and cost_tracker is None:
            raise ConfigurationError(
                "enforcement needs budgets: pass cost_tracker=CostTracker(user_budgets=...) too"
            )
        if enable_cost_forecasting and cost_tracker is None:
            raise ConfigurationError("enable_cost_forecasting needs cost_tracker=CostTracker(...) too")
        # forecasts of the tracker's stored spend: agent.cost_forecaster.forecast_spend(...)
        self.cost_forecaster = _forecaster(cost_tracker) if enable_cost_forecasting and cost_tracker else None
        self._container = bootstrap(
            provider=provider,
            pricing=pricing,
            clock=clock or (cost_tracker.clock if cost_tracker else None),
            quality_config=self.quality_config,
            retry_policy=retry_policy,
            timeout=timeout,
            usage=cost_tracker.store if cost_tracker else None,
            budget_policy=cost_tracker.policy.outliving(timeout, retry_policy or RetryPolicy())
            if cost_tracker else None,
            enforcement=enforcement,
            ids=cost_tracker.ids if cost_tracker else None,
            telemetry=telemetry,
            otel_endpoint=otel_endpoint,
            online=self.online,
        )
        self.telemetry: Telemetry | None = self._container.telemetry()
        self._limiter = rate_limiter(
            self._container.adapters.clock(), rate_limit_store_beside(cost_tracker.store if cost_tracker else None)
        ) if self.rate_limits is not None else None
        self._cascade: RunCascade = self._container.run_cascade()
        self._init_routing(domain_strategies, enable_multi_step_cascade, domain_detector,
                           tier_router, enable_tier_routing, complexity_analyzer)

    @property
    def domain_strategies(self) -> dict[str, DomainCascadeStrategy]:
        """The strategy per domain: the ones given, else the built-in ones (loaded on
        first use: their validators' patterns take a while to import)."""
        if self._strategies is None:
            from cascadeflow.domain.builtin_strategies import DEFAULT_DOMAIN_STRATEGIES

            self._strategies = dict(DEFAULT_DOMAIN_STRATEGIES)
        return self._strategies

    def _init_routing(
        self, strategies: Mapping[str, DomainCascadeStrategy] | None, multi_step: bool,
        detector: Detector | None, tier_router: TierAwareRouter | None, tier_routing: bool,
        complexity: ComplexityAnalyzer | None,
    ) -> None:
        """Domain strategies (detecting the domain when a query does not name one) and
        tier routing. The configuration is immutable: requests never change it."""
        if tier_routing and tier_router is None:
            raise ConfigurationError(
                "enable_tier_routing=True needs tier_router=TierAwareRouter(tier_policies=..., all_models=...)"
            )
        self._strategies = None if strategies is None else dict(strategies)
        self.enable_multi_step_cascade = multi_step
        self.domain_detector = detector or (_detector() if multi_step else None)
        self.tier_router = tier_router
        self.enable_tier_routing = tier_routing
        self.complexity_analyzer = complexity or ComplexityAnalyzer()
        self._routing = RoutingConfig(
            self.models, self.domain_strategies if multi_step else {}, multi_step, self.domain_detector,
            tier_router, tier_routing, self.complexity_analyzer,
        )
        self._router: RouteQuery = self._container.route_query()

    async def run(
        self,
        query: Query,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        user_id: str | None = None,
        domain: str | None = None,
        user_tier: str | None = None,
        query_id: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        response_format: Mapping[str, Any] | None = None,
        stop: str | Sequence[str] | None = None,
        seed: int | None = None,
        top_p: float | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        **openai_fields: Any,
    ) -> CascadeResult:
        """Answer ``query``. ``domain`` picks a domain strategy (detected when None and
        multi-step cascading is on); ``user_tier`` routes to that tier's models;
        ``query_id`` is stored with every cost entry of this run.

        OpenAI's chat fields go to every model called: ``tools`` and ``tool_choice``
        (a draft's tool call must name an offered tool with arguments that follow its
        schema, else the cascade escalates), ``response_format`` (a draft must be JSON,
        following the schema for ``json_schema``), ``stop``, ``seed``, ``top_p``,
        ``logprobs`` and the rest by name in ``openai_fields`` (``frequency_penalty``,
        ``parallel_tool_calls``, ``user``…). ``temperature`` None is the provider's
        default. A field the cascade cannot honour (``n`` > 1, an unknown name) is a
        ConfigurationError."""
        request = self._request(query, max_tokens, temperature, user_id, domain, user_tier,
                                query_id, {"tools": tools, "tool_choice": tool_choice,
                                           "response_format": response_format, "stop": stop,
                                           "seed": seed, "top_p": top_p, "logprobs": logprobs,
                                           "top_logprobs": top_logprobs, **openai_fields})
        return await self._execute(request)

    async def stream(
        self,
        query: Query,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        user_id: str | None = None,
        domain: str | None = None,
        user_tier: str | None = None,
        query_id: str | None = None,
        **openai_fields: Any,
    ) -> AsyncGenerator[CascadeEvent, None]:
        """``run``, streamed: the answer's text as it arrives, then the whole result.

        Drafts are validated before anything is shown, so a rejected draft never
        appears: an accepted draft's text comes at once, and once the cascade reaches
        its last model (or when it has one model) that model's tokens flow through live.
        Takes ``run``'s arguments. Errors (a budget block, every model failing) are
        raised from the iteration, as ``run`` raises them; stopping the iteration early
        cancels the run (calls in flight are released, not charged)."""
        events: asyncio.Queue[CascadeEvent | BaseException] = asyncio.Queue()

        async def relay(model: str, text: str) -> None:
            await events.put(CascadeEvent(delta=text, model=model))

        # an answer the output guardrails check is shown only once checked, whole
        checked = self.guardrails is not None and bool(self.guardrails.output)
        request = replace(self._request(query, max_tokens, temperature, user_id, domain, user_tier,
                                        query_id, openai_fields), relay=None if checked else relay)

        async def answer() -> None:
            try:
                result = await self._execute(request)
                if checked and result.content:
                    await events.put(CascadeEvent(delta=result.content, model=result.model_used))
                await events.put(CascadeEvent(result=result))
            except BaseException as failed:  # handed to the reader, which raises it
                await events.put(failed)
                if isinstance(failed, asyncio.CancelledError):
                    raise

        task = asyncio.create_task(answer())
        try:
            while True:
                event = await events.get()
                if isinstance(event, BaseException):
                    raise event
                yield event
                if event.result is not None:
                    return
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _request(
        self, query: Query, max_tokens: int | None, temperature: float | None,
        user_id: str | None, domain: str | None, user_tier: str | None, query_id: str | None,
        fields: Mapping[str, Any],
    ) -> RouteRequest:
        messages = to_messages(query)  # screened by the guardrails once admitted (_execute)
        return RouteRequest(
            messages=messages,
            models=self.models,
            max_tokens=max_tokens,
            temperature=temperature,
            user_id=user_id,
            domain=domain,
            user_tier=user_tier,
            query_id=query_id,
            options=call_options(fields),
        )

    async def _execute(self, request: RouteRequest) -> CascadeResult:
        user_id, domain, user_tier = request.user_id, request.domain, request.user_tier
        admitted = None
        if self.rate_limits is not None and self._limiter is not None:
            if scopes := self.rate_limits.scopes(user_id):
                bound = max_input_tokens(billed_prompt(request.messages, request.options))
                admitted = await self._limiter.admit(scopes, bound)
        try:
            # after admission: a request the guardrails block counts against the rate
            # limits as one the budget blocks does (as the gateway counts it)
            messages = self._screened(request.messages)
            request = replace(request, messages=messages, models=self._pre_routed(messages))
            result = await self._router.execute(self._routing, request)
        except BaseException as failed:
            if admitted is not None and self._limiter is not None:  # no answer: its tokens go back
                await asyncio.shield(self._limiter.settle(admitted, 0))
            if isinstance(failed, BudgetExceededError):
                self._blocked(failed, user_id, domain, user_tier)
            raise
        self._observe(result)  # the calls are paid for and recorded, whatever the answer's fate
        if admitted is not None and self._limiter is not None:
            await self._limiter.settle(admitted, used_tokens(result.calls))
        if self.guardrails is not None and self.guardrails.output and result.content:
            result = replace(result, content=self.guardrails.screen(result.content, "output").text)
        return result

    def _blocked(self, blocked: BudgetExceededError, user_id: str | None, domain: str | None,
                 user_tier: str | None) -> None:
        """A budget block, told to telemetry and the callbacks."""
        if self.telemetry is not None:
            try:
                self.telemetry.record_blocked(user_id=user_id, domain=domain, tier=user_tier)
            except Exception:  # observers must not replace the budget error
                log.exception("telemetry failed to record a blocked request")
        if self.callbacks:
            self.callbacks.trigger(CallbackEvent.BUDGET_BLOCKED, user_id=user_id,
                                   message=str(blocked), context=blocked.context)

    def _screened(self, messages: tuple[Message, ...]) -> tuple[Message, ...]:
        """The messages after the input guardrails: what users and tools wrote is
        checked (redacted, or the request blocked) before any model sees it."""
        if self.guardrails is None or not self.guardrails.input:
            return messages
        screened = []
        for message in messages:
            if message.role not in ("user", "tool") or message.content is None:
                screened.append(message)
            elif isinstance(message.content, str):
                screened.append(replace(message, content=self.guardrails.screen(message.content, "input").text))
            else:
                parts = tuple({**p, "text": self.guardrails.screen(str(p["text"]), "input").text}
                              if p.get("type") == "text" and "text" in p else p for p in message.content)
                screened.append(replace(message, content=parts))
        return tuple(screened)

    def _pre_routed(self, messages: tuple[Message, ...]) -> tuple[ModelConfig, ...]:
        """Only the strongest model when the quality config's pre-router skips the draft
        (the query looks too hard, or falls outside the share drafted): as calibrated and
        replayed, the query goes straight to it, whatever models lie between."""
        router = self.quality_config.pre_router
        if router is None or len(self.models) < 2 or not router.skip_draft(messages[-1].text):
            return self.models
        return (self._cascade.order(self.models)[-1],)

    def _observe(self, result: CascadeResult) -> None:
        if self.metrics:
            self.metrics.record(result)
        if self.telemetry is not None:
            self.telemetry.record_cascade(result, tier=result.user_tier)
        if not self.callbacks:
            return
        if result.budget_action == "warn":
            self.callbacks.trigger(CallbackEvent.BUDGET_WARNING, user_id=result.user_id,
                                   message=result.budget_message)
        if result.budget_action == "degrade":
            self.callbacks.trigger(CallbackEvent.DEGRADED, user_id=result.user_id,
                                   message=result.budget_message)
        now = self._container.adapters.clock().now()  # the agent's clock dates the costs
        for call in result.calls:
            if call.cost or call.input_tokens or call.output_tokens:
                self.callbacks.trigger(CallbackEvent.COST_RECORDED, user_id=result.user_id,
                                       model=call.model, provider=call.provider, cost=call.cost,
                                       input_tokens=call.input_tokens,
                                       output_tokens=call.output_tokens, timestamp=now)
        if result.cascaded:
            self.callbacks.trigger(CallbackEvent.ESCALATED, user_id=result.user_id,
                                   models=list(result.models_called), model_used=result.model_used)

    def run_sync(
        self,
        query: Query,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        user_id: str | None = None,
        domain: str | None = None,
        user_tier: str | None = None,
        query_id: str | None = None,
        **openai_fields: Any,
    ) -> CascadeResult:
        """``run`` for scripts, with the same arguments. Inside a running event loop (a
        notebook, say) the run gets a loop of its own on a helper thread, since that
        loop cannot be re-entered."""
        job = self.run(
            query,
            max_tokens=max_tokens,
            temperature=temperature,
            user_id=user_id,
            domain=domain,
            user_tier=user_tier,
            query_id=query_id,
            **openai_fields,
        )
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(job)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cascadeflow-run-sync") as pool:
            return pool.submit(asyncio.run, job).result()


def _detector() -> DomainDetector:
    from cascadeflow.domain.detection import DomainDetector

    return DomainDetector()


def _forecaster(tracker: CostTracker) -> CostForecaster:
    from cascadeflow.entrypoints.api.cost_forecaster import CostForecaster

    return CostForecaster(tracker)
