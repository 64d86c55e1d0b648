"""Models priced per output token only, and replies that use exactly max_tokens, so every
call's reservation and real cost are known to the cent."""

from __future__ import annotations

from cascadeflow import ModelConfig
from cascadeflow.testing import FakeReply

MAX = 100
SMALL = ModelConfig(name="small", provider="groq", input_cost_per_token=0.0,
                    output_cost_per_token=0.0001, max_tokens=MAX)  # $0.01 per call
LARGE = ModelConfig(name="large", provider="openai", input_cost_per_token=0.0,
                    output_cost_per_token=0.001, max_tokens=MAX)  # $0.10 per call


def reply(text: str = "A fine answer.") -> FakeReply:
    return FakeReply(text, input_tokens=5, output_tokens=MAX)
