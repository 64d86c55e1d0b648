"""Serve recorded answers from a trace to the unchanged cascade engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from cascadeflow.application.ports import CompletionProvider
from cascadeflow.domain.errors import ReplayMissError
from cascadeflow.domain.messages import Completion, CompletionRequest, StreamEvent
from cascadeflow.domain.trace import TraceRecord, conversation_key, recorded_tokens


class ReplayProvider(CompletionProvider):
    """Answers a request with the response the trace recorded for that model and query."""

    def __init__(self, records: Iterable[TraceRecord]) -> None:
        self._records = {conversation_key(r.messages): r for r in records}

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
        return Completion(
            text=response.text,
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
