"""The quality presets (the plan's ``quality_validation_mode``) and the file form of a
QualityConfig that ``cascadeflow simulate --calibrate --save-config`` writes.

``online`` (the default) is no fixed policy: online calibration learns which drafts to
accept from their agreement with the strongest model (see ``online_policy``). The fixed
presets, from the most lenient to the strictest: ``fast`` (rule checks only),
``cost-optimized``, ``balanced``, ``strict``. The three scored presets use the combined
draft score of ``scoring``; their thresholds rise with query complexity, and their
pre-router sends the hardest-looking queries straight to the strongest model. These
thresholds are priors: calibrating on your own trace replaces them with measured ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.quality import QualityConfig
from cascadeflow.domain.scoring import (
    DEFAULT_DRAFT_MODEL,
    DEFAULT_QUERY_MODEL,
    ConfidenceFirst,
    PreRouter,
    ScoreModel,
)

ONLINE_MODE = "online"
# The checks online calibration scores drafts with: the rules, then the prior score with
# no threshold of its own, and no confidence floor (the online plan decides which scores
# and confidences are accepted).
ONLINE_QUALITY = QualityConfig(name=ONLINE_MODE, scorer=ConfidenceFirst(DEFAULT_DRAFT_MODEL),
                               min_confidence=0.0)

QUALITY_PRESETS: Mapping[str, QualityConfig] = {
    ONLINE_MODE: ONLINE_QUALITY,
    "fast": QualityConfig(name="fast"),
    "cost-optimized": QualityConfig(
        name="cost-optimized",
        scorer=DEFAULT_DRAFT_MODEL,
        thresholds_by_complexity={"simple": 0.45, "medium": 0.5, "high": 0.55},
        pre_router=PreRouter(DEFAULT_QUERY_MODEL, 0.15),
    ),
    "balanced": QualityConfig(
        name="balanced",
        scorer=DEFAULT_DRAFT_MODEL,
        thresholds_by_complexity={"simple": 0.6, "medium": 0.65, "high": 0.7},
        pre_router=PreRouter(DEFAULT_QUERY_MODEL, 0.3),
    ),
    "strict": QualityConfig(
        name="strict",
        min_words=3,
        min_confidence=0.5,
        scorer=DEFAULT_DRAFT_MODEL,
        thresholds_by_complexity={"simple": 0.75, "medium": 0.8, "high": 0.85},
        pre_router=PreRouter(DEFAULT_QUERY_MODEL, 0.45),
    ),
}

FORMAT = "cascadeflow.quality/1"
_PLAIN_FIELDS = ("min_length_chars", "min_words", "reject_refusals", "reject_hedging",
                 "reject_truncated", "min_confidence", "min_score", "name")

ScorerReader = Callable[[Mapping[str, Any]], Any]


def quality_preset(name: str) -> QualityConfig:
    """A preset by name; ``_`` and ``-`` are interchangeable (``cost_optimized``)."""
    key = name.strip().lower().replace("_", "-")
    if key not in QUALITY_PRESETS:
        raise ConfigurationError(
            f"unknown quality preset {name!r}: use one of {', '.join(QUALITY_PRESETS)}, "
            "or the path of a file saved by `cascadeflow simulate --calibrate --save-config`"
        )
    return QUALITY_PRESETS[key]


def quality_config_to_dict(config: QualityConfig, **about: Any) -> dict[str, Any]:
    """The JSON-ready form; ``about`` adds free-form notes (trace, models, figures)."""
    data: dict[str, Any] = {"format": FORMAT, **{f: getattr(config, f) for f in _PLAIN_FIELDS}}
    data["thresholds_by_complexity"] = dict(config.thresholds_by_complexity)
    if config.scorer is not None:
        data["scorer"] = _scorer_dict(config.scorer)
    if config.pre_router is not None:
        if not isinstance(config.pre_router, PreRouter):
            raise ConfigurationError("only a PreRouter can be saved as pre_router")
        router = config.pre_router
        data["pre_router"] = {"min_probability": router.min_probability, "draft_share": router.draft_share,
                              "scorer": None if router.scorer is None else router.scorer.to_dict()}
    if about:
        data["about"] = about
    return data


def _scorer_dict(scorer: object) -> dict[str, Any]:
    to_dict = getattr(scorer, "to_dict", None)
    if to_dict is None:
        raise ConfigurationError(f"this scorer cannot be saved: {type(scorer).__name__} has no to_dict()")
    result: dict[str, Any] = to_dict()
    return result


def quality_config_from_dict(
    data: Mapping[str, Any], read_scorer: ScorerReader | None = None
) -> QualityConfig:
    """Rebuild a saved config. ``read_scorer`` rebuilds scorers other than ScoreModel
    (the learned scorer); it gets the scorer's dict."""
    if data.get("format") != FORMAT:
        raise ConfigurationError(
            f"not a cascadeflow quality config (format {data.get('format')!r}, expected {FORMAT!r})"
        )
    known = {f.name for f in fields(QualityConfig)}
    values: dict[str, Any] = {k: data[k] for k in _PLAIN_FIELDS if k in data and k in known}
    values["thresholds_by_complexity"] = dict(data.get("thresholds_by_complexity", {}))
    scorer = data.get("scorer")
    if scorer is not None:
        if scorer.get("kind") in ("draft", "query"):
            values["scorer"] = ScoreModel.from_dict(scorer)
        elif scorer.get("kind") == "confidence-first":
            values["scorer"] = ConfidenceFirst.from_dict(scorer)
        elif read_scorer is not None:
            values["scorer"] = read_scorer(scorer)
        else:
            raise ConfigurationError(f"this config needs a {scorer.get('kind')!r} scorer reader")
    router = data.get("pre_router")
    if router is not None:
        values["pre_router"] = PreRouter(
            None if router.get("scorer") is None else ScoreModel.from_dict(router["scorer"]),
            float(router.get("min_probability", 0.0)), float(router.get("draft_share", 1.0)))
    try:
        return QualityConfig(**values)
    except TypeError as exc:
        raise ConfigurationError(f"bad quality config: {exc}") from exc
