"""The built-in domain strategies, with the seed plan's models.

Prices of models LiteLLM's price map lacks come from the model catalogue
(``domain/model_catalog.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cascadeflow.domain.strategies import CascadeStep, DomainCascadeStrategy
from cascadeflow.domain.validators import (
    citation_validator,
    code_quality_validator,
    confidence_validator,
    legal_compliance_checker,
    medical_fact_checker,
    medical_safety_checker,
    quality_validator,
    syntax_validator,
)

CODE_DOMAIN_STRATEGY = DomainCascadeStrategy(
    domain="code",
    description="Fast code generation with syntax validation",
    expected_cost_range="$0.0014-0.03 (90% use cheap model)",
    expected_steps=2,
    mode="cascade",
    steps=(
        CascadeStep(
            model="deepseek-coder",
            provider="deepseek",
            validation=syntax_validator,
            fallback_model="gpt-3.5-turbo",
            description="Draft with specialized code model (10x cheaper than GPT-4)",
        ),
        CascadeStep(
            model="gpt-4",
            provider="openai",
            validation=code_quality_validator,
            fallback_model="claude-sonnet-4",
            description="Verify code quality with premium model (only if needed)",
        ),
    ),
)

MEDICAL_DOMAIN_STRATEGY = DomainCascadeStrategy(
    domain="medical",
    description="Medical responses with fact-checking and safety validation",
    expected_cost_range="$0.04-0.07 (3 steps for safety)",
    expected_steps=3,
    mode="pipeline",
    steps=(
        CascadeStep(
            model="gpt-3.5-turbo",
            provider="openai",
            validation=medical_fact_checker,
            fallback_model="claude-haiku",
            description="Draft medical response with general model",
        ),
        CascadeStep(
            model="med-palm-2",
            provider="vertex_ai",
            validation=citation_validator,
            fallback_model="gpt-4",
            description="Verify with specialized medical model",
        ),
        CascadeStep(
            model="claude-opus",
            provider="anthropic",
            validation=medical_safety_checker,
            max_retries=2,
            description="Safety validation (critical for medical)",
        ),
    ),
)

GENERAL_DOMAIN_STRATEGY = DomainCascadeStrategy(
    domain="general",
    description="General queries with cost optimization",
    expected_cost_range="$0.0007-0.003 (95% use cheap model)",
    expected_steps=2,
    mode="cascade",
    steps=(
        CascadeStep(
            model="llama-3.3-70b-versatile",
            provider="groq",
            validation=quality_validator,
            fallback_model="gpt-3.5-turbo",
            description="Ultra-fast draft with Groq (10x faster, free)",
        ),
        CascadeStep(
            model="gpt-4o",
            provider="openai",
            validation=confidence_validator,
            fallback_model="claude-sonnet-4",
            description="Verify with premium model if draft quality low",
        ),
    ),
)

LEGAL_DOMAIN_STRATEGY = DomainCascadeStrategy(
    domain="legal",
    description="Legal answers with citation validation and a compliance review",
    expected_cost_range="$0.002-0.02 (2 steps)",
    expected_steps=2,
    mode="pipeline",
    steps=(
        CascadeStep(
            model="claude-3-5-haiku",
            provider="anthropic",
            validation=citation_validator,
            fallback_model="gpt-4o",
            description="Draft with the statutes and cases it relies on",
        ),
        CascadeStep(
            model="claude-sonnet-4",
            provider="anthropic",
            validation=legal_compliance_checker,
            fallback_model="gpt-4",
            description="Review for accuracy, jurisdiction caveats and no promised outcomes",
        ),
    ),
)

DEFAULT_DOMAIN_STRATEGIES: Mapping[str, DomainCascadeStrategy] = MappingProxyType({
    "code": CODE_DOMAIN_STRATEGY,
    "medical": MEDICAL_DOMAIN_STRATEGY,
    "general": GENERAL_DOMAIN_STRATEGY,
    "legal": LEGAL_DOMAIN_STRATEGY,
})
