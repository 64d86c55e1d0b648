"""LiteLLMProvider against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import math
import time

import pytest

from cascadeflow.adapters.litellm_loader import load_litellm
from cascadeflow.adapters.litellm_provider import LiteLLMProvider
from cascadeflow.application.run_cascade import CascadeRequest
from cascadeflow.bootstrap import bootstrap
from cascadeflow.domain.errors import (
    AllModelsFailedError,
    ProviderAuthError,
    ProviderBadRequestError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
)
from cascadeflow.domain.messages import Completion, CompletionRequest, Message
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.results import Verdict
from cascadeflow.domain.retry import RetryPolicy
from cascadeflow.testing import FakeClock

from .openai_server import Fail, OpenAIServer, Reply, Stall

QUERY = (Message("system", "Be brief."), Message("user", "What is the capital of France?"))


def model(
    server: OpenAIServer,
    name: str = "gpt-4o-mini",
    *,
    cost: float = 0.001,
    api_key: str | None = "sk-test",
    supports_logprobs: bool = False,
) -> ModelConfig:
    return ModelConfig(
        name=name,
        provider="openai",
        api_base=server.base_url,
        api_key=api_key,
        cost=cost,
        supports_logprobs=supports_logprobs,
    )


def request(config: ModelConfig, *, logprobs: bool = False) -> CompletionRequest:
    return CompletionRequest(
        model=config, messages=QUERY, max_tokens=64, temperature=0.2, logprobs=logprobs
    )


async def test_complete_returns_text_tokens_and_sends_the_openai_request_shape(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script(
        "gpt-4o-mini", Reply("Paris.", prompt_tokens=21, completion_tokens=2, finish_reason="stop")
    )

    completion = await LiteLLMProvider(timeout=5).complete(request(model(openai_server)))

    assert isinstance(completion, Completion)
    assert (completion.text, completion.model) == ("Paris.", "gpt-4o-mini")
    assert (completion.input_tokens, completion.output_tokens) == (21, 2)
    assert completion.finish_reason == "stop"
    assert completion.logprobs is None
    assert completion.latency_ms > 0
    [sent] = openai_server.requests
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    assert sent["max_tokens"] == 64
    assert sent["temperature"] == 0.2
    assert "logprobs" not in sent
    assert not sent.get("stream")
    assert openai_server.headers[0]["authorization"] == "Bearer sk-test"


async def test_a_declared_price_is_litellm_s_own_and_never_sent_upstream(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("gpt-4o-mini", Reply("Paris.", prompt_tokens=1000, completion_tokens=1000))
    provider = LiteLLMProvider(timeout=5)
    ask = request(model(openai_server, cost=0.002))
    given = provider._call_arguments(load_litellm(), ask)  # LiteLLM prices with it, no map search
    assert (given["input_cost_per_token"], given["output_cost_per_token"]) == (2e-6, 2e-6)
    await provider.complete(ask)
    [sent] = openai_server.requests
    assert not any("cost" in key for key in sent)  # LiteLLM keeps it to itself


async def test_tokens_are_counted_when_the_provider_reports_no_usage(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("gpt-4o-mini", Reply("Paris is the capital of France.", usage=False))

    completion = await LiteLLMProvider(timeout=5).complete(request(model(openai_server)))

    assert completion.input_tokens > 10  # two messages and their framing
    assert 5 <= completion.output_tokens <= 10


async def test_truncated_answer_keeps_its_finish_reason(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", Reply("The capital of", finish_reason="length"))

    completion = await LiteLLMProvider(timeout=5).complete(request(model(openai_server)))

    assert completion.finish_reason == "length"


async def test_logprobs_are_requested_and_parsed(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", Reply("Paris is", logprobs=(-0.05, -0.3)))
    config = model(openai_server, supports_logprobs=True)

    completion = await LiteLLMProvider(timeout=5).complete(request(config, logprobs=True))

    assert openai_server.requests[0]["logprobs"] is True
    assert completion.logprobs == (-0.05, -0.3)
    assert completion.confidence == pytest.approx(math.exp(-0.175))


async def test_stream_yields_deltas_then_the_whole_completion(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script(
        "gpt-4o-mini", Reply("Paris is the capital.", prompt_tokens=17, completion_tokens=5)
    )

    events = [e async for e in LiteLLMProvider(timeout=5).stream(request(model(openai_server)))]

    deltas = [e.delta for e in events if e.completion is None]
    final = events[-1].completion
    assert len(deltas) > 1
    assert final is not None
    assert "".join(deltas) == final.text == "Paris is the capital."
    assert (final.input_tokens, final.output_tokens) == (17, 5)
    assert final.finish_reason == "stop"
    sent = openai_server.requests[0]
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}


async def test_stream_counts_tokens_when_the_provider_sends_no_usage(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("gpt-4o-mini", Reply("Paris is the capital of France.", usage=False))

    events = [e async for e in LiteLLMProvider(timeout=5).stream(request(model(openai_server)))]

    final = events[-1].completion
    assert final is not None and final.text == "Paris is the capital of France."
    assert final.input_tokens > 0
    assert final.output_tokens > 0


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, RateLimitedError),
        (500, ProviderUnavailableError),
        (503, ProviderUnavailableError),
        (401, ProviderAuthError),
        (403, ProviderAuthError),
        (400, ProviderBadRequestError),
        (404, ProviderBadRequestError),
    ],
)
async def test_http_errors_become_domain_errors_without_retrying(
    openai_server: OpenAIServer, status: int, error: type[Exception]
) -> None:
    openai_server.script("gpt-4o-mini", Fail(status, "scripted trouble"))

    with pytest.raises(error) as raised:
        await LiteLLMProvider(timeout=5).complete(request(model(openai_server)))

    assert str(raised.value) == f"gpt-4o-mini: HTTP {status}: scripted trouble"
    assert len(openai_server.requests) == 1  # neither LiteLLM nor the OpenAI SDK retried


async def test_stream_errors_become_domain_errors(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", Fail(429, "slow down"))

    with pytest.raises(RateLimitedError, match="slow down"):
        async for _ in LiteLLMProvider(timeout=5).stream(request(model(openai_server))):
            pass


async def test_a_stalled_server_times_out_quickly(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", Stall(10))
    started = time.perf_counter()

    with pytest.raises(ProviderTimeoutError, match="0.5 s"):
        await LiteLLMProvider(timeout=0.5).complete(request(model(openai_server)))

    assert time.perf_counter() - started < 3
    assert len(openai_server.requests) == 1


async def test_an_unreachable_server_is_unavailable() -> None:
    config = ModelConfig(
        name="gpt-4o-mini", api_base="http://127.0.0.1:9/v1", api_key="sk-test", cost=0.001
    )

    with pytest.raises(ProviderUnavailableError):
        await LiteLLMProvider(timeout=2).complete(request(config))


async def test_a_missing_key_names_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = ModelConfig(name="gpt-4o-mini", provider="openai")

    with pytest.raises(ProviderAuthError, match="OPENAI_API_KEY"):
        await LiteLLMProvider(timeout=2).complete(request(config))


async def test_keys_given_to_the_provider_are_used_per_provider(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    openai_server.script("gpt-4o-mini", Reply("Paris."))
    provider = LiteLLMProvider(timeout=5, api_keys={"openai": "sk-from-settings"})

    await provider.complete(request(model(openai_server, api_key=None)))

    assert openai_server.headers[0]["authorization"] == "Bearer sk-from-settings"


# The cascade, wired by the composition root, over real HTTP.


def cascade_models(server: OpenAIServer) -> tuple[ModelConfig, ModelConfig]:
    return (
        model(server, "drafter", cost=0.0001),
        model(server, "verifier", cost=0.01),
    )


async def test_cascade_retries_a_rate_limited_drafter_after_a_backoff(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("drafter", Fail(429, "slow down"), Reply("Paris is the capital."))
    clock = FakeClock()
    retry = RetryPolicy(max_attempts=3, base_delay=0.25)
    run = bootstrap(
        provider=LiteLLMProvider(timeout=5), clock=clock, retry_policy=retry
    ).run_cascade()

    result = await run.execute(CascadeRequest(models=cascade_models(openai_server), messages=QUERY))

    assert result.model_used == "drafter"
    assert result.draft_accepted
    [call] = result.calls
    assert call.attempts == 2
    assert clock.sleeps == [0.25]
    assert len(openai_server.requests_for("drafter")) == 2


async def test_cascade_falls_back_to_the_verifier_when_the_drafter_fails(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("drafter", Fail(500, "overloaded"))
    openai_server.script("verifier", Reply("Paris is the capital of France."))
    run = bootstrap(provider=LiteLLMProvider(timeout=5), clock=FakeClock()).run_cascade()

    result = await run.execute(CascadeRequest(models=cascade_models(openai_server), messages=QUERY))

    assert result.model_used == "verifier"
    assert result.content == "Paris is the capital of France."
    assert [c.verdict for c in result.calls] == [Verdict.FAILED, Verdict.ACCEPTED]
    assert "overloaded" in (result.calls[0].error or "")
    assert result.total_cost == pytest.approx(result.calls[1].cost) and result.total_cost > 0


async def test_cascade_escalates_a_draft_its_logprobs_show_unsure(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("drafter", Reply("Maybe Lyon", logprobs=(-2.5, -3.0)))
    openai_server.script("verifier", Reply("Paris.", logprobs=(-0.01, -0.02)))
    drafter, verifier = (
        model(openai_server, "drafter", cost=0.0001, supports_logprobs=True),
        model(openai_server, "verifier", cost=0.01, supports_logprobs=True),
    )
    run = bootstrap(provider=LiteLLMProvider(timeout=5), clock=FakeClock()).run_cascade()

    result = await run.execute(CascadeRequest(models=(verifier, drafter), messages=QUERY))

    assert result.models_called == ("drafter", "verifier")
    assert [c.verdict for c in result.calls] == [Verdict.REJECTED, Verdict.ACCEPTED]
    assert "confidence" in result.calls[0].reason
    assert all(body["logprobs"] is True for body in openai_server.requests)


async def test_cascade_reports_every_model_when_all_fail(openai_server: OpenAIServer) -> None:
    openai_server.script("drafter", Fail(500, "drafter down"))
    openai_server.script("verifier", Fail(401, "bad key"))
    run = bootstrap(provider=LiteLLMProvider(timeout=5), clock=FakeClock()).run_cascade()

    with pytest.raises(AllModelsFailedError) as raised:
        await run.execute(CascadeRequest(models=cascade_models(openai_server), messages=QUERY))

    failures = raised.value.failures
    assert [(type(f), f.model) for f in failures] == [
        (ProviderUnavailableError, "drafter"),
        (ProviderAuthError, "verifier"),
    ]
    assert "drafter down" in str(raised.value) and "bad key" in str(raised.value)



async def test_a_field_the_provider_cannot_take_is_refused_naming_it_before_any_call() -> None:
    from cascadeflow.domain.messages import CallOptions

    claude = ModelConfig(name="claude-3-5-haiku-20241022", provider="anthropic", api_key="sk-test",
                         api_base="http://127.0.0.1:9", cost=0.001)  # nothing listens there
    request = CompletionRequest(model=claude, messages=QUERY, max_tokens=10,
                                options=CallOptions(forwarded={"logit_bias": {"1": 1}}))
    with pytest.raises(ProviderBadRequestError) as refused:
        await LiteLLMProvider().complete(request)
    assert "does not support parameters: ['logit_bias']" in refused.value.public  # ours to show
    assert refused.value.status == 400


async def test_tool_calls_come_back_from_a_real_http_server(openai_server: OpenAIServer) -> None:
    from cascadeflow.domain.messages import CallOptions, ToolCall

    call = {"id": "call_9", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    openai_server.script("gpt-4o-mini", Reply("", tool_calls=(call,), finish_reason="tool_calls"))
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    completion = await LiteLLMProvider().complete(CompletionRequest(
        model=model(openai_server), messages=QUERY, max_tokens=10, options=CallOptions(tools=(tool,))))
    assert completion.tool_calls == (ToolCall("call_9", "f", '{"x": 1}'),)
    assert completion.finish_reason == "tool_calls"
    assert openai_server.requests[-1]["tools"] == [tool]


async def test_what_the_cascade_adds_for_itself_is_left_out_where_a_model_cannot_take_it() -> None:
    # gpt-5 takes no logprobs and only temperature 1; nothing listens at this address, so
    # a call that passes LiteLLM's check fails to connect, one that does not is refused
    gpt5 = ModelConfig(name="gpt-5-mini", provider="openai", api_key="sk-test",
                       api_base="http://127.0.0.1:9/v1", cost=0.001)
    provider = LiteLLMProvider(timeout=2)
    for own in (dict(logprobs=True, optional=frozenset({"logprobs", "top_logprobs"})),  # the signal
                dict(temperature=0.0, optional=frozenset({"temperature"}))):  # a judge's
        with pytest.raises(ProviderUnavailableError):
            await provider.complete(CompletionRequest(model=gpt5, messages=QUERY, max_tokens=5, **own))  # type: ignore[arg-type]
    with pytest.raises(ProviderBadRequestError, match="doesn't support temperature=0.0"):  # the caller's
        await provider.complete(CompletionRequest(model=gpt5, messages=QUERY, max_tokens=5, temperature=0.0))
