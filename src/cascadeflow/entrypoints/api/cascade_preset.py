"""CascadePreset: one object that configures a whole production setup (the plan's
Presets 2.0): models, cost tracking and budgets, quality, domain routing, user tiers
and multi-step cascades.

    agent = CascadeAgent(**PRESET_PRODUCTION_READY.to_agent_config())

It lives beside CascadeAgent because ``to_agent_config`` builds entry-point objects (a
CostTracker) and reads calibration files through the composition root.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from cascadeflow.application.ports import (
    Clock,
    CompletionProvider,
    IdGenerator,
    PricingCatalog,
    Telemetry,
    UsageStore,
)
from cascadeflow.bootstrap import quality_config as resolve_quality
from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.domain.detection import DomainDetector
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.presets import (
    check_quality_mode,
    check_tier_policies,
    tier_policies_for,
    with_ml_scorer,
)
from cascadeflow.domain.quality import QualityConfig
from cascadeflow.domain.strategies import DomainCascadeStrategy
from cascadeflow.domain.tiers import TIER_POLICIES_DEFAULT, TierAwareRouter, TierModelPolicy
from cascadeflow.entrypoints.api.cost_tracker import CostTracker


@dataclass(frozen=True, slots=True)
class CascadePreset:
    """A complete configuration. The fields up to ``enable_multi_step_cascade`` are the
    plan's; the ones after it are optional.

    - ``default_budget_daily``: USD per day for every user without a budget of their own.
    - ``tier_budgets``: the daily/weekly/... budget of a user who runs with that
      ``user_tier`` and has no budget of their own.
    - ``quality_validation_mode``: fast, balanced, strict, cost-optimized, or the path of
      a calibration saved by ``cascadeflow simulate --calibrate --save-config``.
    - ``enable_ml_quality``: drafts are scored by a model (see ``with_ml_scorer``); it
      never needs a model file.
    - ``enable_domain_routing``: each query's domain is detected (unless given) and
      recorded; with ``enable_multi_step_cascade`` its domain strategy runs.
    - ``tier_policies``: which models each tier may use; None derives them from
      TIER_POLICIES_DEFAULT, within ``models``.
    - ``quality_threshold``: one acceptance threshold replacing the mode's own.
    - ``database_url`` / ``otel_endpoint``: where spend is stored (None:
      ``CASCADEFLOW_DATABASE_URL`` or ./cascadeflow.db) and telemetry exported.
    """

    name: str
    description: str
    models: Sequence[ModelConfig]
    enable_cost_tracking: bool = True
    default_budget_daily: float | None = None
    enable_cost_forecasting: bool = False
    quality_validation_mode: str = "fast"
    enable_ml_quality: bool = False
    enable_domain_routing: bool = False
    domain_strategies: Mapping[str, DomainCascadeStrategy] | None = None
    enable_user_tiers: bool = False
    tier_budgets: Mapping[str, BudgetConfig] | None = None
    enable_multi_step_cascade: bool = False
    tier_policies: Mapping[str, TierModelPolicy] | None = None
    quality_threshold: float | None = None
    database_url: str | None = None
    otel_endpoint: str | None = None

    def __post_init__(self) -> None:
        owner = f"CascadePreset({self.name!r})"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigurationError(f"CascadePreset: name must be a non-empty string, got {self.name!r}")
        models = tuple(self.models)
        if not models or not all(isinstance(m, ModelConfig) for m in models):
            raise ConfigurationError(f"{owner}: models must be a non-empty list of ModelConfig")
        object.__setattr__(self, "models", models)
        if self.default_budget_daily is not None:
            BudgetConfig(daily=self.default_budget_daily)  # same checks as every budget
        check_quality_mode(owner, self.quality_validation_mode)
        if self.quality_threshold is not None:
            QualityConfig().with_threshold(self.quality_threshold)
        for label in ("domain_strategies", "tier_budgets", "tier_policies"):
            value = getattr(self, label)
            if value is not None:
                object.__setattr__(self, label, MappingProxyType(dict(value)))
        for tier, budget in (self.tier_budgets or {}).items():
            if not isinstance(budget, BudgetConfig):
                raise ConfigurationError(f"{owner}: tier_budgets[{tier!r}] must be a BudgetConfig, got {budget!r}")
        for domain, strategy in (self.domain_strategies or {}).items():
            if not isinstance(strategy, DomainCascadeStrategy):
                raise ConfigurationError(
                    f"{owner}: domain_strategies[{domain!r}] must be a DomainCascadeStrategy, got {strategy!r}"
                )
        if self.tier_policies is not None:
            check_tier_policies(owner, self.tier_policies, models)
            if missing := sorted(set(self.tier_budgets or {}) - set(self.tier_policies)):
                raise ConfigurationError(f"{owner}: tier_budgets names tiers {missing} that tier_policies lacks")
        spends = {"default_budget_daily": self.default_budget_daily is not None,
                  "tier_budgets": bool(self.tier_budgets),
                  "enable_cost_forecasting": self.enable_cost_forecasting}
        if not self.enable_cost_tracking and any(spends.values()):
            needing = ", ".join(k for k, on in spends.items() if on)
            raise ConfigurationError(f"{owner}: {needing} needs enable_cost_tracking=True")

    @property
    def default_budget(self) -> BudgetConfig | None:
        if self.default_budget_daily is None:
            return None
        return BudgetConfig(daily=self.default_budget_daily)

    def resolved_tier_policies(self) -> Mapping[str, TierModelPolicy]:
        """The tier policies the tier router gets: explicit, else derived for the tiers
        of ``tier_budgets`` (the default tiers when it names none)."""
        if self.tier_policies is not None:
            return self.tier_policies
        tiers = list(self.tier_budgets or TIER_POLICIES_DEFAULT)
        return MappingProxyType(tier_policies_for(tiers, self.models))

    def quality_config(self) -> QualityConfig:
        """The quality mode (a preset or a calibration file), with ML scoring and the
        threshold applied."""
        config = resolve_quality(self.quality_validation_mode)
        if self.enable_ml_quality:
            config = with_ml_scorer(config)
        if self.quality_threshold is not None:
            config = config.with_threshold(self.quality_threshold)
        return config

    def with_quality(self, mode: str) -> CascadePreset:
        """This preset with another quality mode, such as a calibration saved by
        ``cascadeflow simulate --calibrate --save-config calibrated.json`` (which brings
        its own threshold: ``quality_threshold`` is dropped)."""
        return replace(self, quality_validation_mode=mode, quality_threshold=None)

    def to_agent_config(
        self,
        *,
        provider: CompletionProvider | None = None,
        pricing: PricingCatalog | None = None,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
        store: UsageStore | str | None = None,
        telemetry: Telemetry | None = None,
    ) -> dict[str, Any]:
        """CascadeAgent's keyword arguments for this preset. Each call builds fresh
        objects (a new CostTracker). The adapters default to the production ones
        (LiteLLM, the preset's database); pass fakes to test with the same preset:
        ``to_agent_config(provider=FakeProvider(...), store="memory")``."""
        models = list(self.models)
        config: dict[str, Any] = {"models": models, "quality_config": self.quality_config()}
        if self.enable_cost_tracking:
            config["cost_tracker"] = CostTracker(
                store=store if store is not None else self.database_url,
                default_budget=self.default_budget,
                tier_budgets=dict(self.tier_budgets or {}),
                clock=clock,
                ids=ids,
            )
            config["enable_cost_forecasting"] = self.enable_cost_forecasting
        if self.enable_domain_routing:
            config["domain_detector"] = DomainDetector()
        if self.domain_strategies is not None:
            config["domain_strategies"] = dict(self.domain_strategies)
        config["enable_multi_step_cascade"] = self.enable_multi_step_cascade
        if self.enable_user_tiers:
            config["tier_router"] = TierAwareRouter(self.resolved_tier_policies(), models)
            config["enable_tier_routing"] = True
        adapters = {"provider": provider, "pricing": pricing, "clock": clock,
                    "telemetry": telemetry, "otel_endpoint": self.otel_endpoint}
        config.update({key: value for key, value in adapters.items() if value is not None})
        return config
