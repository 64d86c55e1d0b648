"""What a cascade run reports: the answer, and every model call it took to get there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cascadeflow.domain.messages import ToolCall


class Verdict(str, Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ModelCall:
    """One model call of a cascade: its price, tokens, time and the validator's verdict.

    ``verdict`` is FAILED when the provider raised (``error`` says what); ``attempts``
    counts retries of that call.
    """

    model: str
    provider: str
    cost: float
    input_tokens: int
    output_tokens: int
    latency_ms: float
    verdict: Verdict
    reason: str
    score: float | None = None
    attempts: int = 1
    error: str | None = None


@dataclass(frozen=True, slots=True)
class StepVerdict:
    """How one step of a domain strategy went: the model whose answer decided it, the
    validator's verdict and reason, and how many model calls the step made (retries
    and fallback included, judge calls not)."""

    step: int
    description: str
    model: str
    passed: bool
    score: float | None
    reason: str
    attempts: int
    validator: str | None = None


@dataclass(frozen=True, slots=True)
class CascadeResult:
    """The outcome of one cascade run.

    ``cost_saved`` is what the most expensive model would have cost for the same tokens
    minus ``total_cost`` (negative when escalation made the run dearer). When no answer
    was accepted, the strongest one that broke no rule is returned (a draft the online
    plan held back: ``draft_accepted`` False), else the last answer obtained with
    ``validation_passed`` False. A domain strategy run also reports ``strategy_used``, ``steps_executed`` and
    every step's verdict in ``steps``; tier routing reports ``user_tier`` and the query's
    ``complexity``.
    """

    content: str
    model_used: str
    total_cost: float
    cost_saved: float
    latency_ms: float
    draft_accepted: bool
    cascaded: bool
    quality_score: float | None
    validation_passed: bool
    calls: tuple[ModelCall, ...]
    domain: str | None = None
    user_id: str | None = None
    finish_reason: str = "stop"
    budget_action: str | None = None
    budget_message: str | None = None
    # the user's own limit with the least left after this request: where the user stood
    # at its budget decision, minus its cost (None without a budget of the user's own)
    budget_window: str | None = None
    budget_remaining: float | None = None
    strategy_used: str | None = None
    steps_executed: int = 0
    steps: tuple[StepVerdict, ...] = ()
    user_tier: str | None = None
    complexity: str | None = None
    # the answer's function calls (``content`` is then often empty), a provider's refusal,
    # and its per-token logprob objects when the caller asked for them
    tool_calls: tuple[ToolCall, ...] = ()
    refusal: str | None = None
    token_logprobs: tuple[Mapping[str, Any], ...] | None = None

    @property
    def input_tokens(self) -> int:
        return sum(c.input_tokens for c in self.calls)

    @property
    def output_tokens(self) -> int:
        return sum(c.output_tokens for c in self.calls)

    @property
    def models_called(self) -> tuple[str, ...]:
        return tuple(c.model for c in self.calls)

    @property
    def text(self) -> str:
        """The answer's text, as the plan's code reads it (``content`` by another name)."""
        return self.content


@dataclass(frozen=True, slots=True)
class CascadeEvent:
    """One event of ``CascadeAgent.stream``: a piece of the answer's text (``delta``,
    written by ``model``) as it arrives, then a last event carrying the whole ``result``
    (its tool calls, costs and every call's verdict). A rejected draft is never shown."""

    delta: str = ""
    model: str | None = None
    result: CascadeResult | None = None
