"""The one check for money amounts users configure: a finite number >= 0."""

from __future__ import annotations

import math

from cascadeflow.domain.errors import ConfigurationError


def check_usd(owner: str, label: str, value: object, hint: str = "") -> None:
    """Raise ConfigurationError naming ``owner`` and ``label`` unless ``value`` is None or a
    finite number >= 0; ``hint`` tells the user what to write instead."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{owner}: {label} must be a number of USD, got {value!r}")
    if not math.isfinite(value) or value < 0:
        suffix = f"; {hint}" if hint else ""
        raise ConfigurationError(
            f"{owner}: {label} must be a finite number >= 0 (USD), got {value!r}{suffix}"
        )
