"""The standard cascade, built through the composition root with fakes."""

from __future__ import annotations

import pytest

from cascadeflow import AllModelsFailedError, ModelConfig, RetryPolicy
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.bootstrap import bootstrap
from cascadeflow.domain.errors import (
    ProviderAuthError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
    UnknownModelPriceError,
)
from cascadeflow.domain.messages import Message
from cascadeflow.domain.results import Verdict
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, FakeReply

from .conftest import CHEAP, DEAR, MID

QUESTION = (Message("user", "What is the capital of France?"),)


def cascade(fake: FakeProvider, clock: FakeClock | None = None, **kwargs: object) -> RunCascade:
    container = bootstrap(provider=fake, pricing=ConfiguredPricing(), clock=clock or FakeClock(),
                          **kwargs)  # type: ignore[arg-type]
    return container.run_cascade()


def request(*models: ModelConfig) -> CascadeRequest:
    return CascadeRequest(models=models, messages=QUESTION)


async def test_draft_accepted_calls_only_the_cheapest_model() -> None:
    fake = FakeProvider({"small": [FakeReply("Paris.", input_tokens=10, output_tokens=2)]})
    result = await cascade(fake).execute(request(DEAR, CHEAP))  # order given does not matter
    assert result.content == "Paris."
    assert result.model_used == "small"
    assert result.draft_accepted and not result.cascaded and result.validation_passed
    assert fake.calls_to("large") == 0
    assert result.total_cost == pytest.approx(12 * 0.0001 / 1000)
    # cost_saved: what the dearest model would have cost for the same tokens, minus actual
    assert result.cost_saved == pytest.approx(12 * 0.01 / 1000 - 12 * 0.0001 / 1000)
    assert [c.verdict for c in result.calls] == [Verdict.ACCEPTED]


async def test_rejected_draft_escalates_and_every_call_is_priced() -> None:
    fake = FakeProvider({
        "small": [FakeReply("I'm not sure.", input_tokens=10, output_tokens=4)],
        "large": [FakeReply("Paris is the capital.", input_tokens=10, output_tokens=5)],
    })
    result = await cascade(fake).execute(request(CHEAP, DEAR))
    assert result.model_used == "large" and result.content == "Paris is the capital."
    assert result.cascaded and not result.draft_accepted and result.validation_passed
    draft, final = result.calls
    assert draft.verdict is Verdict.REJECTED and draft.reason.startswith("hedging")
    assert final.verdict is Verdict.ACCEPTED
    assert draft.cost == pytest.approx(14 * 0.0001 / 1000)
    assert final.cost == pytest.approx(15 * 0.01 / 1000)
    assert result.total_cost == pytest.approx(draft.cost + final.cost)
    assert result.cost_saved == pytest.approx(-draft.cost)  # escalation made it dearer


async def test_three_models_stop_at_the_first_passing_one() -> None:
    fake = FakeProvider({"small": [""], "medium": ["Paris."], "large": ["Paris!"]})
    result = await cascade(fake).execute(request(CHEAP, MID, DEAR))
    assert result.models_called == ("small", "medium")
    assert result.model_used == "medium" and not result.draft_accepted


async def test_all_rejected_returns_the_last_answer_flagged() -> None:
    fake = FakeProvider({"small": ["I don't know."], "large": ["I'm not sure, maybe Paris."]})
    result = await cascade(fake).execute(request(CHEAP, DEAR))
    assert result.content == "I'm not sure, maybe Paris."
    assert result.model_used == "large"
    assert not result.validation_passed
    assert [c.verdict for c in result.calls] == [Verdict.REJECTED, Verdict.REJECTED]


async def test_rate_limit_is_retried_with_backoff_then_succeeds() -> None:
    clock = FakeClock()
    fake = FakeProvider({"small": [RateLimitedError("small", "429"), ProviderTimeoutError("small", "slow"),
                                   "Paris."]})
    result = await cascade(fake, clock, retry_policy=RetryPolicy(max_attempts=3, base_delay=1.0,
                                                                   multiplier=2.0)).execute(request(CHEAP, DEAR))
    assert result.model_used == "small" and result.calls[0].attempts == 3
    assert clock.sleeps == [1.0, 2.0]
    assert fake.calls_to("large") == 0


