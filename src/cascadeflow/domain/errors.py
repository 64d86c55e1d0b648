"""One error hierarchy for everything cascadeflow raises on purpose.

Adapters translate library exceptions (litellm, httpx, sqlalchemy) into these; the
entrypoints map them to exit codes and HTTP statuses in one table each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cascadeflow.domain.enforcement import EnforcementContext


class CascadeflowError(Exception):
    """Base of every error cascadeflow raises deliberately."""


class ConfigurationError(CascadeflowError, ValueError):
    """A value given by the user cannot work; the message says what to change."""


class UnsupportedProviderError(ConfigurationError):
    """A provider outside the nine supported ones (and their aliases)."""


class TraceFormatError(ConfigurationError):
    """A trace file line does not follow the trace format."""


class UnknownModelPriceError(CascadeflowError):
    """Neither the price map nor the ModelConfig says what a model costs."""


class ProviderError(CascadeflowError):
    """A model call failed. ``retryable`` errors are retried with backoff."""

    retryable = False
    kind = "failed"  # what went wrong, in words a caller may read (no provider text)

    def __init__(self, model: str, message: str, *, status: int | None = None,
                 quotable: bool = False) -> None:
        super().__init__(f"{model}: {message}")
        self.model = model
        self.detail = message
        self.status = status  # the provider's HTTP status, when it answered
        self.quotable = quotable  # the message is ours (or LiteLLM's), not the provider's

    @property
    def public(self) -> str:
        """The failure without the provider's own words, which may quote the operator's
        key or prompt: the model, the kind of failure and the HTTP status (and the
        message itself when it is ours to show)."""
        if self.quotable:
            return str(self)
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{self.model}: {self.kind}{status}"


class RateLimitedError(ProviderError):
    retryable = True
    kind = "rate limited"


class ProviderTimeoutError(ProviderError):
    retryable = True
    kind = "timed out"


class ProviderUnavailableError(ProviderError):
    """The provider answered with a server error or could not be reached."""

    kind = "unavailable (a server error, or not reachable)"


class StreamInterruptedError(ProviderError):
    """A streamed answer broke off after part of it reached the caller: nothing can be
    retried or replaced without showing the caller two answers."""

    kind = "broke off while streaming its answer"


class ProviderBadRequestError(ProviderError):
    """The provider refused the request itself (bad parameters, context too long)."""

    kind = "rejected the request as invalid (a parameter it does not take, a prompt too long…)"


class ProviderAuthError(ProviderError):
    """Missing or wrong credentials for this provider."""

    kind = "refused the configured credentials"


class ReplayMissError(ProviderError):
    """The trace holds no recorded answer of this model for this query."""

    kind = "has no recorded answer for this query in the trace"

    @property
    def public(self) -> str:
        return str(self)  # our own words about our own trace: nothing to hide


class AllModelsFailedError(CascadeflowError):
    """Every model of the cascade failed; ``failures`` holds what each one returned."""

    def __init__(self, failures: Sequence[ProviderError]) -> None:
        lines = "\n".join(f"  - {type(f).__name__}: {f}" for f in failures)
        super().__init__(f"every model failed ({len(failures)} tried):\n{lines}")
        self.failures = tuple(failures)

    @property
    def public(self) -> str:
        """Each failure without the providers' own words (see ProviderError.public)."""
        return f"every model failed: {'; '.join(f.public for f in self.failures)}"


class UnknownUserError(CascadeflowError, KeyError):
    """A user with neither a budget nor any recorded spend."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown user"


class StorageError(CascadeflowError):
    """The usage database cannot be read or written (unreachable, locked, corrupt)."""


class BudgetExceededError(CascadeflowError):
    """The budget blocks this request; ``context`` holds the user's budget state."""

    def __init__(self, message: str, context: EnforcementContext | None = None) -> None:
        super().__init__(message)
        self.context = context
