"""CascadeAgent: the Python API most users write against."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from cascadeflow.application.ports import Clock, CompletionProvider, PricingCatalog
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.bootstrap import bootstrap
from cascadeflow.domain.callbacks import CallbackEvent, CallbackManager
from cascadeflow.domain.enforcement import EnforcementCallbacks
from cascadeflow.domain.metrics import MetricsCollector
from cascadeflow.domain.errors import BudgetExceededError, ConfigurationError
from cascadeflow.domain.messages import Message
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import QualityConfig
from cascadeflow.domain.results import CascadeResult
from cascadeflow.domain.retry import RetryPolicy
from cascadeflow.entrypoints.cost_tracker import CostTracker

Query = str | Sequence[Message | Mapping[str, str]]


def to_messages(query: Query) -> tuple[Message, ...]:
    """A question string, or chat messages as Message objects or {"role", "content"} dicts."""
    if isinstance(query, str):
        if not query.strip():
            raise ConfigurationError("the query is empty: pass a question or a list of messages")
        return (Message("user", query),)
    messages: list[Message] = []
    for item in query:
        if isinstance(item, Message):
            messages.append(item)
        elif isinstance(item, Mapping) and {"role", "content"} <= item.keys():
            messages.append(Message(item["role"], item["content"]))  # type: ignore[arg-type]
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

    def __init__(
        self,
        models: Sequence[ModelConfig],
        quality_config: QualityConfig | None = None,
        provider: CompletionProvider | None = None,
        *,
        pricing: PricingCatalog | None = None,
        clock: Clock | None = None,
        retry_policy: RetryPolicy | None = None,
        timeout: float = 60.0,
        cost_tracker: CostTracker | None = None,
        enforcement: EnforcementCallbacks | None = None,
        callbacks: CallbackManager | None = None,
        metrics: MetricsCollector | None = None,
    ) -> None:
        if not models:
            raise ConfigurationError("CascadeAgent needs at least one ModelConfig in models=[...]")
        for model in models:
            if not isinstance(model, ModelConfig):
                raise ConfigurationError(f"models must be ModelConfig objects, got {model!r}")
        self.models = tuple(models)
        self.quality_config = quality_config or QualityConfig()
        self.cost_tracker = cost_tracker
        self.callbacks = callbacks
        self.metrics = metrics
        if enforcement is not None and cost_tracker is None:
            raise ConfigurationError(
                "enforcement needs budgets: pass cost_tracker=CostTracker(user_budgets=...) too"
            )
        self._container = bootstrap(
            provider=provider,
            pricing=pricing,
            clock=clock or (cost_tracker.clock if cost_tracker else None),
            quality_config=self.quality_config,
            retry_policy=retry_policy,
            timeout=timeout,
            usage=cost_tracker.store if cost_tracker else None,
            budget_policy=cost_tracker.policy if cost_tracker else None,
            enforcement=enforcement,
            ids=cost_tracker.ids if cost_tracker else None,
        )
        self._cascade: RunCascade = self._container.run_cascade()

    async def run(
        self,
        query: Query,
        *,
        max_tokens: int | None = None,
        temperature: float = 0.7,
        user_id: str | None = None,
        domain: str | None = None,
    ) -> CascadeResult:
        request = CascadeRequest(
            models=self.models,
            messages=to_messages(query),
            max_tokens=max_tokens,
            temperature=temperature,
            user_id=user_id,
            domain=domain,
        )
        try:
            result = await self._cascade.execute(request)
        except BudgetExceededError as blocked:
            if self.callbacks:
                self.callbacks.trigger(CallbackEvent.BUDGET_BLOCKED, user_id=user_id,
                                       message=str(blocked), context=blocked.context)
            raise
        self._observe(result)
        return result

    def _observe(self, result: CascadeResult) -> None:
        if self.metrics:
            self.metrics.record(result)
        if not self.callbacks:
            return
        if result.budget_action == "warn":
            self.callbacks.trigger(CallbackEvent.BUDGET_WARNING, user_id=result.user_id,
                                   message=result.budget_message)
        if result.budget_action == "degrade":
            self.callbacks.trigger(CallbackEvent.DEGRADED, user_id=result.user_id,
                                   message=result.budget_message)
        for call in result.calls:
            if call.cost or call.input_tokens or call.output_tokens:
                self.callbacks.trigger(CallbackEvent.COST_RECORDED, user_id=result.user_id,
                                       model=call.model, provider=call.provider, cost=call.cost)
        if result.cascaded:
            self.callbacks.trigger(CallbackEvent.ESCALATED, user_id=result.user_id,
                                   models=list(result.models_called), model_used=result.model_used)

    def run_sync(
        self,
        query: Query,
        *,
        max_tokens: int | None = None,
        temperature: float = 0.7,
        user_id: str | None = None,
        domain: str | None = None,
    ) -> CascadeResult:
        """``run`` for scripts without an event loop."""
        return asyncio.run(
            self.run(
                query,
                max_tokens=max_tokens,
                temperature=temperature,
                user_id=user_id,
                domain=domain,
            )
        )
