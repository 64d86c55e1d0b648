"""Failures reach the client in OpenAI's error shape with the right status, and nothing
is charged for calls that produced nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import openai
import pytest

from tests.integration.openai_server import Fail, OpenAIServer, Reply, Stall

from .conftest import ADMIN_KEY, ALICE_KEY, ThreadServer, client, gateway_config

QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]
ALICE = {"Authorization": f"Bearer {ALICE_KEY}"}


def _spend(gateway: ThreadServer) -> tuple[int, float]:
    usage = httpx.get(gateway.url + "/v1/usage", headers=ALICE).json()
    return usage["calls"], usage["spend"]["total"]


def test_a_failing_drafter_falls_back_and_only_the_answer_is_charged(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Fail(500, "boom"))
    upstream.script("fake-big", Reply("Four.", completion_tokens=1))
    gateway = serve(gateway_config(upstream))
    answer = client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)
    report = (answer.model_extra or {})["cascadeflow"]
    assert answer.choices[0].message.content == "Four."
    assert [s["verdict"] for s in report["steps"]] == ["failed", "accepted"]
    assert _spend(gateway) == (1, pytest.approx(12 * 1e-5 + 1 * 2e-5))


def test_every_provider_failing_is_a_502_naming_models_not_echoing_them(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer], caplog: pytest.LogCaptureFixture
) -> None:
    upstream.script("fake-small", Fail(500, "small is down, key sk-...XYZ9"))
    upstream.script("fake-big", Fail(503, "big is down"))
    gateway = serve(gateway_config(upstream))
    with caplog.at_level("WARNING", logger="cascadeflow.gateway"), \
            pytest.raises(openai.APIStatusError) as failed:
        client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert failed.value.status_code == 502
    assert failed.value.code == "all_providers_failed"
    message = failed.value.message
    assert "fake-small: unavailable" in message and "(HTTP 500)" in message and "fake-big" in message
    assert "is down" not in message and "XYZ9" not in message  # the providers' words stay in the log
    assert "small is down, key sk-...XYZ9" in caplog.text
    assert _spend(gateway) == (0, 0.0)


def test_a_request_every_model_rejects_is_a_400_not_a_retryable_502(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    for model in ("fake-small", "fake-big"):
        upstream.script(model, Fail(400, "This model's maximum context length is 8192 tokens"))
    gateway = serve(gateway_config(upstream))
    with pytest.raises(openai.BadRequestError) as refused:
        client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert refused.value.code == "upstream_rejected_request"
    assert "fake-small: rejected the request as invalid" in refused.value.message
    assert "context length" not in refused.value.message
    assert _spend(gateway) == (0, 0.0)


def test_an_upstream_timeout_is_a_504(upstream: OpenAIServer, serve: Callable[..., ThreadServer]) -> None:
    upstream.script("fake-small", Stall(5))
    gateway = serve(gateway_config(upstream, server={"timeout": 0.3, "max_attempts": 1},
                                   default_models=["fake-small"]))
    with pytest.raises(openai.APIStatusError) as failed:
        client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert failed.value.status_code == 504 and failed.value.code == "upstream_timeout"
    assert _spend(gateway) == (0, 0.0)


def test_upstream_rate_limits_are_retried_then_a_429_rate_limited(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Fail(429, "slow down"), Fail(429, "slow down"))
    gateway = serve(gateway_config(upstream, server={"max_attempts": 2},
                                   default_models=["fake-small"]))
    with pytest.raises(openai.RateLimitError) as limited:
        client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert limited.value.code == "rate_limited"
    assert len(upstream.requests_for("fake-small")) == 2  # the retry happened


def test_a_blocked_budget_is_a_429_budget_exceeded_before_any_call(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    gateway = serve(gateway_config(upstream, users={"alice": {"budget": {"daily": 0.0}}}))
    with pytest.raises(openai.RateLimitError) as blocked:
        client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert blocked.value.code == "budget_exceeded"
    assert blocked.value.body["type"] == "insufficient_quota"  # type: ignore[index]
    assert upstream.requests == []


def test_the_official_client_does_not_retry_a_budget_block(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    gateway = serve(gateway_config(upstream, users={"alice": {"budget": {"daily": 0.0}}}))
    posts: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [posts.append]})
    api = openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=ALICE_KEY, http_client=http)  # retries on
    with pytest.raises(openai.RateLimitError) as blocked:
        api.chat.completions.create(model="cascadeflow", messages=QUESTION)  # type: ignore[arg-type]
    assert len(posts) == 1
    headers = blocked.value.response.headers
    assert headers["x-should-retry"] == "false"
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert abs(int(headers["retry-after"]) - (midnight - now).total_seconds()) < 60  # the daily window ends


def test_an_all_time_budget_block_has_no_retry_after(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    gateway = serve(gateway_config(upstream, users={"alice": {"budget": {"total": 0.0}}}))
    response = httpx.post(gateway.url + "/v1/chat/completions", headers=ALICE,
                          json={"model": "cascadeflow", "messages": QUESTION})
    assert response.status_code == 429 and response.headers["x-should-retry"] == "false"
    assert "retry-after" not in response.headers


def test_a_budget_that_narrows_the_models_reports_a_degrade_and_entries_carry_the_response_id(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Four."))
    # alice (pro: both models) has less left than the big model's worst case for 100 tokens
    gateway = serve(gateway_config(upstream, users={"alice": {"tier": "pro", "budget": {"daily": 0.001}}}))
    answer = client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION, max_tokens=100)
    budget = (answer.model_extra or {})["cascadeflow"]["budget"]
    assert budget["action"] == "degrade" and "excludes fake-big" in budget["message"]
    exported = httpx.get(gateway.url + "/v1/export?format=json", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    (entry,) = [e for e in json.loads(exported.content) if e["user_id"] == "alice"]
    assert entry["query_id"] == answer.id


@pytest.mark.parametrize(("body", "status", "param"), [
    (b"{not json", 400, None),
    (b'{"model": "cascadeflow"}', 400, "messages"),
    (b'{"model": "cascadeflow", "messages": [{"role": "robot", "content": "hi"}]}', 400, "messages.0"),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}',
     400, "max_tokens"),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "hi"}], "n": 3}', 400, "n"),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "\\ud800"}]}', 400, None),
    (b'{"model": "cascadeflow", "messages": [{"role": "tool", "content": "18 C"}]}', 400,
     "messages.0.tool.tool_call_id"),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "hi"}], "best_of": 2}', 400, None),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "hi"}], "domain": "code"}', 400, None),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "hi"}], "user_id": "x"}', 400, None),
    (b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "hi"}], "tools": '
     b'[{"type": "function", "function": {"name": "f"}}], "tool_choice": '
     b'{"type": "function", "function": {"name": "g"}}}', 400, None),
    (b'{"model": "nope", "messages": [{"role": "user", "content": "hi"}]}', 404, "model"),
])
def test_bad_bodies_are_4xx_in_openai_shape(
    serve: Callable[..., ThreadServer], body: bytes, status: int, param: str | None
) -> None:
    gateway = serve(gateway_config(None))
    response = httpx.post(gateway.url + "/v1/chat/completions", content=body,
                          headers={**ALICE, "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param


def test_bodies_over_the_limit_are_413_declared_or_chunked(serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(None))
    big = b'{"model": "cascadeflow", "messages": [{"role": "user", "content": "' + b"x" * 70_000 + b'"}]}'
    declared = httpx.post(gateway.url + "/v1/chat/completions", content=big, headers=ALICE)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "request_too_large"
    chunked = httpx.post(gateway.url + "/v1/chat/completions", headers=ALICE,
                         content=iter([big[i:i + 8192] for i in range(0, len(big), 8192)]))
    assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "request_too_large"


def test_unknown_routes_and_methods_answer_in_openai_shape(serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(None))
    missing = httpx.get(gateway.url + "/v1/nothing", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = httpx.delete(gateway.url + "/v1/models", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert wrong.status_code == 405 and "error" in wrong.json()