async def test_retries_exhausted_fall_back_to_the_next_model() -> None:
    clock = FakeClock()
    fake = FakeProvider({"small": [RateLimitedError("small", "429")], "large": ["Paris."]})
    result = await cascade(fake, clock, retry_policy=RetryPolicy(max_attempts=2)).execute(request(CHEAP, DEAR))
    assert fake.calls_to("small") == 2
    assert result.model_used == "large" and result.validation_passed
    assert result.calls[0].verdict is Verdict.FAILED and result.calls[0].attempts == 2
    assert "RateLimitedError" in result.calls[0].reason


async def test_provider_failure_falls_back_without_retrying() -> None:
    clock = FakeClock()
    fake = FakeProvider({"small": [ProviderUnavailableError("small", "HTTP 500")], "large": ["Paris."]})
    result = await cascade(fake, clock).execute(request(CHEAP, DEAR))
    assert fake.calls_to("small") == 1 and clock.sleeps == []
    assert result.model_used == "large"
    assert result.calls[0].cost == 0.0 and result.total_cost == result.calls[1].cost


async def test_verifier_failure_returns_the_rejected_draft_flagged() -> None:
    fake = FakeProvider({"small": ["I'm not sure."], "large": [ProviderAuthError("large", "no key")]})
    result = await cascade(fake).execute(request(CHEAP, DEAR))
    assert result.model_used == "small" and not result.validation_passed
    assert [c.verdict for c in result.calls] == [Verdict.REJECTED, Verdict.FAILED]


async def test_every_model_failing_raises_one_error_listing_each() -> None:
    fake = FakeProvider({
        "small": [ProviderUnavailableError("small", "HTTP 503 overloaded")],
        "large": [ProviderAuthError("large", "set OPENAI_API_KEY")],
    })
    with pytest.raises(AllModelsFailedError) as caught:
        await cascade(fake).execute(request(CHEAP, DEAR))
    assert [type(f) for f in caught.value.failures] == [ProviderUnavailableError, ProviderAuthError]
    assert "HTTP 503 overloaded" in str(caught.value) and "set OPENAI_API_KEY" in str(caught.value)


async def test_cost_recorded_by_the_source_wins_over_the_price() -> None:
    fake = FakeProvider({"small": [FakeReply("Paris.", cost_usd=0.5)]})
    result = await cascade(fake).execute(request(CHEAP, DEAR))
    assert result.total_cost == 0.5


async def test_unpriced_model_is_a_clear_error_before_any_call() -> None:
    fake = FakeProvider(default="Paris.")
    with pytest.raises(UnknownModelPriceError, match="set cost="):
        await cascade(fake).execute(request(CHEAP, ModelConfig(name="mystery")))
    assert fake.requests == []


async def test_logprobs_are_requested_only_from_models_that_support_them() -> None:
    scorer = ModelConfig(name="small", provider="openai", cost=0.0001, supports_logprobs=True)
    fake = FakeProvider({"small": [FakeReply("Lyon.", logprobs=(-3.0, -2.5))], "large": ["Paris."]})
    result = await cascade(fake).execute(request(scorer, DEAR))
    assert [r.logprobs for r in fake.requests] == [True, False]
    assert result.calls[0].verdict is Verdict.REJECTED and "low confidence" in result.calls[0].reason
    assert result.model_used == "large"


async def test_latency_comes_from_the_clock() -> None:
    class SlowFake(FakeProvider):
        def __init__(self, clock: FakeClock) -> None:
            super().__init__(default="Paris.")
            self.clock = clock

        async def complete(self, req):  # type: ignore[no-untyped-def]
            self.clock.advance(0.25)
            return await super().complete(req)

    clock = FakeClock()
    result = await cascade(SlowFake(clock), clock).execute(request(CHEAP))
    assert result.latency_ms == pytest.approx(250.0)
