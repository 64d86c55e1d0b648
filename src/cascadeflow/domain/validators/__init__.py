"""Validators: ``(text, context) -> ValidationResult(passed, score, reason)``."""

from cascadeflow.domain.validators.adapt import AdaptedValidator, as_result
from cascadeflow.domain.validators.citations import citation_validator, find_citations
from cascadeflow.domain.validators.code import code_quality_validator, syntax_validator
from cascadeflow.domain.validators.confidence import (
    ConfidenceValidator,
    RuleQualityValidator,
    confidence_validator,
    quality_validator,
)
from cascadeflow.domain.validators.judge import JudgeValidator, llm_judge_validator, medical_fact_checker
from cascadeflow.domain.validators.legal import legal_compliance_checker
from cascadeflow.domain.validators.medical import medical_safety_checker

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
