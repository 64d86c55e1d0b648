"""Quality configurations as JSON files: what `simulate --calibrate --save-config` writes
and what CascadeAgent and the presets load."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cascadeflow.adapters.learned_scorer import LearnedScorer, read_json, write_json
from cascadeflow.domain.quality import QualityConfig
from cascadeflow.domain.quality_presets import quality_config_from_dict, quality_config_to_dict


def save_quality_config(config: QualityConfig, path: str | Path, **about: Any) -> None:
    write_json(path, quality_config_to_dict(config, **about))


def load_quality_config(path: str | Path) -> QualityConfig:
    return quality_config_from_dict(read_json(path), _read_scorer)


def _read_scorer(data: Mapping[str, Any]) -> LearnedScorer:
    return LearnedScorer.from_dict(data)
