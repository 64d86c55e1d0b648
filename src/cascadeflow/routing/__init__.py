"""Routing (the plan's ``cascadeflow.routing``): domain detection, query complexity,
multi-step domain strategies with their validators, and tier-aware model routing.

    from cascadeflow import CascadeAgent
    from cascadeflow.routing import CODE_DOMAIN_STRATEGY, TierAwareRouter, TIER_POLICIES_DEFAULT

    agent = CascadeAgent(models, enable_multi_step_cascade=True,
                         domain_strategies={"code": CODE_DOMAIN_STRATEGY})
"""

from cascadeflow.domain.builtin_strategies import (
    CODE_DOMAIN_STRATEGY,
    DEFAULT_DOMAIN_STRATEGIES,
    GENERAL_DOMAIN_STRATEGY,
    LEGAL_DOMAIN_STRATEGY,
    MEDICAL_DOMAIN_STRATEGY,
)
from cascadeflow.domain.complexity import COMPLEXITY_LEVELS, ComplexityAnalyzer
from cascadeflow.domain.detection import (
    Combination,
    DomainDetection,
    DomainDetector,
    DomainRule,
    Pattern,
    WordForm,
)
from cascadeflow.domain.model_catalog import SEED_MODELS
from cascadeflow.domain.quality import ValidationContext, ValidationResult
from cascadeflow.domain.results import StepVerdict
from cascadeflow.domain.strategies import CascadeStep, DomainCascadeStrategy
from cascadeflow.domain.tiers import (
    TIER_POLICIES_DEFAULT,
    TierChoice,
    TierModelPolicy,
    UnknownTierError,
)
from cascadeflow.routing.tier_routing import TierAwareRouter  # prices as the agent does
from cascadeflow.domain.validators import (
    ConfidenceValidator,
    JudgeValidator,
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

__all__ = [
    "CODE_DOMAIN_STRATEGY",
    "COMPLEXITY_LEVELS",
    "DEFAULT_DOMAIN_STRATEGIES",
    "GENERAL_DOMAIN_STRATEGY",
    "LEGAL_DOMAIN_STRATEGY",
    "MEDICAL_DOMAIN_STRATEGY",
    "SEED_MODELS",
    "TIER_POLICIES_DEFAULT",
    "CascadeStep",
    "ComplexityAnalyzer",
    "ConfidenceValidator",
    "DomainCascadeStrategy",
    "Combination",
    "DomainDetection",
    "DomainDetector",
    "DomainRule",
    "JudgeValidator",
    "Pattern",
    "StepVerdict",
    "TierAwareRouter",
    "TierChoice",
    "TierModelPolicy",
    "UnknownTierError",
    "ValidationContext",
    "ValidationResult",
    "WordForm",
    "citation_validator",
    "code_quality_validator",
    "confidence_validator",
    "legal_compliance_checker",
    "llm_judge_validator",
    "medical_fact_checker",
    "medical_safety_checker",
    "quality_validator",
    "syntax_validator",
]
