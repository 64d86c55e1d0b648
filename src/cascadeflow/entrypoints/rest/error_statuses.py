"""The one table from cascadeflow errors to HTTP statuses and OpenAI error bodies
(the REST sibling of exit_codes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from cascadeflow.domain.guardrails import GuardrailBlockedError
from cascadeflow.domain.rate_limits import RateLimitExceededError
from cascadeflow.domain.errors import (
    AllModelsFailedError,
    BudgetExceededError,
    CascadeflowError,
    ConfigurationError,
    ProviderBadRequestError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
    ReplayMissError,
    StorageError,
    UnknownModelPriceError,
    UnknownUserError,
)


@dataclass(frozen=True, slots=True)
class HttpError:
    status: int
    type: str  # OpenAI's error.type
    code: str  # OpenAI's error.code


HTTP_ERRORS: tuple[tuple[type[CascadeflowError], HttpError], ...] = (
    (BudgetExceededError, HttpError(429, "insufficient_quota", "budget_exceeded")),
    (RateLimitedError, HttpError(429, "rate_limit_error", "rate_limited")),
    (RateLimitExceededError, HttpError(429, "rate_limit_error", "rate_limited")),  # ours
    (GuardrailBlockedError, HttpError(400, "invalid_request_error", "blocked_by_guardrail")),
    (ProviderTimeoutError, HttpError(504, "server_error", "upstream_timeout")),
    (ReplayMissError, HttpError(404, "invalid_request_error", "not_in_trace")),
    # the request itself was refused: retrying it elsewhere cannot help, the caller must change it
    (ProviderBadRequestError, HttpError(400, "invalid_request_error", "upstream_rejected_request")),
    (ProviderError, HttpError(502, "server_error", "upstream_error")),
    (AllModelsFailedError, HttpError(502, "server_error", "all_providers_failed")),
    (ConfigurationError, HttpError(400, "invalid_request_error", "invalid_request")),
    (UnknownUserError, HttpError(404, "invalid_request_error", "unknown_user")),
    (StorageError, HttpError(503, "server_error", "storage_unavailable")),
    (UnknownModelPriceError, HttpError(500, "server_error", "unpriced_model")),
    (CascadeflowError, HttpError(500, "server_error", "internal_error")),
)


def http_error_for(error: CascadeflowError) -> HttpError:
    """When every model failed the same way (all timed out, all rate limited, all refused
    the request as invalid, the trace knew none), the client hears that; mixed failures
    are a 502."""
    if isinstance(error, AllModelsFailedError) and error.failures:
        kinds = {_lookup(f) for f in error.failures}
        if len(kinds) == 1:
            only = kinds.pop()
            return only if only.code != "upstream_error" else _lookup(error)
    return _lookup(error)


def public_message(error: CascadeflowError) -> str:
    """What the caller reads: a provider failure without the provider's own words
    (they may quote the operator's key); our own errors as they are."""
    if isinstance(error, (ProviderError, AllModelsFailedError)):
        return error.public
    return str(error)


def _lookup(error: CascadeflowError) -> HttpError:
    return next(http for kind, http in HTTP_ERRORS if isinstance(error, kind))


class ApiError(Exception):
    """A refusal decided at the HTTP edge (auth, roles, unknown model): carries its
    own status and OpenAI error fields."""

    def __init__(self, status: int, code: str, message: str, *, kind: str = "invalid_request_error",
                 param: str | None = None) -> None:
        super().__init__(message)
        self.http = HttpError(status, kind, code)
        self.message = message
        self.param = param
