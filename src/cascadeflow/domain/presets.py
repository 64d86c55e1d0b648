"""Rules a preset's settings follow: which quality modes exist, what ML quality adds,
and which models each user tier may use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import QualityConfig
from cascadeflow.domain.quality_presets import QUALITY_PRESETS
from cascadeflow.domain.scoring import DEFAULT_DRAFT_MODEL
from cascadeflow.domain.tiers import TIER_POLICIES_DEFAULT, TierModelPolicy

QUALITY_FILE_SUFFIXES = (".json", ".json.gz")


def is_quality_file(mode: str) -> bool:
    """A quality mode that names a file saved by ``simulate --calibrate --save-config``."""
    return mode.endswith(QUALITY_FILE_SUFFIXES)


def check_quality_mode(owner: str, mode: object) -> None:
    if not isinstance(mode, str) or not mode.strip():
        raise ConfigurationError(f"{owner}: quality_validation_mode must be a string, got {mode!r}")
    if is_quality_file(mode) or mode.strip().lower().replace("_", "-") in QUALITY_PRESETS:
        return
    raise ConfigurationError(
        f"{owner}: unknown quality_validation_mode {mode!r}: use one of "
        f"{', '.join(QUALITY_PRESETS)}, or the path of a file saved by "
        "`cascadeflow simulate --calibrate --save-config` (*.json)"
    )


def with_ml_scorer(config: QualityConfig) -> QualityConfig:
    """ML quality: a draft's score comes from a model over the query and the draft
    (logistic, see ``scoring``), not from the rules alone. A config that already has a
    scorer keeps it: the built-in prior of the scored presets, or the scorer a
    calibration file brought (fitted, or learned with scikit-learn). One without gets
    the built-in prior and the balanced preset's thresholds. No model file is needed."""
    if config.scorer is not None:
        return config
    balanced = QUALITY_PRESETS["balanced"]
    thresholds = config.thresholds_by_complexity or balanced.thresholds_by_complexity
    return replace(config, scorer=DEFAULT_DRAFT_MODEL, thresholds_by_complexity=thresholds,
                   name=f"{config.name} + ML score")


def tier_policies_for(
    tiers: Iterable[str], models: Sequence[ModelConfig],
    known: Mapping[str, TierModelPolicy] = TIER_POLICIES_DEFAULT,
) -> dict[str, TierModelPolicy]:
    """A policy per tier over ``models``: a known tier keeps its per-query cap and the
    allowed models it has among ``models`` (all of them when it has none); any other
    tier may use every model, with no cap."""
    names = tuple(m.name for m in models)
    policies: dict[str, TierModelPolicy] = {}
    for tier in tiers:
        base = known.get(tier)
        allowed = tuple(n for n in base.allowed_models if n in names) if base else ()
        policies[tier] = TierModelPolicy(
            tier_name=tier,
            allowed_models=allowed or names,
            max_cost_per_query=base.max_cost_per_query if base else None,
            description=base.description if base and allowed else f"{tier} tier: every model",
        )
    return policies


def check_tier_policies(
    owner: str, policies: Mapping[str, TierModelPolicy], models: Sequence[ModelConfig]
) -> None:
    names = {m.name for m in models}
    for tier, policy in policies.items():
        if not isinstance(policy, TierModelPolicy):
            raise ConfigurationError(f"{owner}: tier_policies[{tier!r}] must be a TierModelPolicy, got {policy!r}")
        unknown = [n for n in policy.allowed_models if n not in names]
        if unknown:
            raise ConfigurationError(
                f"{owner}: tier {tier!r} allows {unknown}, which are not among the preset's "
                f"models ({', '.join(sorted(names))}); add them to models or remove them"
            )
