"""In-process fakes of the ports, for our tests and our users' tests."""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cascadeflow.application.ports import Clock, CompletionProvider, IdGenerator
from cascadeflow.domain.errors import ConfigurationError, ProviderError
from cascadeflow.domain.messages import Completion, CompletionRequest, StreamEvent, ToolCall


@dataclass(frozen=True, slots=True)
class FakeReply:
    """A scripted answer. Tokens default to a word count of the text and the query."""

    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str = "stop"
    logprobs: tuple[float, ...] | None = None
    cost_usd: float | None = None
    tool_calls: tuple[ToolCall, ...] = ()  # functions the model asks for
    refusal: str | None = None


Scripted = FakeReply | ProviderError | str


class FakeProvider(CompletionProvider):
    """Answers from a script per model name, with zero latency.

    ``FakeProvider({"small": ["draft", RateLimitedError("small", "slow down"), ...]})``:
    each call to a model takes the next item of its script; a string or FakeReply is
    answered, a ProviderError is raised. When a script runs dry its last item repeats.
    ``default`` answers models that have no script. ``requests`` records every call.
    """

    def __init__(
        self,
        scripts: dict[str, Iterable[Scripted]] | None = None,
        default: Scripted | None = None,
    ) -> None:
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._last: dict[str, Scripted] = {}
        for model, items in (scripts or {}).items():
            self.script(model, *items)
        self._default = default
        self.requests: list[CompletionRequest] = []

    def script(self, model: str, *items: Scripted) -> None:
        self._scripts[model].extend(items)

    def calls_to(self, model: str) -> int:
        return sum(1 for r in self.requests if r.model.name == model)

    def _next(self, model: str) -> Scripted:
        queue = self._scripts.get(model)
        if queue:
            self._last[model] = queue.popleft()
            return self._last[model]
        if model in self._last:
            return self._last[model]
        if self._default is not None:
            return self._default
        raise ConfigurationError(f"FakeProvider has no scripted answer for model {model!r}")

    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        item = self._next(request.model.name)
        if isinstance(item, ProviderError):
            raise item
        reply = FakeReply(item) if isinstance(item, str) else item
        query_words = sum(len(m.text.split()) for m in request.messages)
        return Completion(
            text=reply.text,
            model=request.model.name,
            input_tokens=query_words if reply.input_tokens is None else reply.input_tokens,
            output_tokens=len(reply.text.split())
            if reply.output_tokens is None
            else reply.output_tokens,
            finish_reason=reply.finish_reason,
            logprobs=reply.logprobs,
            cost_usd=reply.cost_usd,
            tool_calls=reply.tool_calls,
            refusal=reply.refusal,
        )

    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        completion = await self.complete(request)
        for index, word in enumerate(completion.text.split(" ")):
            yield StreamEvent(delta=word if index == 0 else " " + word)
        yield StreamEvent(completion=completion)


class FakeClock(Clock):
    """Time that moves only when slept on or advanced; sleeps are recorded, not waited."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._mono = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)


class SequentialIds(IdGenerator):
    def __init__(self, prefix: str = "id") -> None:
        self._counter = itertools.count(1)
        self._prefix = prefix

    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"
