"""The plan's ``cascadeflow/routing/domain_cascade.py``: multi-step domain strategies."""

from cascadeflow.domain.builtin_strategies import (
    CODE_DOMAIN_STRATEGY,
    GENERAL_DOMAIN_STRATEGY,
    LEGAL_DOMAIN_STRATEGY,
    MEDICAL_DOMAIN_STRATEGY,
)
from cascadeflow.domain.strategies import CascadeStep, DomainCascadeStrategy

__all__ = [
    "CODE_DOMAIN_STRATEGY",
    "GENERAL_DOMAIN_STRATEGY",
    "LEGAL_DOMAIN_STRATEGY",
    "MEDICAL_DOMAIN_STRATEGY",
    "CascadeStep",
    "DomainCascadeStrategy",
]
