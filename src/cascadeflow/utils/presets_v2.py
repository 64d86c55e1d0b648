"""Presets 2.0 (the plan's ``cascadeflow.utils.presets_v2``): one object configures
models, cost tracking and budgets, quality, domain routing, user tiers and multi-step
cascades.

    from cascadeflow import CascadeAgent
    from cascadeflow.utils.presets_v2 import PRESET_PRODUCTION_READY, load_preset

    agent = CascadeAgent(**PRESET_PRODUCTION_READY.to_agent_config())
    agent = CascadeAgent(**load_preset(Path("preset.toml")).to_agent_config())
    calibrated = PRESET_PRODUCTION_READY.with_quality("calibrated.json")
"""

from cascadeflow.domain.preset_models import CURRENT_NAMES, PRESET_MODELS, WHY_RENAMED, current_strategy
from cascadeflow.domain.presets import with_ml_scorer
from cascadeflow.entrypoints.api.builtin_presets import (
    BUILTIN_PRESETS,
    PRESET_CODE_SPECIALIST,
    PRESET_COST_OPTIMIZED_SAAS,
    PRESET_ENTERPRISE_GRADE,
    PRESET_MEDICAL_AI,
    PRESET_PRODUCTION_READY,
    get_preset,
)
from cascadeflow.entrypoints.api.cascade_preset import CascadePreset
from cascadeflow.entrypoints.api.preset_files import load_preset, preset_from_config, save_preset

__all__ = [
    "BUILTIN_PRESETS",
    "CURRENT_NAMES",
    "PRESET_CODE_SPECIALIST",
    "PRESET_COST_OPTIMIZED_SAAS",
    "PRESET_ENTERPRISE_GRADE",
    "PRESET_MEDICAL_AI",
    "PRESET_MODELS",
    "PRESET_PRODUCTION_READY",
    "WHY_RENAMED",
    "CascadePreset",
    "current_strategy",
    "get_preset",
    "load_preset",
    "preset_from_config",
    "save_preset",
    "with_ml_scorer",
]
