"""How often and how patiently a failing model call is retried."""

from __future__ import annotations

from dataclasses import dataclass

from cascadeflow.domain.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff for retryable errors (rate limits, timeouts).

    ``max_attempts`` counts the first call: 3 means one call and up to two retries.
    """

    max_attempts: int = 3
    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(f"RetryPolicy: max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ConfigurationError(
                "RetryPolicy: delays must be >= 0 and multiplier >= 1, "
                f"got base_delay={self.base_delay}, max_delay={self.max_delay}, "
                f"multiplier={self.multiplier}"
            )

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th failed call (1-based)."""
        return min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))
