"""What real OpenAI applications send, through the official client, unchanged: tools and
a round trip with the tool's result, a json_schema answer, image parts, every sampling
field (arriving upstream with the caller's values) and logprobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai
import pytest

from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ThreadServer, client, gateway_config

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"], "additionalProperties": False}}}
PARIS_CALL = {"id": "call_7", "type": "function",
              "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


def tool_reply(call: dict[str, Any]) -> Reply:
    return Reply("", tool_calls=(call,), finish_reason="tool_calls")


def test_a_tool_call_round_trip(upstream: OpenAIServer, serve: Callable[..., ThreadServer]) -> None:
    upstream.script("fake-small", tool_reply(PARIS_CALL), Reply("It is 18 C and sunny in Paris."))
    gateway = serve(gateway_config(upstream))
    api = client(gateway)

    first = api.chat.completions.create(model="cascadeflow", messages=ASK,  # type: ignore[arg-type]
                                        tools=[WEATHER], tool_choice="auto")
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.id == "call_7" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    sent = upstream.requests_for("fake-small")[-1]
    assert sent["tools"] == [WEATHER] and sent["tool_choice"] == "auto"

    # the app appends the assistant message as the client returned it, then the tool's result
    history = [*ASK, choice.message, {"role": "tool", "tool_call_id": call.id, "content": "18 C, sunny"}]
    second = api.chat.completions.create(model="cascadeflow", messages=history,  # type: ignore[arg-type]
                                         tools=[WEATHER])
    assert second.choices[0].message.content == "It is 18 C and sunny in Paris."
    sent = upstream.requests_for("fake-small")[-1]["messages"]
    assert sent[1]["role"] == "assistant" and sent[1]["tool_calls"] == [PARIS_CALL]
    assert sent[2] == {"role": "tool", "tool_call_id": "call_7", "content": "18 C, sunny"}


def test_a_broken_tool_call_escalates(upstream: OpenAIServer, serve: Callable[..., ThreadServer]) -> None:
    wrong = {**PARIS_CALL, "function": {"name": "get_weather", "arguments": '{"town": "Paris"}'}}
    upstream.script("fake-small", tool_reply(wrong))
    upstream.script("fake-big", tool_reply(PARIS_CALL))
    gateway = serve(gateway_config(upstream))
    answer = client(gateway).chat.completions.create(
        model="cascadeflow", messages=ASK, tools=[WEATHER], tool_choice="required")  # type: ignore[arg-type]
    assert answer.model == "fake-big"
    assert json.loads((answer.choices[0].message.tool_calls or [])[0].function.arguments) == {"city": "Paris"}
    steps = (answer.model_extra or {})["cascadeflow"]["steps"]
    assert steps[0]["verdict"] == "rejected" and "do not follow its schema" in steps[0]["reason"]


def test_a_json_schema_answer(upstream: OpenAIServer, serve: Callable[..., ThreadServer]) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "celsius": {"type": "number"}},
              "required": ["city", "celsius"], "additionalProperties": False}
    upstream.script("fake-small", Reply('{"city": "Paris"}'))
    upstream.script("fake-big", Reply('{"city": "Paris", "celsius": 18}'))
    gateway = serve(gateway_config(upstream))
    fmt = {"type": "json_schema", "json_schema": {"name": "weather", "schema": schema, "strict": True}}
    answer = client(gateway).chat.completions.create(model="cascadeflow", messages=ASK,  # type: ignore[arg-type]
                                                     response_format=fmt)  # type: ignore[arg-type]
    assert json.loads(answer.choices[0].message.content or "") == {"city": "Paris", "celsius": 18}
    assert upstream.requests_for("fake-small")[-1]["response_format"] == fmt
    assert "'celsius' is a required property" in (answer.model_extra or {})["cascadeflow"]["steps"][0]["reason"]


def test_image_parts_and_every_sampling_field_arrive_as_sent(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("A cat on a sofa.", logprobs=(-0.1, -0.2, -0.05, -0.3, -0.1)))
    gateway = serve(gateway_config(upstream))
    picture = [{"role": "user", "content": [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}]}]
    fields: dict[str, Any] = dict(stop=["\n\n"], seed=11, top_p=0.8, frequency_penalty=0.3,
                                  presence_penalty=-0.4, logit_bias={"1234": -50}, logprobs=True,
                                  top_logprobs=2, user="end-user-42", parallel_tool_calls=False,
                                  tools=[WEATHER], temperature=0.25, max_completion_tokens=64)
    answer = client(gateway).chat.completions.create(model="fake-small", messages=picture, **fields)
    sent = upstream.requests[-1]
    assert sent["messages"] == picture
    for name, value in fields.items():
        if name != "max_completion_tokens":
            assert sent[name] == value, name
    assert sent["max_tokens"] == 64
    logprobs = answer.choices[0].logprobs
    assert logprobs is not None and [t.logprob for t in logprobs.content or []] == [-0.1, -0.2, -0.05, -0.3, -0.1]


def test_temperature_is_left_to_the_model_when_the_caller_sends_none(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Paris."))
    gateway = serve(gateway_config(upstream))
    client(gateway).chat.completions.create(model="fake-small", messages=ASK)  # type: ignore[arg-type]
    assert "temperature" not in upstream.requests[-1] and "logprobs" not in upstream.requests[-1]


@pytest.mark.parametrize(("fields", "says"), [
    ({"n": 2}, "n"),
    ({"best_of": 2}, "unsupported request field(s): best_of"),
    ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "send_mail"}}},
     "names 'send_mail', which is not among the tools"),
    ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": 5}}}},
     "not a valid JSON Schema"),
])
def test_what_the_cascade_cannot_honour_is_a_clear_400(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer], fields: dict[str, Any], says: str
) -> None:
    gateway = serve(gateway_config(upstream))
    with pytest.raises(openai.BadRequestError, match=says.replace("(", r"\(").replace(")", r"\)")):
        client(gateway).chat.completions.create(model="cascadeflow", messages=ASK,  # type: ignore[arg-type]
                                                extra_body=fields)
    assert upstream.requests == []


def test_a_malformed_tool_call_from_a_draft_escalates_and_is_paid_for(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    unnamed = {"id": "c1", "type": "function", "function": {"name": "", "arguments": "{}"}}
    upstream.script("fake-small", tool_reply(unnamed))
    upstream.script("fake-big", tool_reply(PARIS_CALL))
    gateway = serve(gateway_config(upstream))
    answer = client(gateway).chat.completions.create(model="cascadeflow", messages=ASK,  # type: ignore[arg-type]
                                                     tools=[WEATHER])
    assert answer.model == "fake-big"
    steps = (answer.model_extra or {})["cascadeflow"]["steps"]
    assert steps[0]["verdict"] == "rejected" and "not among the tools" in steps[0]["reason"]
    assert steps[0]["cost"] > 0  # the draft was a real, paid call
