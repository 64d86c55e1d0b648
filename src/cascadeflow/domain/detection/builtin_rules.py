"""The built-in domains, in the order ties are broken."""

from __future__ import annotations

from cascadeflow.domain.detection.code_terms import CODE_RULE
from cascadeflow.domain.detection.general_terms import GENERAL_RULE
from cascadeflow.domain.detection.legal_terms import LEGAL_RULE
from cascadeflow.domain.detection.math_terms import MATH_RULE
from cascadeflow.domain.detection.medical_terms import MEDICAL_RULE
from cascadeflow.domain.detection.rules import DomainRule

BUILTIN_RULES: tuple[DomainRule, ...] = (
    GENERAL_RULE, CODE_RULE, MATH_RULE, MEDICAL_RULE, LEGAL_RULE,
)
