"""Chat messages and call options in OpenAI's shape."""

from __future__ import annotations

import pytest

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.messages import (
    NO_OPTIONS,
    CallOptions,
    Message,
    ToolCall,
    billed_prompt,
    call_options,
)
from cascadeflow.application.budget_policy import PART_ALLOWANCE, max_input_tokens
from cascadeflow.entrypoints.api.agent import to_messages

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                   "required": ["city"], "additionalProperties": False}}}
IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}}


def test_every_openai_message_kind_round_trips_unchanged() -> None:
    wire = [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "What is this?"}, IMAGE], "name": "ann"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "content": "18 C and sunny", "tool_call_id": "call_1"},
    ]
    messages = to_messages(wire)
    assert [m.to_openai() for m in messages] == wire
    assert messages[1].text == "What is this?"  # the text parts, for validation and routing
    assert messages[2].text == "" and messages[2].tool_calls[0].name == "get_weather"


@pytest.mark.parametrize("bad, says", [
    (dict(role="tool", content="18 C"), "tool_call_id"),
    (dict(role="user", content=None), "needs content"),
    (dict(role="user", content=[{"text": "no type"}]), "'type'"),
    (dict(role="user", content="hi", tool_calls=(ToolCall("c", "f", "{}"),)), "only assistant"),
    (dict(role="robot", content="hi"), "role must be one of"),
])
def test_malformed_messages_are_refused_with_the_reason(bad: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        Message(**bad)  # type: ignore[arg-type]


def test_other_message_fields_are_carried_not_dropped() -> None:
    raw = {"role": "assistant", "content": "Hi.", "audio": {"id": "audio_1"}, "refusal": None}
    message = Message.from_openai(raw)
    assert message.to_openai() == {"role": "assistant", "content": "Hi.", "audio": {"id": "audio_1"}}


def test_call_options_forward_sampling_fields_and_refuse_what_a_cascade_cannot_honour() -> None:
    options = call_options({"stop": ["\n"], "seed": 7, "top_p": 0.5, "user": "u-1",
                            "tools": [WEATHER], "tool_choice": "auto", "temperature_x": None})
    assert options.to_openai() == {"stop": ["\n"], "seed": 7, "top_p": 0.5, "user": "u-1",
                                   "tools": [WEATHER], "tool_choice": "auto"}
    assert call_options({}) is NO_OPTIONS
    with pytest.raises(ConfigurationError, match="n=2 is not supported"):
        call_options({"n": 2})
    with pytest.raises(ConfigurationError, match="unsupported request field.*best_of"):
        call_options({"best_of": 3})
    with pytest.raises(ConfigurationError, match="deprecated form of tools"):
        call_options({"functions": [{"name": "f"}]})
    with pytest.raises(ConfigurationError, match="names 'send_mail', which is not among"):
        CallOptions(tools=(WEATHER,), tool_choice={"type": "function", "function": {"name": "send_mail"}})
    with pytest.raises(ConfigurationError, match="'required' needs tools"):
        CallOptions(tool_choice="required")
    with pytest.raises(ConfigurationError, match="json_schema.name"):
        CallOptions(response_format={"type": "json_schema", "json_schema": {"schema": {}}})


def test_budget_estimates_count_tool_definitions_and_image_parts() -> None:
    question = (Message("user", "Weather in Paris?"),)
    with_tools = billed_prompt(question, CallOptions(tools=(WEATHER,)))
    assert max_input_tokens(with_tools) > max_input_tokens(question) + 100
    picture = (Message("user", ({"type": "text", "text": "What is this?"}, IMAGE)),)
    assert max_input_tokens(picture) >= PART_ALLOWANCE


@pytest.mark.parametrize("text", ["Capital of France?", "", 'quote " backslash \\ newline \n tab \t',
                                  "é ü 漢字 😀 \u2028 \x00 \x1f", "x" * 5000])
@pytest.mark.parametrize("role", ["system", "developer", "user", "assistant"])
def test_a_plain_messages_bound_counts_every_byte_of_its_json(role: str, text: str) -> None:
    import json

    message = Message(role, text)
    sent = len(json.dumps(message.to_openai(), ensure_ascii=False).encode("utf-8"))
    assert max_input_tokens([message]) == sent + 4 + 3  # the fast path counts what the JSON would


def test_a_requests_bound_is_remembered_only_for_the_same_immutable_messages() -> None:
    short, long = (Message("user", "hi"),), (Message("user", "hi " * 300),)
    assert max_input_tokens(short) < max_input_tokens(long)
    assert max_input_tokens(short) == max_input_tokens((Message("user", "hi"),))
    changing = [Message("user", "hi")]
    before = max_input_tokens(changing)
    changing.append(Message("user", "and more " * 100))
    assert max_input_tokens(changing) > before  # a list may change: never remembered


def test_tool_calls_agree_as_data_whatever_their_ids_order_and_spacing() -> None:
    from cascadeflow.domain.answer_checks import same_tool_calls

    a = (ToolCall("x1", "get_weather", '{"city": "Paris", "unit": "C"}'), ToolCall("x2", "get_time", "{}"))
    b = (ToolCall("y9", "get_time", ""), ToolCall("y8", "get_weather", '{"unit":"C","city":"Paris"}'))
    assert same_tool_calls(a, b)
    assert not same_tool_calls(a[:1], (ToolCall("z", "get_weather", '{"city": "Lyon", "unit": "C"}'),))
    assert not same_tool_calls(a, a[:1])
