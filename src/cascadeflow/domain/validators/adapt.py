"""Validators in every form users write them, brought to one: ``(text, context) ->
ValidationResult``.

Accepted: a callable of ``(text, context)`` or of ``(text)`` alone (the seed's form),
returning a ValidationResult, a ``(passed, reason)`` tuple, a ``(passed, score,
reason)`` tuple, or a bare bool. Anything else fails closed with a reason that says
what came back.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.quality import ValidationContext, ValidationResult

ValidatorFn = Callable[..., Any]


def as_result(raw: object) -> ValidationResult:
    if isinstance(raw, ValidationResult):
        return raw
    if isinstance(raw, bool):
        return ValidationResult(raw, 1.0 if raw else 0.0, "passed" if raw else "failed")
    if isinstance(raw, tuple) and len(raw) == 2 and isinstance(raw[0], bool):
        return ValidationResult(raw[0], 1.0 if raw[0] else 0.0, str(raw[1]))
    if (
        isinstance(raw, tuple) and len(raw) == 3 and isinstance(raw[0], bool)
        and isinstance(raw[1], (int, float))
    ):
        return ValidationResult(raw[0], float(raw[1]), str(raw[2]))
    return ValidationResult(False, 0.0, f"validator returned {raw!r}, not a verdict")


def takes_context(fn: ValidatorFn) -> bool:
    """True when ``fn`` accepts a second (context) argument."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [
        p for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)


def validator_name(fn: object) -> str:
    name = getattr(fn, "name", None) or getattr(fn, "__name__", None)
    return str(name) if name else type(fn).__name__


class AdaptedValidator:
    """One user validator, called the way it was written and read as a ValidationResult."""

    def __init__(self, fn: ValidatorFn) -> None:
        if not callable(fn):
            raise ConfigurationError(f"a validation must be callable, got {fn!r}")
        self.fn = fn
        self.name = validator_name(fn)
        self._with_context = takes_context(fn)

    def __call__(self, text: str, context: ValidationContext) -> ValidationResult:
        raw = self.fn(text, context) if self._with_context else self.fn(text)
        return as_result(raw)
