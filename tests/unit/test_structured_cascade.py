"""Tool calls and structured answers in the cascade: a draft is accepted only when it
gives what the caller asked for; otherwise the cascade escalates and says why."""

from __future__ import annotations

import json

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.messages import ToolCall
from cascadeflow.domain.results import Verdict
from cascadeflow.testing import FakeProvider, FakeReply

from .test_chat_model import WEATHER

MODELS = [ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)]
PARIS = ToolCall("call_1", "get_weather", '{"city": "Paris"}')
PERSON = {"type": "json_schema", "json_schema": {"name": "person", "schema": {
    "type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"], "additionalProperties": False}}}


def agent(fake: FakeProvider) -> CascadeAgent:
    return CascadeAgent(MODELS, provider=fake, quality_validation_mode="fast")


def tool_reply(*calls: ToolCall) -> FakeReply:
    return FakeReply("", tool_calls=calls, finish_reason="tool_calls")


async def test_a_valid_tool_call_draft_is_accepted_and_returned() -> None:
    fake = FakeProvider({"small": [tool_reply(PARIS)], "large": [tool_reply(PARIS)]})
    result = await agent(fake).run("Weather in Paris?", tools=[WEATHER], tool_choice="auto")
    assert result.model_used == "small" and result.tool_calls == (PARIS,)
    assert result.finish_reason == "tool_calls" and result.calls[0].verdict is Verdict.ACCEPTED
    sent = fake.requests[0].options
    assert sent.tools == (WEATHER,) and sent.tool_choice == "auto"


@pytest.mark.parametrize("draft, reason", [
    (tool_reply(ToolCall("c", "send_mail", "{}")), "'send_mail', which is not among the tools"),
    (tool_reply(ToolCall("c", "get_weather", '{"city": ')), "are not JSON"),
    (tool_reply(ToolCall("c", "get_weather", '{"town": "Paris"}')), "do not follow its schema"),
    (tool_reply(ToolCall("c", "get_weather", '["Paris"]')), "not a JSON object"),
])
async def test_a_broken_tool_call_draft_escalates_with_the_reason(draft: FakeReply, reason: str) -> None:
    fake = FakeProvider({"small": [draft], "large": [tool_reply(PARIS)]})
    result = await agent(fake).run("Weather in Paris?", tools=[WEATHER])
    assert result.model_used == "large" and result.tool_calls == (PARIS,)
    assert result.calls[0].verdict is Verdict.REJECTED and reason in result.calls[0].reason


async def test_tool_choice_is_honoured() -> None:
    fake = FakeProvider({"small": ["It is sunny in Paris today."], "large": [tool_reply(PARIS)]})
    result = await agent(fake).run("Weather in Paris?", tools=[WEATHER], tool_choice="required")
    assert result.model_used == "large"
    assert "tool_choice is 'required'" in result.calls[0].reason

    fake = FakeProvider({"small": [tool_reply(PARIS)], "large": ["Sunny, 18 C in Paris today."]})
    result = await agent(fake).run("Weather in Paris?", tools=[WEATHER], tool_choice="none")
    assert result.model_used == "large" and "tool_choice is 'none'" in result.calls[0].reason


async def test_a_json_schema_answer_must_parse_and_follow_the_schema() -> None:
    good = json.dumps({"name": "Ada", "age": 36})
    for draft, reason in [("Ada, 36 years old", "is not JSON"),
                          ('{"name": "Ada"}', "'age' is a required property"),
                          (f"```json\n{good}\n```", "is not JSON")]:
        fake = FakeProvider({"small": [draft], "large": [good]})
        result = await agent(fake).run("Who wrote the first program?", response_format=PERSON)
        assert result.model_used == "large" and json.loads(result.content) == {"name": "Ada", "age": 36}
        assert reason in result.calls[0].reason
    fake = FakeProvider({"small": [good]})
    result = await agent(fake).run("Who wrote the first program?", response_format=PERSON)
    assert result.model_used == "small" and result.draft_accepted


async def test_an_invalid_schema_is_refused_before_any_call() -> None:
    fake = FakeProvider({"small": ["{}"]})
    bad = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "nonsense"}}}
    with pytest.raises(ConfigurationError, match="response_format.json_schema.schema is not a valid JSON Schema"):
        await agent(fake).run("hi", response_format=bad)
    assert fake.requests == []


async def test_sampling_fields_reach_the_provider_and_temperature_defaults_to_the_providers() -> None:
    fake = FakeProvider({"small": ["Paris is the capital of France."]})
    await agent(fake).run("Capital of France?", stop=["\n\n"], seed=3, top_p=0.9,
                          frequency_penalty=0.5, user="end-user-7")
    sent = fake.requests[0]
    assert sent.temperature is None
    assert dict(sent.options.forwarded) == {"stop": ["\n\n"], "seed": 3, "top_p": 0.9,
                                            "frequency_penalty": 0.5, "user": "end-user-7"}
    with pytest.raises(ConfigurationError, match="unsupported request field.*frequency_penality"):
        await agent(fake).run("Capital of France?", frequency_penality=0.5)
