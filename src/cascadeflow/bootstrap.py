"""The composition root: the one place where adapters are chosen and wired.

``bootstrap()`` gives a container whose ``run_cascade`` factory builds the use-case.
Production uses LiteLLM for calls and prices; tests and users' tests pass fakes; the
replay preset serves a trace through the very same use-case.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cascadeflow.adapters.configured_pricing import ConfiguredPricing
from cascadeflow.adapters.litellm_pricing import LiteLLMPricing
from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.adapters.system_clock import SystemClock, UuidGenerator
from cascadeflow.application.ports import (
    BudgetStore,
    CalibrationStore,
    Clock,
    CompletionProvider,
    IdGenerator,
    PricingCatalog,
    RateLimitStore,
    SchemaCheck,
    Telemetry,
    UsageStore,
    Validator,
)
from cascadeflow.application.budget_gate import BudgetGate, BudgetPolicy
from cascadeflow.application.run_cascade import RunCascade
from cascadeflow.application.rate_limiting import RateLimiter
from cascadeflow.application.route_query import RouteQuery
from cascadeflow.application.online_calibration import OnlineCalibration
from cascadeflow.adapters.chance import HashChance
from cascadeflow.adapters.memory_calibration import InMemoryCalibrationStore
from cascadeflow.domain.online_policy import OnlineSettings
from cascadeflow.domain.enforcement import EnforcementCallbacks
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.providers import split_model_spec
from cascadeflow.domain.quality import QualityConfig, QualityValidator
from cascadeflow.domain.retry import RetryPolicy

if TYPE_CHECKING:  # the replay, simulation and calibration wiring loads when first used
    from cascadeflow.application.run_strategy import RunStrategy
    from cascadeflow.application.calibrate import CalibrateCascade, CalibrationReport
    from cascadeflow.application.calibrate_chain import CalibrateChain
    from cascadeflow.application.simulate import SimulateCascade, SimulationReport
    from cascadeflow.application.simulate_online import OnlineReport, SimulateOnline
    from cascadeflow.domain.budgets import CostEntry
    from cascadeflow.domain.trace import TraceRecord
    from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore


# Adapters that replace the production ones in every agent built meanwhile, set by
# ``cascadeflow.testing.override``: code a user cannot edit (a preset's agent, a pasted
# snippet) then runs against fakes. A context variable: blocks in other threads or
# tasks, and blocks that end out of order, never see or undo each other's.
_OVERRIDES: ContextVar[Mapping[str, Any]] = ContextVar("cascadeflow_overrides", default={})


def set_overrides(**adapters: Any) -> Token[Mapping[str, Any]]:
    """Override adapters in this context; the token undoes it (``reset_overrides``)."""
    return _OVERRIDES.set({k: v for k, v in adapters.items() if v is not None})


def reset_overrides(token: Token[Mapping[str, Any]]) -> None:
    _OVERRIDES.reset(token)


def overridden(name: str) -> Any:
    """The adapter overriding ``name`` ("provider", "pricing", "store") here, or None."""
    return _OVERRIDES.get().get(name)


class Adapters:
    """Infrastructure shared by every use-case: one instance each, built on first use, so
    that a run on fakes never imports LiteLLM."""

    def __init__(
        self,
        *,
        provider: CompletionProvider | None = None,
        pricing: PricingCatalog | None = None,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        timeout: float = 60.0,
    ) -> None:
        overrides = _OVERRIDES.get()
        self._provider = provider or overrides.get("provider")
        self._pricing = pricing or overrides.get("pricing")
        self._clock = clock
        self._ids = ids
        self._timeout = timeout
        self._schemas: SchemaCheck | None = None

    def completions(self) -> CompletionProvider:
        if self._provider is None:
            from cascadeflow.adapters.litellm_provider import LiteLLMProvider

            self._provider = LiteLLMProvider(timeout=self._timeout)
        return self._provider

    def pricing(self) -> PricingCatalog:
        if self._pricing is None:
            self._pricing = pricing_catalog()
        return self._pricing

    def clock(self) -> Clock:
        if self._clock is None:
            self._clock = SystemClock()
        return self._clock

    def ids(self) -> IdGenerator:
        if self._ids is None:
            self._ids = UuidGenerator()
        return self._ids

    def schemas(self) -> SchemaCheck:
        if self._schemas is None:
            from cascadeflow.adapters.json_schema import JsonSchemaCheck

            self._schemas = JsonSchemaCheck()
        return self._schemas


class Container:
    """Use-cases, built from whatever adapters the caller supplies: ``run_cascade()``
    and ``route_query()`` build a new use-case per call over the shared adapters, budget
    gate, telemetry and online calibration."""

    def __init__(
        self,
        adapters: Adapters,
        *,
        quality_config: QualityConfig | None = None,
        retry_policy: RetryPolicy | None = None,
        budget_gate: BudgetGate | None = None,
        telemetry: Callable[[], Telemetry | None] = lambda: None,
        online: OnlineCalibration | None = None,
    ) -> None:
        self.adapters = adapters
        self.quality_config = quality_config or QualityConfig()
        self.retry_policy = retry_policy or RetryPolicy()
        self._budget_gate = budget_gate
        self._telemetry = telemetry
        self._online = online

    def budget_gate(self) -> BudgetGate | None:
        return self._budget_gate

    def telemetry(self) -> Telemetry | None:
        return self._telemetry()

    def run_cascade(self, validator: Validator | None = None) -> RunCascade:
        return RunCascade(
            provider=self.adapters.completions(),
            pricing=self.adapters.pricing(),
            clock=self.adapters.clock(),
            validator=validator or QualityValidator(config=self.quality_config),
            retry_policy=self.retry_policy,
            budget_gate=self._budget_gate,
            online=self._online,
            schemas=self.adapters.schemas(),
        )

    def run_strategy(self) -> RunStrategy:
        # A strategy makes each step's call through a RunCascade built with that step's validator.
        from cascadeflow.application.run_strategy import RunStrategy

        return RunStrategy(cascade_for=self.run_cascade, pricing=self.adapters.pricing(),
                           clock=self.adapters.clock())

    def route_query(self) -> RouteQuery:
        return RouteQuery(cascade=self.run_cascade(), strategy=self.run_strategy,
                          pricing=self.adapters.pricing(), budget_gate=self._budget_gate)


def bootstrap(
    *,
    provider: CompletionProvider | None = None,
    pricing: PricingCatalog | None = None,
    clock: Clock | None = None,
    quality_config: QualityConfig | None = None,
    retry_policy: RetryPolicy | None = None,
    timeout: float = 60.0,
    usage: UsageStore | None = None,
    budget_policy: BudgetPolicy | None = None,
    enforcement: EnforcementCallbacks | None = None,
    ids: IdGenerator | None = None,
    telemetry: Telemetry | None = None,
    otel_endpoint: str | None = None,
    online: OnlineCalibration | None = None,
) -> Container:
    """Wire the use-cases. Any adapter left out is the production one, built when first
    needed; without a usage store nothing is recorded and no budget is enforced.
    Telemetry is the one given, else OTLP export to ``otel_endpoint`` or
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` (built on first use), else none.

    Wired by hand, not with a dependency-injection container: importing one (its
    providers pull in pydantic-settings, its wiring FastAPI) costs more than the whole
    budget of a light start.
    """
    adapters = Adapters(provider=provider, pricing=pricing, clock=clock, ids=ids, timeout=timeout)
    gate = None
    if usage is not None:
        policy = budget_policy or BudgetPolicy()
        gate = BudgetGate(
            store=usage,
            clock=adapters.clock(),
            ids=adapters.ids(),
            pricing=adapters.pricing(),
            policy=policy,
            enforcement=(enforcement or EnforcementCallbacks()).with_default_threshold(
                policy.warn_threshold
            ),
        )
    return Container(
        adapters,
        quality_config=quality_config,
        retry_policy=retry_policy,
        budget_gate=gate,
        telemetry=(lambda: telemetry) if telemetry is not None else functools.partial(otel_telemetry, otel_endpoint),
        online=online,
    )


@dataclass(frozen=True, slots=True)
class Simulation:
    """A trace loaded and a replay cascade wired, ready to run."""

    records: list[TraceRecord]
    drafter: ModelConfig
    verifier: ModelConfig
    use_case: SimulateCascade
    title: str
    cascade_for: Callable[[QualityConfig], RunCascade] | None = None
    between: tuple[ModelConfig, ...] = ()  # a longer chain's middle models

    @property
    def size(self) -> int:
        names = {m.name for m in (self.drafter, *self.between, self.verifier)}
        return sum(1 for r in self.records if names <= r.responses.keys())

    async def run(self, on_progress: Callable[[int], None] | None = None) -> SimulationReport:
        return await self.use_case.execute(self.records, self.drafter, self.verifier, on_progress,
                                           self.between)


def online_calibration(settings: OnlineSettings, store: CalibrationStore | None = None) -> OnlineCalibration:
    """Online calibration for live traffic: random choices from the system's generator,
    evidence in ``store`` (default: this process's memory)."""
    from cascadeflow.adapters.chance import SystemChance

    return OnlineCalibration(store or InMemoryCalibrationStore(), SystemChance(), settings)


def calibration_store(url: str | None = None) -> CalibrationStore:
    """Where online calibration keeps its evidence: ``"memory"``, else the database of
    ``usage_store(url)`` (shared by every process that opens it)."""
    if url == "memory":
        return InMemoryCalibrationStore()
    from cascadeflow.adapters.sqlmodel_calibration import SQLModelCalibrationStore

    return SQLModelCalibrationStore(url)


def calibration_store_beside(usage: UsageStore | None) -> CalibrationStore:
    """The calibration store in the same database as a usage store (memory for a
    memory store or none)."""
    if usage is None or isinstance(usage, InMemoryUsageStore):
        return InMemoryCalibrationStore()
    from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore  # loaded already if in use

    if isinstance(usage, SQLModelUsageStore):
        return calibration_store(usage.connection_url())
    return InMemoryCalibrationStore()


def load_trace(name_or_path: str) -> list[TraceRecord]:
    from cascadeflow.adapters.trace_file import read_trace, resolve_trace

    return read_trace(resolve_trace(name_or_path))


def _trace_model(records: list[TraceRecord], name: str) -> ModelConfig:
    from cascadeflow.domain.trace import models_in, recorded_price_per_1k

    known = models_in(records)
    if name not in known:
        raise ConfigurationError(
            f"model {name!r} has no answers in this trace; it has: {', '.join(known)}"
        )
    return ModelConfig(
        name=name,
        provider=split_model_spec(name)[1],
        cost=recorded_price_per_1k(records, name),
    )


def simulation(
    trace: str,
    *,
    drafter: str | None = None,
    verifier: str | None = None,
    threshold: float | None = None,
    limit: int | None = None,
    quality: QualityConfig | None = None,
    models: list[str] | None = None,
) -> Simulation:
    """The replay preset over a trace: drafter and verifier default to the cheaper and
    the dearer of the trace's two most frequent models; ``quality`` is a preset or a
    calibrated config (``threshold`` overrides its thresholds)."""
    from cascadeflow.adapters.replay_provider import ReplayProvider
    from cascadeflow.application.simulate import SimulateCascade

    records = load_trace(trace)[:limit]
    chain = _chain(records, models, drafter, verifier)
    draft_model, verify_model = chain[0], chain[-1]
    drafter, verifier = draft_model.name, verify_model.name
    priced = all(m.cost is not None for m in chain)
    quality = quality or QualityConfig()
    quality = quality if threshold is None else quality.with_threshold(threshold)
    replay_provider, replay_pricing = ReplayProvider(records), ConfiguredPricing() if priced else None

    def cascade_for(config: QualityConfig) -> RunCascade:
        return bootstrap(provider=replay_provider, pricing=replay_pricing, quality_config=config,
                         retry_policy=RetryPolicy(max_attempts=1)).run_cascade()

    container = bootstrap(
        provider=replay_provider,
        pricing=replay_pricing,
        quality_config=quality,
        retry_policy=RetryPolicy(max_attempts=1),
    )
    use_case = SimulateCascade(container.run_cascade(), pre_router=quality.pre_router)
    middle = "".join(f" · then {m.name} (${_blended(m):.5f}/1K)" for m in chain[1:-1])
    title = (
        f"{trace}: {len(records)} queries · drafter {drafter} (${_blended(draft_model):.5f}/1K)"
        f"{middle} · verifier {verifier} (${_blended(verify_model):.5f}/1K)"
    )
    return Simulation(records, draft_model, verify_model, use_case, title, cascade_for, chain[1:-1])


@dataclass(frozen=True, slots=True)
class OnlineSimulation:
    """A trace served label-free to the live cascade with online calibration."""

    records: list[TraceRecord]
    chain: tuple[ModelConfig, ...]
    use_case: SimulateOnline
    title: str

    @property
    def size(self) -> int:
        names = {m.name for m in self.chain}
        return sum(1 for r in self.records if names <= r.responses.keys())

    async def run(self, on_progress: Callable[[int], None] | None = None) -> OnlineReport:
        from cascadeflow.domain.trace import without_labels

        return await self.use_case.execute(without_labels(self.records), self.records, self.chain, on_progress)


def online_simulation(trace: str, *, models: list[str] | None = None, drafter: str | None = None,
                      verifier: str | None = None, limit: int | None = None,
                      settings: OnlineSettings | None = None) -> OnlineSimulation:
    """The replay preset for ``simulate --online``: the trace's answers (labels removed)
    served to the live cascade with online calibration, state kept in memory, random
    choices drawn from a hash of each query id (the same trace, the same decisions)."""
    from cascadeflow.adapters.replay_provider import ReplayProvider
    from cascadeflow.application.simulate_online import SimulateOnline
    from cascadeflow.domain.quality_presets import ONLINE_QUALITY
    from cascadeflow.domain.trace import without_labels

    records = load_trace(trace)[:limit]
    chain = _chain(records, models, drafter, verifier)
    priced = all(m.cost is not None for m in chain)
    replay_pricing = ConfiguredPricing() if priced else None
    # a replay cannot answer a judge's question (no trace records it): long free-text
    # pairs stay unlabelled here, where live traffic would ask the strongest model
    settings = replace(settings or OnlineSettings(), judge=False)
    online = OnlineCalibration(InMemoryCalibrationStore(), HashChance(), settings)
    retry = RetryPolicy(max_attempts=1)
    cascade = bootstrap(provider=ReplayProvider(without_labels(records), samples=True), pricing=replay_pricing,
                        quality_config=ONLINE_QUALITY, retry_policy=retry, online=online).run_cascade()
    single = bootstrap(provider=ReplayProvider(records), pricing=replay_pricing,
                       retry_policy=retry).run_cascade()
    title = f"{trace}: {len(records)} queries · " + " → ".join(
        f"{m.name} (${_blended(m):.5f}/1K)" for m in chain)
    return OnlineSimulation(records, chain, SimulateOnline(cascade, online, single), title)


def _chain(records: list[TraceRecord], models: list[str] | None, drafter: str | None,
           verifier: str | None) -> tuple[ModelConfig, ...]:
    """The models a simulation runs, cheapest first: ``models`` as given (checked to be in
    price order), else drafter and verifier, else the trace's two most frequent models."""
    from cascadeflow.domain.trace import models_in

    if models:
        if drafter or verifier:
            raise ConfigurationError("give --models, or --drafter and --verifier, not both")
        if len(models) < 2 or len(set(models)) != len(models):
            raise ConfigurationError("--models needs two or more different models, cheapest first")
        chain = tuple(_trace_model(records, name) for name in models)
    else:
        known = models_in(records)
        if drafter is None or verifier is None:
            if len(known) < 2:
                raise ConfigurationError("the trace needs answers from at least two models")
            pair = sorted((_trace_model(records, n) for n in known[:2]), key=_blended)
            drafter = drafter or pair[0].name
            verifier = verifier or pair[1].name
        chain = (_trace_model(records, drafter), _trace_model(records, verifier))
    pricing = ConfiguredPricing() if all(m.cost is not None for m in chain) else LiteLLMPricing()
    prices = [pricing.price(m).blended_per_1k for m in chain]
    for (cheap, dear), (a, b) in zip(zip(chain, chain[1:]), zip(prices, prices[1:])):
        if a > b:
            raise ConfigurationError(f"{cheap.name!r} costs more than {dear.name!r}: swap them "
                                     "(list the models cheapest first)")
    return chain


def calibration(sim: Simulation, *, learned: bool = False) -> CalibrateCascade:
    """Calibration over a simulation's trace; ``learned`` brings in the scikit-learn trainer."""
    from cascadeflow.application.calibrate import CalibrateCascade

    trainer = None
    if learned:
        from cascadeflow.adapters.learned_scorer import SklearnScorerTrainer

        trainer = SklearnScorerTrainer()
    if sim.cascade_for is None:
        raise ConfigurationError("this simulation was not built by simulation(): it cannot calibrate")
    return CalibrateCascade(sim.cascade_for, trainer)


def chain_calibration(sim: Simulation) -> CalibrateChain:
    """Calibration of a simulation's chain of three models or more."""
    from cascadeflow.application.calibrate_chain import CalibrateChain

    if sim.cascade_for is None:
        raise ConfigurationError("this simulation was not built by simulation(): it cannot calibrate")
    return CalibrateChain(sim.cascade_for)


def quality_config(preset_or_path: str | QualityConfig) -> QualityConfig:
    """A quality preset by name (fast, balanced, strict, cost-optimized), or a file saved
    by `cascadeflow simulate --calibrate --save-config`."""
    from cascadeflow.adapters.quality_file import load_quality_config
    from cascadeflow.domain.quality_presets import quality_preset

    if isinstance(preset_or_path, QualityConfig):
        return preset_or_path
    if preset_or_path.endswith((".json", ".json.gz")):
        return load_quality_config(preset_or_path)
    return quality_preset(preset_or_path)


def _blended(model: ModelConfig) -> float:
    return model.cost if model.cost is not None else float("inf")


def usage_store(url: str | None = None) -> UsageStore:
    """``"memory"`` for a process-local store, else a database URL (None: the embedded
    default, ``CASCADEFLOW_DATABASE_URL`` or SQLite at ./cascadeflow.db)."""
    if url == "memory":
        return InMemoryUsageStore()
    from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore

    return SQLModelUsageStore(url)


def usage_ledger(url: str | None = None) -> SQLModelUsageStore:
    """The usage database itself (not "memory"): for checking and rebuilding its
    running totals (``verify_totals``, ``rebuild_totals``)."""
    from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore

    return SQLModelUsageStore(url)


def rate_limiter(clock: Clock, store: RateLimitStore | None = None, url: str | None = None) -> RateLimiter:
    """Admission against rate limits, on ``store`` or ``rate_limit_store(url)``; a
    database store's calls run off the event loop."""
    from cascadeflow.adapters.memory_rate_limits import InMemoryRateLimits

    store = store or rate_limit_store(url)
    return RateLimiter(store, clock, in_thread=not isinstance(store, InMemoryRateLimits))


def rate_limit_store_beside(usage: UsageStore | None) -> RateLimitStore:
    """Rate-limit counters in the same database as a usage store (memory for a memory
    store or none), so processes sharing the spend share the counts."""
    if usage is None or isinstance(usage, InMemoryUsageStore):
        return rate_limit_store("memory")
    from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore  # loaded already if in use

    if isinstance(usage, SQLModelUsageStore):
        return rate_limit_store(usage.connection_url())
    return rate_limit_store("memory")


def rate_limit_store(url: str | None = None) -> RateLimitStore:
    """Rate-limit counters where ``usage_store(url)`` keeps spend: shared by every
    process and replica on that database; ``"memory"``: this process alone."""
    if url == "memory":
        from cascadeflow.adapters.memory_rate_limits import InMemoryRateLimits

        return InMemoryRateLimits()
    from cascadeflow.adapters.rate_limit_stores import SQLRateLimits

    return SQLRateLimits(url)


def budget_store(url: str | None = None, clock: Clock | None = None) -> BudgetStore:
    """Budgets set at run time, in the same place as ``usage_store(url)`` keeps spend;
    ``clock`` (default: the system's) dates each change."""
    if url == "memory":
        from cascadeflow.adapters.memory_budgets import InMemoryBudgetStore

        return InMemoryBudgetStore()
    from cascadeflow.adapters.sqlmodel_budgets import SQLModelBudgetStore

    return SQLModelBudgetStore(url, clock or SystemClock())


@dataclass(frozen=True, slots=True)
class Replay:
    """A trace served as live models: its two most frequent models, cheaper first,
    answered from the recorded responses (``pricing`` None: the price map's)."""

    provider: CompletionProvider
    pricing: PricingCatalog | None
    models: tuple[ModelConfig, ...]


def replay(trace: str) -> Replay:
    from cascadeflow.adapters.replay_provider import ReplayProvider
    from cascadeflow.domain.trace import models_in

    records = load_trace(trace)
    models = sorted((_trace_model(records, n) for n in models_in(records)[:2]), key=_blended)
    if not models:
        raise ConfigurationError(f"the trace {trace!r} records no answers to replay")
    priced = all(m.cost is not None for m in models)
    return Replay(ReplayProvider(records), ConfiguredPricing() if priced else None, tuple(models))


def pricing_catalog() -> PricingCatalog:
    """Each ModelConfig's own price when it sets one, else LiteLLM's price map (loaded
    only for such a model)."""
    return LiteLLMPricing()


def system_clock() -> Clock:
    return SystemClock()


def uuid_ids() -> IdGenerator:
    return UuidGenerator()


def otel_telemetry(endpoint: str | None = None) -> Telemetry | None:
    """OTLP/HTTP telemetry to ``endpoint``, else to the standard
    ``OTEL_EXPORTER_OTLP_ENDPOINT``; None when neither is set (or ``OTEL_SDK_DISABLED``).
    One exporter per endpoint and process, so many agents share its export threads."""
    explicit = endpoint is not None
    endpoint = endpoint or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint or os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if importlib.util.find_spec("opentelemetry.sdk") is None:
        hint = "OpenTelemetry is not installed: pip install 'cascadeflow[otel]'"
        if explicit:
            raise ConfigurationError(f"cannot export to {endpoint}: {hint}")
        logging.getLogger("cascadeflow.telemetry").warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but %s; exporting nothing", hint
        )
        return None
    return _otlp_telemetry(endpoint.rstrip("/"))


@functools.cache
def _otlp_telemetry(endpoint: str) -> Telemetry:
    from cascadeflow.adapters.otel_telemetry import otlp_telemetry

    return otlp_telemetry(endpoint)


# Loaded when first called: plotting needs matplotlib, files need their formats.


def plot_calibration(report: CalibrationReport, path: str | Path, title: str = "") -> Path:
    from cascadeflow.adapters.plotting import plot_calibration as plot

    return plot(report, path, title)


def plot_online(report: OnlineReport, path: str | Path, title: str = "") -> Path:
    from cascadeflow.adapters.plotting import plot_online as plot

    return plot(report, path, title)


def save_quality_config(config: QualityConfig, path: str | Path, **about: Any) -> None:
    from cascadeflow.adapters.quality_file import save_quality_config as save

    save(config, path, **about)


def export_entries(entries: Sequence[CostEntry], path: Path, fmt: str) -> int:
    from cascadeflow.adapters.exporters import export_entries as export

    return export(entries, path, fmt)


def settle_for_serving(*, live_models: bool) -> None:
    """For a process that will do nothing but serve: load LiteLLM now (``live_models``)
    rather than on the first request, move everything loaded so far out of the garbage
    collector's reach (``gc.freeze``), and collect the youngest generation after
    GEN0_THRESHOLD new containers instead of 700. Never called for an embedding
    application: how a process collects garbage is that process's decision.

    Measured on the gateway on PostgreSQL with 32 requests in flight, over 10 s: LiteLLM
    and the web stack leave about 460,000 long-lived objects, which every full
    collection walked again, in pauses of up to 0.34 s; the collector took 1.0 ms of CPU
    per request. Frozen: 0.38 ms, the longest full pause 27 ms. With the larger
    threshold too: 0.12 ms, about 8 young collections in 10 s instead of about 250,
    the longest pause 37 ms."""
    import gc

    if live_models:
        from cascadeflow.adapters.litellm_loader import load_litellm

        load_litellm()
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, older, oldest)


GEN0_THRESHOLD = 10_000
