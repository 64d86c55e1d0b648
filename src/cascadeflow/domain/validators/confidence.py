"""The foundation's rule-based quality check, as step validators."""

from __future__ import annotations

from dataclasses import dataclass

from cascadeflow.domain.quality import QualityConfig, QualityValidator, ValidationContext, ValidationResult


@dataclass(frozen=True, slots=True)
class ConfidenceValidator:
    """Requires a high token confidence (geometric-mean probability from logprobs).

    Without logprobs (the provider or model gives none) confidence cannot be measured:
    the rule-based checks decide alone and the reason says so.
    """

    min_confidence: float = 0.7
    name: str = "confidence_validator"

    def __call__(self, text: str, context: ValidationContext | None = None) -> ValidationResult:
        context = context or ValidationContext()
        rules = QualityValidator(QualityConfig(min_confidence=self.min_confidence))
        verdict = rules.validate(text, context)
        if verdict.passed and not context.logprobs:
            return ValidationResult(True, verdict.score, "no logprobs to measure confidence; passed rule-based checks")
        if verdict.passed:
            return ValidationResult(True, verdict.score, f"confidence {verdict.score:.2f} >= {self.min_confidence:.2f}")
        return verdict


@dataclass(frozen=True, slots=True)
class RuleQualityValidator:
    """Rejects empty, refusing, hedging and truncated answers (QualityValidator)."""

    config: QualityConfig = QualityConfig()
    name: str = "quality_validator"

    def __call__(self, text: str, context: ValidationContext | None = None) -> ValidationResult:
        return QualityValidator(self.config).validate(text, context or ValidationContext())


quality_validator = RuleQualityValidator()
confidence_validator = ConfidenceValidator()
