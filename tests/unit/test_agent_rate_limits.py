"""Rate limits in the Python API: CascadeAgent(rate_limits=...) refuses a user's request
over its requests or tokens per minute before any call, and agents sharing a tracker's
database count together."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cascadeflow import CascadeAgent, ConfigurationError, CostTracker, ModelConfig, RateLimit, RateLimitExceededError
from cascadeflow.testing import FakeClock, FakeProvider

MODELS = [ModelConfig(name="small", cost=0.0001)]


def agent(fake: FakeProvider, clock: FakeClock, limits: object, tracker: CostTracker | None = None) -> CascadeAgent:
    return CascadeAgent(MODELS, provider=fake, clock=clock, cost_tracker=tracker,
                        quality_validation_mode="fast", rate_limits=limits)  # type: ignore[arg-type]


async def test_requests_per_minute_per_user_refused_before_any_call() -> None:
    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    limited = agent(fake, clock, RateLimit(requests_per_minute=2))
    for _ in range(2):
        await limited.run("hi", user_id="ann")
    with pytest.raises(RateLimitExceededError, match="user 'ann' is over its requests per minute") as refused:
        await limited.run("hi", user_id="ann")
    wait = refused.value.retry_after
    assert 0 < wait <= 120  # a sliding minute: the last minute's count fades out
    assert len(fake.requests) == 2  # the refused request reached no model
    await limited.run("hi", user_id="bob")  # each user has a counter of their own
    clock.advance(wait)
    await limited.run("hi", user_id="ann")  # after the wait it says, it fits again


async def test_a_mapping_gives_users_their_own_limits_and_star_the_rest() -> None:
    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    limited = agent(fake, clock, {"vip": RateLimit(requests_per_minute=3), "*": RateLimit(requests_per_minute=1)})
    for _ in range(3):
        await limited.run("hi", user_id="vip")
    await limited.run("hi", user_id="someone")
    with pytest.raises(RateLimitExceededError):
        await limited.run("hi", user_id="someone")
    with pytest.raises(RateLimitExceededError):
        await limited.run("hi")  # runs without a user share the anonymous counter
        await limited.run("hi")


async def test_tokens_per_minute_count_prompts_then_answers() -> None:
    fake, clock = FakeProvider({"small": ["word " * 390]}), FakeClock()
    limited = agent(fake, clock, RateLimit(tokens_per_minute=400))
    result = await limited.run("a short question", user_id="ann")
    assert result.output_tokens >= 390
    with pytest.raises(RateLimitExceededError, match="tokens per minute"):
        await limited.run("another short question", user_id="ann")
    with pytest.raises(RateLimitExceededError) as too_big:
        await limited.run("long " * 2000, user_id="bob")  # over the limit on its own: never fits
    assert too_big.value.retry_after == math.inf


async def test_agents_sharing_a_tracker_database_count_together(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'usage.db'}"
    clock = FakeClock()
    limit = RateLimit(requests_per_minute=3)
    first = agent(FakeProvider({"small": ["ok"]}), clock, limit, CostTracker(store=url, clock=clock))
    second = agent(FakeProvider({"small": ["ok"]}), clock, limit, CostTracker(store=url, clock=clock))
    await first.run("hi", user_id="ann")
    await second.run("hi", user_id="ann")
    await first.run("hi", user_id="ann")
    with pytest.raises(RateLimitExceededError):
        await second.run("hi", user_id="ann")


@pytest.mark.parametrize("bad", [{"ann": 5}, 10, {"ann": {"requests_per_minute": 1}}])
def test_bad_limits_are_refused_clearly(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="rate_limits"):
        agent(FakeProvider({"small": ["ok"]}), FakeClock(), bad)


async def test_tokens_are_corrected_from_the_prompts_bound_to_what_the_calls_used() -> None:
    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    limited = agent(fake, clock, RateLimit(tokens_per_minute=2000))
    question = "word " * 300  # a bound of ~1,530 (its bytes); the fake bills 300 tokens
    await limited.run(question, user_id="ann")
    # counted at its real 301 tokens, not its bound: a second one fits (301 + ~1,530 <= 2,000)
    await limited.run(question, user_id="ann")
    with pytest.raises(RateLimitExceededError, match="tokens per minute"):
        await limited.run(question, user_id="ann")  # 602 + ~1,530 > 2,000


async def test_a_request_refused_by_its_budget_counts_as_a_request_but_gives_its_tokens_back() -> None:
    from cascadeflow import BudgetConfig, BudgetExceededError

    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    tracker = CostTracker(user_budgets={"ann": BudgetConfig(daily=1e-9)}, store="memory", clock=clock)
    limited = agent(fake, clock, RateLimit(requests_per_minute=2, tokens_per_minute=100), tracker)
    for _ in range(2):
        with pytest.raises(BudgetExceededError):
            await limited.run("hello there", user_id="ann")  # ~50 tokens each, given back
    with pytest.raises(RateLimitExceededError, match="requests per minute"):
        await limited.run("hello there", user_id="ann")
    assert not fake.requests


async def test_runs_without_a_user_share_one_counter_of_their_own() -> None:
    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    limited = agent(fake, clock, RateLimit(requests_per_minute=1))
    await limited.run("hi")
    await limited.run("hi", user_id="anonymous")  # a user of that name is not the anonymous runs
    with pytest.raises(RateLimitExceededError, match="runs without a user"):
        await limited.run("hi", user_id="")


async def test_streamed_runs_are_limited_too() -> None:
    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    limited = agent(fake, clock, RateLimit(requests_per_minute=1))
    assert [e async for e in limited.stream("hi", user_id="ann")][-1].result is not None
    with pytest.raises(RateLimitExceededError):
        async for _ in limited.stream("hi", user_id="ann"):
            pass


async def test_a_store_failing_after_the_answer_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    from cascadeflow.application.rate_limiting import RateLimiter
    from cascadeflow.adapters.memory_rate_limits import InMemoryRateLimits

    class Broken(InMemoryRateLimits):
        def add_tokens(self, scopes: object, at: object, tokens: int) -> None:
            raise OSError("database is locked")

    limiter = RateLimiter(Broken(), FakeClock(), in_thread=False)
    admitted = await limiter.admit([("u:ann", RateLimit(tokens_per_minute=1000))], 100)
    await limiter.settle(admitted, 10)
    assert "could not correct the rate-limit token count" in caplog.text


async def test_a_request_the_guardrails_block_counts_as_a_request_as_at_the_gateway() -> None:
    from cascadeflow import GuardrailBlockedError, Guardrails, deny_list

    fake, clock = FakeProvider({"small": ["ok"]}), FakeClock()
    limited = CascadeAgent(MODELS, provider=fake, clock=clock, quality_validation_mode="fast",
                           rate_limits=RateLimit(requests_per_minute=1),
                           guardrails=Guardrails(input=[deny_list(["drop table"])]))
    with pytest.raises(GuardrailBlockedError):
        await limited.run("DROP TABLE users", user_id="mallory")
    with pytest.raises(RateLimitExceededError):
        await limited.run("hello", user_id="mallory")
    assert not fake.requests
