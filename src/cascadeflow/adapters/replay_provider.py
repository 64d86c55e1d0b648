"""Serve recorded answers from a trace to the unchanged cascade engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from cascadeflow.application.ports import CompletionProvider
from cascadeflow.domain.errors import ReplayMissError
from cascadeflow.domain.messages import Completion, CompletionRequest, StreamEvent
from cascadeflow.domain.trace import TraceRecord, conversation_key, recorded_tokens


class ReplayProvider(CompletionProvider):
    """Answers a request with the response the trace recorded for that model and query;
    with ``samples=True``, asked again for the same query, a model answers with its
    recorded ``samples`` in turn."""

    def __init__(self, records: Iterable[TraceRecord], *, samples: bool = False) -> None:
        self._records = {conversation_key(r.messages): r for r in records}
        # with ``samples``, a model asked again for a query answers with its recorded
        # samples, then its answer again, in turn (a second ask is a second sample);
        # without, always with its answer (baselines and plain replays ask a model
        # once per plan, sharing one provider)
        self._samples = samples
        self._asked: dict[tuple[str, str], int] = {}  # (record, model): times asked so far

    async def complete(self, request: CompletionRequest) -> Completion:
        record = self._records.get(conversation_key(request.messages))
        name = request.model.name
        if record is None:
            raise ReplayMissError(name, "the trace has no record of this query")
        response = record.responses.get(name)
        if response is None:
            known = ", ".join(sorted(record.responses))
            raise ReplayMissError(name, f"record {record.id!r} has answers only from {known}")
        input_tokens, output_tokens = recorded_tokens(record, response)
        text = response.text
        if self._samples and response.samples:
            asked = self._asked.get((record.id, name), 0)
            self._asked[(record.id, name)] = asked + 1
            turn = asked % (1 + len(response.samples))
            if turn:
                text = response.samples[turn - 1]
        return Completion(
            text=text,
            model=name,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            finish_reason=response.finish_reason,
            logprobs=response.logprobs,
            reported_confidence=response.confidence,
            cost_usd=response.cost_usd,
        )

    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        completion = await self.complete(request)
        yield StreamEvent(delta=completion.text)
        yield StreamEvent(completion=completion)
