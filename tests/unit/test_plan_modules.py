"""The plan's module paths and 0.1's names import the real objects, and verdicts unpack
as the plan's code unpacks them."""

from __future__ import annotations

import importlib

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.quality import QualityValidator, ValidationResult
from cascadeflow.entrypoints.api.cost_calculator import CostCalculator
from cascadeflow.domain.quality_presets import quality_preset


@pytest.mark.parametrize(("module", "name", "real"), [
    ("cascadeflow.schema", "ModelConfig", ModelConfig),
    ("cascadeflow.core.agent", "CascadeAgent", CascadeAgent),
    ("cascadeflow.quality.validation", "QualityValidator", QualityValidator),
    ("cascadeflow.quality.presets", "quality_preset", quality_preset),
    ("cascadeflow.telemetry.cost_calculator", "CostCalculator", CostCalculator),
])
def test_the_plans_paths_hold_the_real_objects(module: str, name: str, real: object) -> None:
    assert getattr(importlib.import_module(module), name) is real


def test_a_verdict_unpacks_as_is_valid_reason_and_keeps_its_score() -> None:
    from cascadeflow.quality.validation import syntax_validator

    is_valid, reason = syntax_validator("```python\ndef f(:\n```")
    assert is_valid is False and "syntax" in reason.lower()
    verdict = ValidationResult(True, 0.8, "fine")
    assert tuple(verdict) == (True, "fine") and verdict.score == 0.8
