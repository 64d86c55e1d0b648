"""Recorded answers of several models to the same queries (simulation and replay)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from cascadeflow.domain.messages import Message, conversation_key as conversation_key


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    logprobs: tuple[float, ...] | None = None
    finish_reason: str = "stop"
    confidence: float | None = None  # the model's own confidence in its answer, in [0, 1]
    correct: bool | None = None
    score: float | None = None
    # further samples of the same model for the same query (texts), served in turn when
    # the model is asked again (OnlineSettings.draft_samples); each costs what the answer does
    samples: tuple[str, ...] = ()

    @property
    def quality(self) -> float | None:
        """Ground truth as one number: 1/0 for correct, else the judge score."""
        if self.correct is not None:
            return 1.0 if self.correct else 0.0
        return self.score


@dataclass(frozen=True, slots=True)
class TraceRecord:
    id: str
    messages: tuple[Message, ...]
    responses: Mapping[str, RecordedResponse]
    domain: str | None = None


def approximate_tokens(text: str) -> int:
    """About four characters a token: used only when a trace records no token counts."""
    return max(1, round(len(text) / 4)) if text else 0


def recorded_tokens(record: TraceRecord, response: RecordedResponse) -> tuple[int, int]:
    """(input, output) tokens of a recorded answer, approximated where the trace has none."""
    prompt = " ".join(m.text for m in record.messages)
    return (
        response.input_tokens if response.input_tokens is not None else approximate_tokens(prompt),
        response.output_tokens if response.output_tokens is not None else approximate_tokens(response.text),
    )


def recorded_price_per_1k(records: Iterable[TraceRecord], model: str) -> float | None:
    """Mean USD per 1K tokens a trace recorded for a model (tokens approximated where
    only the cost was recorded), or None if it recorded no cost for it.

    Recorded costs are used as they are; this price orders the models and prices only
    the answers that carry tokens without a cost.
    """
    cost = 0.0
    tokens = 0
    for record in records:
        response = record.responses.get(model)
        if response is None or response.cost_usd is None:
            continue
        cost += response.cost_usd
        tokens += sum(recorded_tokens(record, response))
    return cost / tokens * 1000.0 if tokens else None


def models_in(records: Iterable[TraceRecord]) -> list[str]:
    """Every model name that answers somewhere in the trace, most frequent first."""
    counts: dict[str, int] = {}
    for record in records:
        for name in record.responses:
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda name: (-counts[name], name))


def without_labels(records: Iterable[TraceRecord]) -> list[TraceRecord]:
    """The same records with every ``correct`` and ``score`` removed: what a replay that
    must not learn from labels is allowed to see."""
    return [
        replace(record, responses={name: replace(r, correct=None, score=None)
                                   for name, r in record.responses.items()})
        for record in records
    ]
