"""Requests and tokens per minute, per user and per API key.

A sliding-window counter: the count of the last 60 s is this minute's count plus the
previous minute's, weighted by the share of it still inside the last 60 s. Two counters
per scope and minute, exact across processes sharing a store, no per-request rows.
Tokens are counted twice: each request's prompt (its upper bound) when it is admitted,
and its answer's tokens once it is done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from cascadeflow.domain.errors import CascadeflowError, ConfigurationError

WINDOW_SECONDS = 60.0


class RateLimitExceededError(CascadeflowError):
    """A request over a requests- or tokens-per-minute limit. ``retry_after`` is the
    seconds until it would fit (``math.inf``: it never will, being bigger than the limit)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RateLimit:
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "tokens_per_minute"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise ConfigurationError(f"RateLimit.{name} must be a positive int or None, got {value!r}")


@dataclass(frozen=True, slots=True)
class Counts:
    """One scope's requests and tokens in one minute."""

    requests: int = 0
    tokens: int = 0


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def previous_minute(minute: datetime) -> datetime:
    return minute - timedelta(minutes=1)


def wait_for(limit: RateLimit, previous: Counts, current: Counts, at: datetime,
             requests: int, tokens: int) -> tuple[float, str] | None:
    """None when ``requests`` and ``tokens`` fit ``limit`` now; else the seconds to wait
    (``math.inf``: never) and which limit binds."""
    elapsed = (at - minute_of(at)).total_seconds()
    waits: list[tuple[float, str]] = []
    for cap, before, now, adding, what in (
        (limit.requests_per_minute, previous.requests, current.requests, requests, "requests"),
        (limit.tokens_per_minute, previous.tokens, current.tokens, tokens, "tokens"),
    ):
        if cap is None or adding == 0:
            continue
        if adding > cap:
            waits.append((math.inf, what))
            continue
        if before * (1 - elapsed / WINDOW_SECONDS) + now + adding <= cap:
            continue
        waits.append((_seconds_until(cap, before, now, adding, elapsed), what))
    return max(waits) if waits else None


def _seconds_until(cap: int, before: int, now: int, adding: int, elapsed: float) -> float:
    """When the weighted count leaves room for ``adding``: later this minute as the
    previous minute's weight fades, else in the next minute (this one then weighs)."""
    if now + adding <= cap and before > 0:
        return max(WINDOW_SECONDS * (1 - (cap - now - adding) / before) - elapsed, 0.001)
    rest = WINDOW_SECONDS - elapsed
    if now > 0:  # next minute, this minute's count fading from full weight
        return rest + max(WINDOW_SECONDS * (1 - (cap - adding) / now), 0.0)
    return rest
