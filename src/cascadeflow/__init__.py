"""cascadeflow: answer with the cheapest model that is good enough.

Public names load on first use, so ``import cascadeflow`` stays fast and never imports
LiteLLM.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0.dev0"

# LiteLLM fetches its price map from the network when imported, unless told not to. Our
# own loader tells it; this covers code that imports litellm itself after cascadeflow
# (the plan's integration example does), so no import reaches out. Set the variable to
# "False" before importing cascadeflow to let LiteLLM fetch the newest map.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

if TYPE_CHECKING:
    from cascadeflow.domain.budgets import BudgetConfig
    from cascadeflow.domain.enforcement import EnforcementCallbacks, EnforcementContext
    from cascadeflow.domain.errors import (
        AllModelsFailedError,
        BudgetExceededError,
        CascadeflowError,
        ConfigurationError,
        ProviderError,
        UnknownModelPriceError,
        UnsupportedProviderError,
    )
    from cascadeflow.domain.messages import Message, ToolCall
    from cascadeflow.domain.guardrails import GuardrailBlockedError, Guardrails, deny_list, redact_pii
    from cascadeflow.domain.models import ModelConfig
    from cascadeflow.domain.rate_limits import RateLimit, RateLimitExceededError
    from cascadeflow.domain.quality import QualityConfig, QualityValidator, ValidationResult
    from cascadeflow.domain.results import CascadeEvent, CascadeResult, ModelCall, StepVerdict
    from cascadeflow.domain.retry import RetryPolicy
    from cascadeflow.entrypoints.api.agent import CascadeAgent
    from cascadeflow.entrypoints.api.cost_tracker import CostTracker
    from cascadeflow.domain.preset_models import (
        PRESET_ANTHROPIC_ONLY,
        PRESET_BEST_OVERALL,
        PRESET_FREE_LOCAL,
        PRESET_OPENAI_ONLY,
        PRESET_ULTRA_CHEAP,
        PRESET_ULTRA_FAST,
    )
    from cascadeflow.entrypoints.api.builtin_presets import (
        PRESET_CODE_SPECIALIST,
        PRESET_COST_OPTIMIZED_SAAS,
        PRESET_ENTERPRISE_GRADE,
        PRESET_MEDICAL_AI,
        PRESET_PRODUCTION_READY,
    )
    from cascadeflow.entrypoints.api.cascade_preset import CascadePreset

_EXPORTS = {
    "CascadeAgent": "cascadeflow.entrypoints.api.agent",
    "ModelConfig": "cascadeflow.domain.models",
    "Message": "cascadeflow.domain.messages",
    "ToolCall": "cascadeflow.domain.messages",
    "CascadeResult": "cascadeflow.domain.results",
    "CascadeEvent": "cascadeflow.domain.results",
    "ModelCall": "cascadeflow.domain.results",
    "StepVerdict": "cascadeflow.domain.results",
    "QualityConfig": "cascadeflow.domain.quality",
    "QualityValidator": "cascadeflow.domain.quality",
    "ValidationResult": "cascadeflow.domain.quality",
    "RetryPolicy": "cascadeflow.domain.retry",
    "CascadeflowError": "cascadeflow.domain.errors",
    "ConfigurationError": "cascadeflow.domain.errors",
    "UnsupportedProviderError": "cascadeflow.domain.errors",
    "ProviderError": "cascadeflow.domain.errors",
    "AllModelsFailedError": "cascadeflow.domain.errors",
    "UnknownModelPriceError": "cascadeflow.domain.errors",
    "BudgetExceededError": "cascadeflow.domain.errors",
    "RateLimit": "cascadeflow.domain.rate_limits",
    **{name: "cascadeflow.domain.guardrails" for name in (
        "Guardrails", "GuardrailBlockedError", "redact_pii", "deny_list")},
    "RateLimitExceededError": "cascadeflow.domain.rate_limits",
    "CostTracker": "cascadeflow.entrypoints.api.cost_tracker",
    "BudgetConfig": "cascadeflow.domain.budgets",
    "EnforcementCallbacks": "cascadeflow.domain.enforcement",
    "EnforcementContext": "cascadeflow.domain.enforcement",
    "CascadePreset": "cascadeflow.entrypoints.api.cascade_preset",
    **{name: "cascadeflow.entrypoints.api.builtin_presets" for name in (
        "PRESET_PRODUCTION_READY", "PRESET_COST_OPTIMIZED_SAAS", "PRESET_CODE_SPECIALIST",
        "PRESET_MEDICAL_AI", "PRESET_ENTERPRISE_GRADE")},
    **{name: "cascadeflow.domain.preset_models" for name in (
        "PRESET_BEST_OVERALL", "PRESET_ULTRA_FAST", "PRESET_ULTRA_CHEAP", "PRESET_OPENAI_ONLY",
        "PRESET_ANTHROPIC_ONLY", "PRESET_FREE_LOCAL")},
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'cascadeflow' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
