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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from dependency_injector import containers, providers

from cascadeflow.adapters.configured_pricing import ConfiguredPricing
from cascadeflow.adapters.litellm_pricing import LiteLLMPricing
from cascadeflow.adapters.litellm_provider import LiteLLMProvider
from cascadeflow.adapters.replay_provider import ReplayProvider
from cascadeflow.adapters.exporters import export_entries as export_entries
from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.adapters.system_clock import SystemClock, UuidGenerator
from cascadeflow.adapters.trace_file import read_trace, resolve_trace
from cascadeflow.application.ports import (
    BudgetStore,
    CalibrationStore,
    Clock,
    CompletionProvider,
    IdGenerator,
    PricingCatalog,
    Telemetry,
    UsageStore,
)
from cascadeflow.application.budget_gate import BudgetGate, BudgetPolicy
from cascadeflow.application.run_cascade import RunCascade
from cascadeflow.application.run_strategy import RunStrategy
from cascadeflow.application.route_query import RouteQuery
from cascadeflow.application.simulate import SimulateCascade, SimulationReport
from cascadeflow.application.simulate_online import OnlineReport, SimulateOnline
from cascadeflow.application.online_calibration import OnlineCalibration
from cascadeflow.adapters.chance import HashChance
from cascadeflow.adapters.memory_calibration import InMemoryCalibrationStore
from cascadeflow.application.calibrate import CalibrateCascade
from cascadeflow.adapters.plotting import plot_calibration as plot_calibration, plot_online as plot_online
from cascadeflow.adapters.quality_file import load_quality_config, save_quality_config as save_quality_config
from cascadeflow.domain.quality_presets import ONLINE_QUALITY, quality_preset
from cascadeflow.domain.online_policy import OnlineSettings
from cascadeflow.domain.enforcement import EnforcementCallbacks
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.providers import split_model_spec
from cascadeflow.domain.quality import QualityConfig, QualityValidator
from cascadeflow.domain.retry import RetryPolicy
from cascadeflow.domain.trace import TraceRecord, models_in, recorded_price_per_1k, without_labels


class Adapters(containers.DeclarativeContainer):
    """Infrastructure shared by every use-case: one instance each."""

    config = providers.Configuration()
    completions: providers.Provider[CompletionProvider] = providers.Singleton(
        LiteLLMProvider, timeout=config.timeout.as_float()
    )
    pricing: providers.Provider[PricingCatalog] = providers.Singleton(LiteLLMPricing)
    clock: providers.Provider[Clock] = providers.Singleton(SystemClock)
    ids: providers.Provider[IdGenerator] = providers.Singleton(UuidGenerator)


