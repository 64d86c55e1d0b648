"""The built-in domains, in the order ties are broken. A domain's evidence may come
from several rules (one module each); the detector merges them."""

from __future__ import annotations

from cascadeflow.domain.detection.code_terms import CODE_RULE
from cascadeflow.domain.detection.code_tools_terms import CODE_TOOLS_RULE
from cascadeflow.domain.detection.general_terms import GENERAL_RULE
from cascadeflow.domain.detection.general_topics_terms import GENERAL_TOPICS_RULE
from cascadeflow.domain.detection.legal_doctrine_terms import LEGAL_DOCTRINE_RULE
from cascadeflow.domain.detection.legal_everyday_terms import LEGAL_EVERYDAY_RULE
from cascadeflow.domain.detection.legal_situation_terms import LEGAL_SITUATION_RULE
from cascadeflow.domain.detection.legal_terms import LEGAL_RULE
from cascadeflow.domain.detection.math_terms import MATH_RULE
from cascadeflow.domain.detection.math_topics_terms import MATH_TOPICS_RULE
from cascadeflow.domain.detection.medical_body_terms import MEDICAL_BODY_RULE
from cascadeflow.domain.detection.medical_care_terms import MEDICAL_CARE_RULE
from cascadeflow.domain.detection.medical_complaint_terms import MEDICAL_COMPLAINT_RULE
from cascadeflow.domain.detection.medical_terms import MEDICAL_RULE
from cascadeflow.domain.detection.rules import DomainRule

BUILTIN_RULES: tuple[DomainRule, ...] = (
    GENERAL_RULE, GENERAL_TOPICS_RULE,
    CODE_RULE, CODE_TOOLS_RULE,
    MATH_RULE, MATH_TOPICS_RULE,
    MEDICAL_RULE, MEDICAL_BODY_RULE, MEDICAL_CARE_RULE, MEDICAL_COMPLAINT_RULE,
    LEGAL_RULE, LEGAL_EVERYDAY_RULE, LEGAL_DOCTRINE_RULE, LEGAL_SITUATION_RULE,
)
