"""Admission against requests and tokens per minute, the same for ``CascadeAgent`` and
the gateway: a request counts once and its prompt's tokens (their upper bound) before
any call; its answer's tokens are counted when it is done. Scopes are ``u:<user>`` and
``k:<key id>``; counters live in a RateLimitStore, so processes sharing its database
count together."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from cascadeflow.application.ports import Clock, RateLimitStore
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.rate_limits import RateLimit, RateLimitExceededError

T = TypeVar("T")
ANONYMOUS = "anonymous"
DEFAULT_KEY = "*"


def user_scope(user: str | None) -> str:
    return f"u:{user or ANONYMOUS}"


def whose(scope: str) -> str:
    return f"user {scope[2:]!r}" if scope.startswith("u:") else "this API key"


class RateLimiter:
    def __init__(self, store: RateLimitStore, clock: Clock, *, in_thread: bool = True) -> None:
        self._store = store
        self._clock = clock
        self._in_thread = in_thread  # a database store blocks: its calls leave the loop

    async def admit(self, scopes: Sequence[tuple[str, RateLimit]], prompt_tokens: int) -> None:
        """RateLimitExceededError (with ``retry_after``) when one request of
        ``prompt_tokens`` does not fit every scope's limits now; nothing is counted then."""
        if not scopes:
            return
        refused = await self._call(self._store.take, scopes, self._clock.now(), 1, prompt_tokens)
        if refused is None:
            return
        wait, scope, what = refused
        if wait == math.inf:
            raise RateLimitExceededError(
                f"this request alone ({prompt_tokens} prompt tokens) is over {whose(scope)}'s "
                f"tokens per minute", wait)
        raise RateLimitExceededError(
            f"{whose(scope)} is over its {what} per minute; retry in {math.ceil(wait)} s", wait)

    async def count_answer(self, scopes: Sequence[str], tokens: int) -> None:
        if scopes and tokens:
            await self._call(self._store.add_tokens, scopes, self._clock.now(), tokens)

    async def _call(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(fn, *args) if self._in_thread else fn(*args)


class UserRateLimits:
    """Which limit binds a user: one ``RateLimit`` for every user (each counted on its
    own), or a mapping of user ids to limits where ``"*"`` is everyone else's."""

    def __init__(self, limits: RateLimit | Mapping[str, RateLimit]) -> None:
        if isinstance(limits, RateLimit):
            limits = {DEFAULT_KEY: limits}
        if not isinstance(limits, Mapping) or not all(
                isinstance(k, str) and isinstance(v, RateLimit) for k, v in limits.items()):
            raise ConfigurationError(
                f"rate_limits must be a RateLimit or a mapping of user ids ('*' for everyone "
                f"else) to RateLimit, got {limits!r}")
        self._limits = dict(limits)

    def scopes(self, user: str | None) -> list[tuple[str, RateLimit]]:
        limit = self._limits.get(user or ANONYMOUS, self._limits.get(DEFAULT_KEY))
        return [(user_scope(user), limit)] if limit is not None else []
