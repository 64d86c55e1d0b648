"""Answer quality (the plan's ``cascadeflow.quality``): the rule-based validator, the
combined draft score, the presets, saved calibrations and the opt-in learned scorer.

    from cascadeflow.quality import QualityValidator, quality_preset, load_quality_config

    agent = CascadeAgent(models, quality_config=quality_preset("balanced"))
    agent = CascadeAgent(models, quality_config=load_quality_config("calibrated.json"))
"""

from cascadeflow.adapters.learned_scorer import LearnedScorer, SklearnScorerTrainer
from cascadeflow.adapters.quality_file import load_quality_config, save_quality_config
from cascadeflow.domain.quality import (
    QualityConfig,
    QualityValidator,
    ValidationContext,
    ValidationResult,
)
from cascadeflow.domain.quality_presets import QUALITY_PRESETS, quality_preset
from cascadeflow.domain.scoring import (
    DEFAULT_DRAFT_MODEL,
    DEFAULT_QUERY_MODEL,
    PreRouter,
    ScoreModel,
    fit_score_model,
)

__all__ = [
    "DEFAULT_DRAFT_MODEL",
    "DEFAULT_QUERY_MODEL",
    "QUALITY_PRESETS",
    "LearnedScorer",
    "PreRouter",
    "QualityConfig",
    "QualityValidator",
    "ScoreModel",
    "SklearnScorerTrainer",
    "ValidationContext",
    "ValidationResult",
    "fit_score_model",
    "load_quality_config",
    "quality_preset",
    "save_quality_config",
]
