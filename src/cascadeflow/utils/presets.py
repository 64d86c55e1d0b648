"""The models-only presets of cascadeflow 0.1: lists of ModelConfig for any ``models=``.

    from cascadeflow import CascadeAgent
    from cascadeflow.utils.presets import PRESET_BEST_OVERALL

    agent = CascadeAgent(models=PRESET_BEST_OVERALL)
"""

from cascadeflow.domain.preset_models import (
    MODEL_PRESETS,
    PRESET_ANTHROPIC_ONLY,
    PRESET_BEST_OVERALL,
    PRESET_FREE_LOCAL,
    PRESET_OPENAI_ONLY,
    PRESET_ULTRA_CHEAP,
    PRESET_ULTRA_FAST,
)

__all__ = [
    "MODEL_PRESETS",
    "PRESET_ANTHROPIC_ONLY",
    "PRESET_BEST_OVERALL",
    "PRESET_FREE_LOCAL",
    "PRESET_OPENAI_ONLY",
    "PRESET_ULTRA_CHEAP",
    "PRESET_ULTRA_FAST",
]
