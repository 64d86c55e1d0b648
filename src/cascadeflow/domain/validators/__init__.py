"""Validators: ``(text, context) -> ValidationResult(passed, score, reason)``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cascadeflow.domain.validators.adapt import AdaptedValidator, as_result
    from cascadeflow.domain.validators.citations import citation_validator, find_citations
    from cascadeflow.domain.validators.code import code_quality_validator, syntax_validator
    from cascadeflow.domain.validators.confidence import (
        ConfidenceValidator,
        RuleQualityValidator,
        confidence_validator,
        quality_validator,
    )
    from cascadeflow.domain.validators.judge import (
        JudgeValidator,
        llm_judge_validator,
        medical_fact_checker,
    )
    from cascadeflow.domain.validators.legal import legal_compliance_checker
    from cascadeflow.domain.validators.medical import medical_safety_checker

# Each name loads its module on first use: a cascade that uses none of them does not
# pay for their patterns.
_HOMES = {
    "AdaptedValidator": "adapt", "as_result": "adapt",
    "citation_validator": "citations", "find_citations": "citations",
    "code_quality_validator": "code", "syntax_validator": "code",
    "ConfidenceValidator": "confidence", "RuleQualityValidator": "confidence",
    "confidence_validator": "confidence", "quality_validator": "confidence",
    "JudgeValidator": "judge", "llm_judge_validator": "judge", "medical_fact_checker": "judge",
    "legal_compliance_checker": "legal", "medical_safety_checker": "medical",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AdaptedValidator",
    "ConfidenceValidator",
    "JudgeValidator",
    "RuleQualityValidator",
    "as_result",
    "citation_validator",
    "code_quality_validator",
    "confidence_validator",
    "find_citations",
    "legal_compliance_checker",
    "llm_judge_validator",
    "medical_fact_checker",
    "medical_safety_checker",
    "quality_validator",
    "syntax_validator",
]
