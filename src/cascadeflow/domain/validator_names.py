"""Step validators by name, so that a domain strategy can be written to a file and
read back: the built-in validators by their name, an LLM judge as its model and
criteria. A validator written in Python by the user has no name to be saved under."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.strategies import StepValidation
from cascadeflow.domain.validators import (
    JudgeValidator,
    citation_validator,
    code_quality_validator,
    confidence_validator,
    legal_compliance_checker,
    medical_fact_checker,
    medical_safety_checker,
    quality_validator,
    syntax_validator,
)

BUILTIN_VALIDATORS: Mapping[str, StepValidation] = MappingProxyType({
    "syntax_validator": syntax_validator,
    "code_quality_validator": code_quality_validator,
    "citation_validator": citation_validator,
    "confidence_validator": confidence_validator,
    "quality_validator": quality_validator,
    "medical_fact_checker": medical_fact_checker,
    "medical_safety_checker": medical_safety_checker,
    "legal_compliance_checker": legal_compliance_checker,
})


def validation_name(validation: StepValidation | None, where: str) -> str | dict[str, Any] | None:
    """A built-in validator's name, a judge as ``{judge, criteria, name}``, or None."""
    if validation is None:
        return None
    for name, known in BUILTIN_VALIDATORS.items():
        if validation is known:
            return name
    if isinstance(validation, JudgeValidator):
        return {"judge": validation.model_name, "criteria": validation.criteria,
                "name": validation.name}
    raise ConfigurationError(
        f"{where}: its validation {validation!r} is Python code and cannot be saved; use one of "
        f"{', '.join(BUILTIN_VALIDATORS)} or llm_judge_validator(model, criteria)"
    )


def validation_by_name(value: str | JudgeValidator | None) -> StepValidation | None:
    if value is None or isinstance(value, JudgeValidator):
        return value
    try:
        return BUILTIN_VALIDATORS[value]
    except KeyError:
        raise ConfigurationError(
            f"unknown validation {value!r}: use one of {', '.join(BUILTIN_VALIDATORS)}, "
            "or a judge: {judge = \"gpt-4o-mini\", criteria = \"...\"}"
        ) from None
