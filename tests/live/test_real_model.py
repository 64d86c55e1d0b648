"""Against a real model on loopback (SmolLM2-135M through llama.cpp's OpenAI-compatible
server, see smollm.py), through LiteLLM: live streaming, real logprobs feeding the
confidence signal, and escalation to a second model. Nothing downloads."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.quality import QualityConfig
from tests.integration.openai_server import OpenAIServer, Reply

from .smollm import ALIAS, available, smollm_server

pytestmark = pytest.mark.skipif(available() is not None, reason=available() or "")


@pytest.fixture(scope="module")
def smollm() -> Iterator[str]:
    with smollm_server() as url:
        yield url


def drafter(url: str) -> ModelConfig:
    return ModelConfig(name=ALIAS, provider="openai", api_base=url, api_key="none", cost=0.0,
                       supports_logprobs=True)


async def test_real_tokens_stream_live(smollm: str) -> None:
    agent = CascadeAgent([drafter(smollm)], quality_validation_mode="fast")
    deltas, result = [], None
    async for event in agent.stream("Name three colours, one word each.", max_tokens=200, temperature=0.0):
        if event.result is not None:
            result = event.result
        else:
            deltas.append(event.delta)
    assert result is not None and len(deltas) >= 5  # token by token, not one block
    assert "".join(deltas) == result.content and result.calls[0].output_tokens > 0
    score = result.calls[0].score  # the streamed answer's logprobs gave its confidence
    assert score is not None and 0.0 < score < 1.0


async def test_real_logprobs_feed_the_confidence_signal(smollm: str) -> None:
    agent = CascadeAgent([drafter(smollm)], quality_validation_mode="fast")
    result = await agent.run("In one word: what is the capital of France?", max_tokens=200,
                             temperature=0.0, logprobs=True)
    logprobs = [t["logprob"] for t in result.token_logprobs or ()]
    assert logprobs and all(lp <= 0 for lp in logprobs) and result.finish_reason == "stop"
    # the validator's score is the answer's confidence: the tokens' geometric-mean probability
    assert result.quality_score == pytest.approx(math.exp(sum(logprobs) / len(logprobs)))


async def test_a_low_confidence_real_draft_escalates_to_the_second_model(smollm: str) -> None:
    verifier = OpenAIServer().start()
    try:
        verifier.script("verifier", Reply("Paris is the capital of France."))
        strict = QualityConfig(min_confidence=0.999)  # no 135M-parameter model is this sure
        agent = CascadeAgent([drafter(smollm), ModelConfig(name="verifier", provider="openai",
                                                           api_base=verifier.base_url, api_key="sk", cost=0.01)],
                             quality_config=strict)
        result = await agent.run("In one word: what is the capital of France?", max_tokens=200,
                                 temperature=0.0)
    finally:
        verifier.stop()
    assert result.model_used == "verifier" and result.content == "Paris is the capital of France."
    draft = result.calls[0]
    assert draft.model == ALIAS and draft.reason.startswith("low confidence") and draft.output_tokens > 0


async def test_a_real_tool_call_is_checked_and_accepted(smollm: str) -> None:
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    agent = CascadeAgent([drafter(smollm)], quality_validation_mode="fast")
    result = await agent.run("What is the weather in Paris?", max_tokens=60, temperature=0.0, tools=[weather],
                             tool_choice={"type": "function", "function": {"name": "get_weather"}})
    (call,) = result.tool_calls
    assert call.name == "get_weather" and "city" in json.loads(call.arguments)
    assert result.finish_reason == "tool_calls" and result.calls[0].verdict.value == "accepted"
