"""Admission against requests and tokens per minute, the same for ``CascadeAgent`` and
the gateway.

A request counts once when it is admitted, with an upper bound of its prompt's tokens
(every byte it sends); when it is done, its tokens are corrected to what its calls
really used (every call's prompt and answer, rejected drafts included), in the minute
it was admitted. A request that fails keeps its count and gives its tokens back. Scopes
are ``u:<user>``, ``anon`` (runs without a user) and ``k:<key id>``; counters live in a
RateLimitStore, so processes sharing its database count together. Counting after the
fact is best-effort: a store failure then is logged, never raised over a paid answer.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cascadeflow.application.ports import Clock, RateLimitStore
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.rate_limits import RateLimit, RateLimitExceededError
from cascadeflow.domain.results import ModelCall

log = logging.getLogger(__name__)
T = TypeVar("T")
ANONYMOUS_SCOPE = "anon"
DEFAULT_KEY = "*"


def user_scope(user: str | None) -> str:
    return f"u:{user}" if user else ANONYMOUS_SCOPE


def whose(scope: str) -> str:
    if scope == ANONYMOUS_SCOPE:
        return "runs without a user"
    return f"user {scope[2:]!r}" if scope.startswith("u:") else "this API key"


@dataclass(frozen=True, slots=True)
class Admitted:
    """What a request counted when it was admitted, to correct when it is done."""

    scopes: tuple[str, ...]
    at: datetime
    prompt_bound: int


class RateLimiter:
    def __init__(self, store: RateLimitStore, clock: Clock, *, in_thread: bool = True) -> None:
        self._store = store
        self._clock = clock
        self._in_thread = in_thread  # a database store blocks: its calls leave the loop

    async def admit(self, scopes: Sequence[tuple[str, RateLimit]], prompt_bound: int) -> Admitted | None:
        """Count one request of at most ``prompt_bound`` prompt tokens for every scope, or
        raise RateLimitExceededError (with ``retry_after``) counting nothing."""
        if not scopes:
            return None
        at = self._clock.now()
        refused = await self._call(self._store.take, scopes, at, 1, prompt_bound)
        if refused is None:
            return Admitted(tuple(scope for scope, _ in scopes), at, prompt_bound)
        wait, scope, what = refused
        if wait == math.inf:
            raise RateLimitExceededError(
                f"this request alone (up to {prompt_bound} prompt tokens) is over {whose(scope)}'s "
                f"tokens per minute", wait)
        raise RateLimitExceededError(
            f"{whose(scope)} is over its {what} per minute; retry in {math.ceil(wait)} s", wait)

    async def settle(self, admitted: Admitted | None, used_tokens: int) -> None:
        """Correct the request's tokens from its prompt's bound to ``used_tokens`` (0 for
        a request that failed before any call answered)."""
        if admitted is None or used_tokens == admitted.prompt_bound:
            return
        try:
            await self._call(self._store.add_tokens, admitted.scopes, admitted.at,
                             used_tokens - admitted.prompt_bound)
        except Exception:  # the answer is paid for: it must reach the caller
            log.exception("could not correct the rate-limit token count of %s", ", ".join(admitted.scopes))

    async def _call(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(fn, *args) if self._in_thread else fn(*args)


class UserRateLimits:
    """Which limit binds a user: one ``RateLimit`` for every user (each counted on its
    own), or a mapping of user ids to limits where ``"*"`` is everyone else's (runs
    without a user included, which share one counter)."""

    def __init__(self, limits: RateLimit | Mapping[str, RateLimit]) -> None:
        if isinstance(limits, RateLimit):
            limits = {DEFAULT_KEY: limits}
        if not isinstance(limits, Mapping) or not all(
                isinstance(k, str) and k and isinstance(v, RateLimit) for k, v in limits.items()):
            raise ConfigurationError(
                f"rate_limits must be a RateLimit or a mapping of user ids ('*' for everyone "
                f"else) to RateLimit, got {limits!r}")
        self._limits = dict(limits)

    def scopes(self, user: str | None) -> list[tuple[str, RateLimit]]:
        limit = (self._limits.get(user) if user else None) or self._limits.get(DEFAULT_KEY)
        return [(user_scope(user), limit)] if limit is not None else []


def used_tokens(calls: Sequence[ModelCall]) -> int:
    """Every call's prompt and answer tokens."""
    return sum(c.input_tokens + c.output_tokens for c in calls)
