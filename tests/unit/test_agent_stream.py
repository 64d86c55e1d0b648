"""CascadeAgent.stream: drafts are checked before anything is shown; the answering
model's text flows live once the cascade reaches its last model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from cascadeflow import BudgetConfig, CascadeAgent, CostTracker, ModelConfig
from cascadeflow.domain.errors import BudgetExceededError, ProviderUnavailableError, StreamInterruptedError
from cascadeflow.domain.messages import CompletionRequest, StreamEvent
from cascadeflow.domain.results import CascadeEvent
from cascadeflow.testing import FakeProvider, InMemoryUsageStore

SMALL, LARGE = ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)


async def collect(events: AsyncIterator[CascadeEvent]) -> list[CascadeEvent]:
    return [event async for event in events]


async def test_a_single_model_streams_word_by_word_then_the_result() -> None:
    fake = FakeProvider({"small": ["Paris is the capital of France."]})
    events = await collect(CascadeAgent([SMALL], provider=fake).stream("Capital of France?"))
    *deltas, last = events
    assert len(deltas) == 6 and {e.model for e in deltas} == {"small"}
    assert "".join(e.delta for e in deltas) == "Paris is the capital of France."
    assert last.result is not None and last.result.content == "Paris is the capital of France."


async def test_a_rejected_draft_is_never_shown() -> None:
    fake = FakeProvider({"small": ["I'm not sure."], "large": ["Paris is the capital of France."]})
    agent = CascadeAgent([SMALL, LARGE], provider=fake, quality_validation_mode="fast")
    *deltas, last = await collect(agent.stream("Capital of France?"))
    assert {e.model for e in deltas} == {"large"} and "not sure" not in "".join(e.delta for e in deltas)
    assert last.result is not None and last.result.model_used == "large" and last.result.cascaded


async def test_an_accepted_draft_is_shown_whole_once_accepted() -> None:
    fake = FakeProvider({"small": ["Paris is the capital of France."]})
    agent = CascadeAgent([SMALL, LARGE], provider=fake, quality_validation_mode="fast")
    events = await collect(agent.stream("Capital of France?"))
    assert [(e.model, e.delta) for e in events[:-1]] == [("small", "Paris is the capital of France.")]
    assert fake.calls_to("large") == 0


class Gated(FakeProvider):
    """Streams its first word, then waits until the test lets it go on."""

    def __init__(self) -> None:
        super().__init__({"small": ["Paris is the capital."]})
        self.go_on = asyncio.Event()

    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        completion = await self.complete(request)
        yield StreamEvent(delta="Paris")
        await self.go_on.wait()
        yield StreamEvent(delta=" is the capital.")
        yield StreamEvent(completion=completion)


async def test_text_arrives_while_the_model_is_still_writing() -> None:
    provider = Gated()
    events = CascadeAgent([SMALL], provider=provider).stream("Capital of France?")
    first = await asyncio.wait_for(anext(events), timeout=5)
    assert first.delta == "Paris" and not provider.go_on.is_set()
    provider.go_on.set()
    rest = await collect(events)
    assert rest[-1].result is not None and rest[-1].result.content == "Paris is the capital."


class BreaksOff(FakeProvider):
    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        yield StreamEvent(delta="Paris")
        raise ProviderUnavailableError(request.model.name, "connection reset")


async def test_a_stream_broken_off_after_text_was_shown_is_not_retried() -> None:
    provider = BreaksOff()
    with pytest.raises(StreamInterruptedError, match="connection reset"):
        await collect(CascadeAgent([SMALL], provider=provider).stream("Capital of France?"))
    assert len(provider.requests) == 1


async def test_a_budget_block_is_raised_from_the_iteration_and_nothing_runs() -> None:
    store = InMemoryUsageStore()
    tracker = CostTracker(store=store, default_budget=BudgetConfig(daily=0.0))
    fake = FakeProvider({"small": ["Paris."]})
    agent = CascadeAgent([SMALL], provider=fake, cost_tracker=tracker)
    with pytest.raises(BudgetExceededError):
        await collect(agent.stream("Capital of France?", user_id="ann"))
    assert fake.requests == []


async def test_stopping_early_cancels_the_run_and_charges_the_calls_worst_case() -> None:
    provider = Gated()
    store = InMemoryUsageStore()
    tracker = CostTracker(store=store, default_budget=BudgetConfig(daily=1.0))
    events = CascadeAgent([SMALL], provider=provider, cost_tracker=tracker).stream("Capital?", user_id="ann")
    await anext(events)
    await events.aclose()  # the caller went away mid-answer: the provider bills what it wrote
    now = datetime.now(UTC)
    assert store.reserved("ann", now) == 0.0
    assert store.count("ann") == 1 and store.spent("ann", None) > 0  # its worst case, not nothing
