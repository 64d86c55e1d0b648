"""Rate-limit counters for one process (no SQL library imported)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from cascadeflow.application.ports import RateLimitStore
from cascadeflow.domain.rate_limits import Counts, RateLimit, minute_of, previous_minute, wait_for

Refusal = tuple[float, str, str]


def decide(scopes: Sequence[tuple[str, RateLimit]], counts: dict[tuple[str, datetime], Counts],
            at: datetime, requests: int, tokens: int) -> Refusal | None:
    minute = minute_of(at)
    worst: Refusal | None = None
    for scope, limit in scopes:
        found = wait_for(limit, counts.get((scope, previous_minute(minute)), Counts()),
                         counts.get((scope, minute), Counts()), at, requests, tokens)
        if found is not None and (worst is None or found[0] > worst[0]):
            worst = (found[0], scope, found[1])
    return worst


class InMemoryRateLimits(RateLimitStore):
    """For one process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, datetime], Counts] = {}
        self._lock = threading.Lock()

    def take(self, scopes: Sequence[tuple[str, RateLimit]], at: datetime, requests: int,
             tokens: int) -> Refusal | None:
        minute = minute_of(at)
        with self._lock:
            refused = decide(scopes, self._counts, at, requests, tokens)
            if refused is None:
                for scope, _ in scopes:
                    self._add(scope, minute, requests, tokens)
            self._prune(minute)
            return refused

    def add_tokens(self, scopes: Sequence[str], at: datetime, tokens: int) -> None:
        with self._lock:
            for scope in scopes:
                self._add(scope, minute_of(at), 0, tokens)

    def _add(self, scope: str, minute: datetime, requests: int, tokens: int) -> None:
        was = self._counts.get((scope, minute), Counts())
        # a correction may be negative; a minute's count never goes below zero
        self._counts[(scope, minute)] = Counts(was.requests + requests, max(0, was.tokens + tokens))

    def _prune(self, minute: datetime) -> None:
        old = previous_minute(minute)
        for key in [k for k in self._counts if k[1] < old]:
            del self._counts[key]
