"""Live streaming through the gateway with the official client: the answering model's
tokens arrive while it is still writing (one model, and after an escalation), a rejected
draft is never shown, the usage comes in the last chunk."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

import openai
import pytest

from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ADMIN_KEY, ALICE_KEY, ThreadServer, client, gateway_config

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
ANSWER = "Paris is the capital of France."


def contents(chunks: Iterator[object]) -> Iterator[str]:
    for chunk in chunks:
        for choice in getattr(chunk, "choices", []):
            if choice.delta.content:
                yield choice.delta.content


@pytest.mark.parametrize("model", ["fake-small", "cascadeflow"])
def test_the_first_token_arrives_while_the_answering_model_still_writes(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer], model: str
) -> None:
    hold = threading.Event()
    if model == "cascadeflow":  # the draft is rejected, the verifier streams live
        upstream.script("fake-small", Reply("I'm not sure."))
        upstream.script("fake-big", Reply(ANSWER, hold=hold))
    else:
        upstream.script("fake-small", Reply(ANSWER, hold=hold))
    gateway = serve(gateway_config(upstream))
    stream = client(gateway).chat.completions.create(
        model=model, messages=QUESTION, stream=True, stream_options={"include_usage": True})  # type: ignore[arg-type]
    chunks = iter(stream)
    first = next(contents(chunks))
    assert first == "Paris " and not hold.is_set()  # the upstream is still holding the rest
    hold.set()
    rest = list(chunks)
    text = first + "".join(c.choices[0].delta.content or "" for c in rest if c.choices)
    assert text == ANSWER and "not sure" not in text
    finish = [c for c in rest if c.choices and c.choices[0].finish_reason]
    assert finish[0].choices[0].finish_reason == "stop"
    report = (finish[0].model_extra or {})["cascadeflow"]
    assert report["model_used"] == ("fake-big" if model == "cascadeflow" else "fake-small")
    assert rest[-1].usage is not None and rest[-1].usage.completion_tokens > 0


def test_an_accepted_draft_streams_once_accepted(upstream: OpenAIServer,
                                                 serve: Callable[..., ThreadServer]) -> None:
    upstream.script("fake-small", Reply(ANSWER))
    gateway = serve(gateway_config(upstream))
    stream = client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION, stream=True)  # type: ignore[arg-type]
    assert "".join(contents(iter(stream))) == ANSWER
    assert upstream.requests_for("fake-big") == []
    assert not upstream.requests_for("fake-small")[0].get("stream")  # checked whole before shown


def test_a_streamed_tool_call(upstream: OpenAIServer, serve: Callable[..., ThreadServer]) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    upstream.script("fake-small", Reply("", tool_calls=(call,), finish_reason="tool_calls"))
    gateway = serve(gateway_config(upstream))
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    chunks = list(client(gateway).chat.completions.create(
        model="fake-small", messages=QUESTION, tools=[tool], stream=True))  # type: ignore[arg-type, list-item]
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert calls[0].function is not None and calls[0].function.name == "get_weather"
    assert "".join(tc.function.arguments or "" for tc in calls if tc.function) == '{"city": "Paris"}'
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]


def test_a_refusal_before_any_text_is_an_ordinary_error(upstream: OpenAIServer,
                                                        serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(upstream, users={"alice": {"budget": {"daily": 0.0}}}))
    with pytest.raises(openai.RateLimitError) as blocked:
        client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION, stream=True)  # type: ignore[arg-type]
    assert blocked.value.code == "budget_exceeded" and upstream.requests == []


def test_a_client_that_goes_away_mid_stream_is_charged_the_calls_worst_case(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    hold = threading.Event()
    upstream.script("fake-small", Reply(ANSWER, hold=hold))
    gateway = serve(gateway_config(upstream))
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    with httpx.Client(timeout=10) as http, http.stream(
            "POST", f"{gateway.url}/v1/chat/completions", headers={"Authorization": f"Bearer {ALICE_KEY}"},
            json={"model": "fake-small", "messages": QUESTION, "stream": True}) as response:
        next(line for line in response.iter_lines() if "Paris" in line)
    # gone while the model still writes: it bills what it wrote, which nobody here knows
    budget: dict[str, Any] = {}
    for _ in range(100):
        budget = httpx.get(f"{gateway.url}/v1/budgets/alice", headers=admin).json()
        if budget["spend"]["daily"] > 0:
            break
        time.sleep(0.05)
    hold.set()
    assert budget["reserved"] == 0.0 and budget["spend"]["daily"] > 0


def test_streamed_logprobs_come_with_the_finish_chunk(upstream: OpenAIServer,
                                                      serve: Callable[..., ThreadServer]) -> None:
    upstream.script("fake-small", Reply("Paris.", logprobs=(-0.25,)))
    gateway = serve(gateway_config(upstream))
    chunks = list(client(gateway).chat.completions.create(
        model="fake-small", messages=QUESTION, stream=True, logprobs=True))  # type: ignore[arg-type]
    (finish,) = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish.choices[0].logprobs is not None
    assert [t.logprob for t in finish.choices[0].logprobs.content or []] == [-0.25]
