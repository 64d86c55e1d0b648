"""The plan's ``cascadeflow/quality/validation.py``: the rule-based validator, its
verdicts, and the built-in validators (the objects ``cascadeflow.quality`` and
``cascadeflow.routing`` export too)."""

from cascadeflow.domain.quality import QualityConfig, QualityValidator, ValidationContext, ValidationResult
from cascadeflow.domain.validators import (
    citation_validator,
    code_quality_validator,
    confidence_validator,
    legal_compliance_checker,
    llm_judge_validator,
    medical_fact_checker,
    medical_safety_checker,
    quality_validator,
    syntax_validator,
)

__all__ = ["QualityConfig", "QualityValidator", "ValidationContext", "ValidationResult",
           "citation_validator", "code_quality_validator", "confidence_validator",
           "legal_compliance_checker", "llm_judge_validator", "medical_fact_checker",
           "medical_safety_checker", "quality_validator", "syntax_validator"]