class Container(containers.DeclarativeContainer):
    """Use-cases, built from whatever adapters the caller supplies."""

    adapters = providers.DependenciesContainer()
    quality_config = providers.Dependency(instance_of=QualityConfig, default=QualityConfig())
    retry_policy = providers.Dependency(instance_of=RetryPolicy, default=RetryPolicy())
    validator = providers.Factory(QualityValidator, config=quality_config)
    budget_gate: providers.Provider[BudgetGate | None] = providers.Object(None)
    telemetry: providers.Provider[Telemetry | None] = providers.Object(None)
    online: providers.Provider[OnlineCalibration | None] = providers.Object(None)
    run_cascade = providers.Factory(
        RunCascade,
        provider=adapters.completions,
        pricing=adapters.pricing,
        clock=adapters.clock,
        validator=validator,
        retry_policy=retry_policy,
        budget_gate=budget_gate,
        online=online,
    )
    # A strategy makes each step's call through a RunCascade built with that step's validator.
    run_strategy = providers.Factory(
        RunStrategy, cascade_for=run_cascade.provider, pricing=adapters.pricing, clock=adapters.clock
    )
    route_query = providers.Factory(
        RouteQuery,
        cascade=run_cascade,
        strategy=run_strategy,
        pricing=adapters.pricing,
        budget_gate=budget_gate,
    )


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
    """Wire the use-cases. Any adapter left out is the production one; without a
    usage store nothing is recorded and no budget is enforced. Telemetry is the one
    given, else OTLP export to ``otel_endpoint`` or ``OTEL_EXPORTER_OTLP_ENDPOINT``
    (built on first use), else none."""
    adapters = Adapters()
    adapters.config.from_dict({"timeout": timeout})
    if provider is not None:
        adapters.completions.override(providers.Object(provider))
    if pricing is not None:
        adapters.pricing.override(providers.Object(pricing))
    if clock is not None:
        adapters.clock.override(providers.Object(clock))
    if ids is not None:
        adapters.ids.override(providers.Object(ids))
    container = Container(adapters=adapters)
    if usage is not None:
        policy = budget_policy or BudgetPolicy()
        container.budget_gate.override(
            providers.Singleton(
                BudgetGate,
                store=usage,
                clock=adapters.clock,
                ids=adapters.ids,
                pricing=adapters.pricing,
                policy=policy,
                enforcement=(enforcement or EnforcementCallbacks()).with_default_threshold(
                    policy.warn_threshold
                ),
            )
        )
    if quality_config is not None:
        container.quality_config.override(providers.Object(quality_config))
    if retry_policy is not None:
        container.retry_policy.override(providers.Object(retry_policy))
    if online is not None:
        container.online.override(providers.Object(online))
    container.telemetry.override(
        providers.Object(telemetry)
        if telemetry is not None
        else providers.Callable(otel_telemetry, otel_endpoint)
    )
    container.check_dependencies()
    return container


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
    return read_trace(resolve_trace(name_or_path))


def _trace_model(records: list[TraceRecord], name: str) -> ModelConfig:
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
        return await self.use_case.execute(without_labels(self.records), self.records, self.chain, on_progress)


def online_simulation(trace: str, *, models: list[str] | None = None, drafter: str | None = None,
                      verifier: str | None = None, limit: int | None = None,
                      settings: OnlineSettings | None = None) -> OnlineSimulation:
    """The replay preset for ``simulate --online``: the trace's answers (labels removed)
    served to the live cascade with online calibration, state kept in memory, random
    choices drawn from a hash of each query id (the same trace, the same decisions)."""
    records = load_trace(trace)[:limit]
    chain = _chain(records, models, drafter, verifier)
    priced = all(m.cost is not None for m in chain)
    replay_pricing = ConfiguredPricing() if priced else None
    # a replay cannot answer a judge's question (no trace records it): long free-text
    # pairs stay unlabelled here, where live traffic would ask the strongest model
    settings = replace(settings or OnlineSettings(), judge=False)
    online = OnlineCalibration(InMemoryCalibrationStore(), HashChance(), settings)
    retry = RetryPolicy(max_attempts=1)
    cascade = bootstrap(provider=ReplayProvider(without_labels(records)), pricing=replay_pricing,
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
    trainer = None
    if learned:
        from cascadeflow.adapters.learned_scorer import SklearnScorerTrainer

        trainer = SklearnScorerTrainer()
    if sim.cascade_for is None:
        raise ConfigurationError("this simulation was not built by simulation(): it cannot calibrate")
    return CalibrateCascade(sim.cascade_for, trainer)


def quality_config(preset_or_path: str | QualityConfig) -> QualityConfig:
    """A quality preset by name (fast, balanced, strict, cost-optimized), or a file saved
    by `cascadeflow simulate --calibrate --save-config`."""
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
    records = load_trace(trace)
    models = sorted((_trace_model(records, n) for n in models_in(records)[:2]), key=_blended)
    if not models:
        raise ConfigurationError(f"the trace {trace!r} records no answers to replay")
    priced = all(m.cost is not None for m in models)
    return Replay(ReplayProvider(records), ConfiguredPricing() if priced else None, tuple(models))


def pricing_catalog() -> PricingCatalog:
    """LiteLLM's price map, then each ModelConfig's own price."""
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
