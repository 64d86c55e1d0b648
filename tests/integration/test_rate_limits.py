"""Requests and tokens per minute: the sliding-window arithmetic, and stores that count
together (in the process, SQLite, PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cascadeflow.adapters.rate_limit_stores import InMemoryRateLimits, SQLRateLimits
from cascadeflow.application.ports import RateLimitStore
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.rate_limits import Counts, RateLimit, wait_for
from cascadeflow.testing import scratch_schema

T0 = datetime(2026, 12, 7, 8, 0, 0, tzinfo=UTC)
THREE = RateLimit(requests_per_minute=3)


def test_the_previous_minute_weighs_by_the_share_still_inside_the_window() -> None:
    # 10 s into a minute after a full one: 3 * 50/60 = 2.5 still count, so 1 more does not fit
    assert wait_for(THREE, Counts(3), Counts(0), T0 + timedelta(seconds=10), 1, 0) is not None
    # 40 s in: 3 * 20/60 = 1: one fits (1 + 1 <= 3)... and a second one too
    assert wait_for(THREE, Counts(3), Counts(1), T0 + timedelta(seconds=40), 1, 0) is None
    wait, what = wait_for(THREE, Counts(0), Counts(3), T0 + timedelta(seconds=15), 1, 0) or (0, "")
    assert what == "requests" and 45 <= wait <= 65  # next minute, as this one's weight fades
    assert wait_for(RateLimit(tokens_per_minute=100), Counts(), Counts(), T0, 1, 101) == (math.inf, "tokens")
    with pytest.raises(ConfigurationError, match="positive int"):
        RateLimit(requests_per_minute=0)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RateLimitStore]:
    if request.param == "memory":
        yield InMemoryRateLimits()
    elif request.param == "sqlite":
        yield SQLRateLimits(f"sqlite:///{tmp_path}/limits.db")
    else:
        import os

        base = os.environ.get("CASCADEFLOW_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("CASCADEFLOW_TEST_POSTGRES_URL is not set")
        with scratch_schema(base, "cf_rate") as url:
            store = SQLRateLimits(url)
            yield store
            store.close()


def test_a_store_counts_every_scope_only_when_all_fit(store: RateLimitStore) -> None:
    user, key = ("u:ann", THREE), ("k:abc", RateLimit(requests_per_minute=5))
    at = T0 + timedelta(seconds=5)
    assert [store.take([user, key], at, 1, 10) for _ in range(3)] == [None, None, None]
    refused = store.take([user, key], at, 1, 10)
    assert refused is not None and refused[1] == "u:ann" and refused[2] == "requests"
    # the refused request counted nowhere: the key has room for two more alone
    assert store.take([key], at, 1, 10) is None and store.take([key], at, 1, 10) is None
    assert store.take([key], at, 1, 10) is not None
    # two minutes on, the window is empty again
    assert store.take([user], at + timedelta(minutes=2), 1, 10) is None


def test_tokens_known_after_the_answer_count_too(store: RateLimitStore) -> None:
    scope = ("u:bob", RateLimit(tokens_per_minute=1000))
    at = T0 + timedelta(seconds=1)
    assert store.take([scope], at, 1, 100) is None
    store.add_tokens(["u:bob"], at, 850)  # the answer's tokens
    refused = store.take([scope], at, 1, 100)
    assert refused is not None and refused[2] == "tokens"


def test_a_correction_takes_tokens_back_but_never_below_zero(store: RateLimitStore) -> None:
    scope = ("u:cy", RateLimit(tokens_per_minute=1000))
    at = T0 + timedelta(seconds=2)
    assert store.take([scope], at, 1, 900) is None  # a prompt's bound
    assert store.take([scope], at, 1, 900) is not None  # no room left
    store.add_tokens(["u:cy"], at, -800)  # it used 100: the rest goes back
    assert store.take([scope], at, 1, 900) is None
    store.add_tokens(["u:cy"], at, -5000)  # more than was counted: the minute stays at zero
    assert store.take([scope], at, 1, 1000) is None
    assert store.take([scope], at, 1, 1) is not None  # 1,000 counted: none below zero was lent
