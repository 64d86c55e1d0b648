"""What goes to a model and what comes back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig

Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigurationError(
                f"Message role must be one of {', '.join(ROLES)}, got {self.role!r}"
            )
        if not isinstance(self.content, str):
            raise ConfigurationError(f"Message content must be a string, got {self.content!r}")


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    model: ModelConfig
    messages: tuple[Message, ...]
    max_tokens: int
    temperature: float = 0.7
    logprobs: bool = False


@dataclass(frozen=True, slots=True)
class Completion:
    """One model answer. ``cost_usd`` is set only when the source already knows it
    (a recorded trace); otherwise the cascade prices the tokens."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    finish_reason: str = "stop"
    latency_ms: float = 0.0
    logprobs: tuple[float, ...] | None = None
    cost_usd: float | None = None
    reported_confidence: float | None = None  # a confidence the source gave (a trace), in [0, 1]

    @property
    def confidence(self) -> float | None:
        """The reported confidence, else the geometric-mean token probability from
        logprobs when the provider gave them."""
        if self.reported_confidence is not None:
            return self.reported_confidence
        if not self.logprobs:
            return None
        return math.exp(sum(self.logprobs) / len(self.logprobs))


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """A streamed text delta; the last event carries the whole Completion."""

    delta: str = ""
    completion: Completion | None = None


def conversation_key(messages: tuple[Message, ...]) -> str:
    """A stable key for a conversation: to look it up in a trace, or to draw its
    random choices from."""
    return "\x1e".join(f"{m.role}\x1f{m.content.strip()}" for m in messages)
