"""Rate limits and guardrails at the gateway. Requests and tokens per minute, per user
and per key, hold across two gateway replicas sharing one database and are refused
before any model call with a 429 the official client can wait out (Retry-After);
guardrails redact what reaches the models and what comes back, and block denied terms."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from cascadeflow.entrypoints.rest import GatewaySetup, create_app
from cascadeflow.entrypoints.rest.config import parse_config
from cascadeflow.testing import FakeProvider
from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ALICE_KEY, BOB_KEY, ThreadServer, gateway_config

QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]


def ask(server: ThreadServer, key: str = ALICE_KEY) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                      json={"model": "fake-small", "messages": QUESTION}, timeout=10)


def test_a_users_requests_per_minute_hold_across_two_replicas(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", *[Reply("Four.")] * 3)
    config = gateway_config(upstream, users={"alice": {"rate_limit": {"requests_per_minute": 3}}})
    first, second = serve(config), serve(config)  # one SQLite database, two gateways
    answers = [ask(server) for server in (first, second, first, second, first)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 120
    assert "user 'alice' is over its requests per minute" in refused.json()["error"]["message"]
    assert len(upstream.requests) == 3  # refused before any model call


def test_a_keys_tokens_per_minute_and_a_request_too_big_for_them(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Four.", completion_tokens=350))
    keys = [{"user": "bob", "key": BOB_KEY, "rate_limit": {"tokens_per_minute": 400}}]
    gateway = serve(gateway_config(upstream, keys=keys, users={"bob": {}}))
    assert ask(gateway, BOB_KEY).status_code == 200  # the tokens it used (350 answer tokens) count afterwards
    again = ask(gateway, BOB_KEY)
    assert again.status_code == 429 and "this API key is over its tokens per minute" in again.text
    huge = httpx.post(f"{gateway.url}/v1/chat/completions", headers={"Authorization": f"Bearer {BOB_KEY}"},
                      json={"model": "fake-small", "messages": [{"role": "user", "content": "x" * 2000}]})
    assert huge.status_code == 429 and huge.headers["x-should-retry"] == "false"
    assert "retry-after" not in huge.headers and "this request alone" in huge.text


def test_a_stream_whose_client_goes_away_gives_its_tokens_back(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    hold = threading.Event()
    upstream.script("fake-small", Reply("Four, as it happens.", hold=hold), Reply("Four."))
    gateway = serve(gateway_config(upstream, users={"alice": {"rate_limit": {"tokens_per_minute": 300}}}))
    long = [{"role": "user", "content": "What is 2 + 2? " + "Please answer. " * 12}]  # about 200 tokens' bound
    body = {"model": "fake-small", "messages": long}
    with httpx.Client(timeout=10) as http, http.stream(
            "POST", f"{gateway.url}/v1/chat/completions", headers={"Authorization": f"Bearer {ALICE_KEY}"},
            json={**body, "stream": True}) as response:
        next(line for line in response.iter_lines() if "Four" in line)
    # gone mid-stream: the prompt's bound no longer counts, so a second one fits (two would not)
    statuses = []
    for _ in range(100):
        again = httpx.post(f"{gateway.url}/v1/chat/completions", json=body, timeout=10,
                           headers={"Authorization": f"Bearer {ALICE_KEY}"})
        statuses.append(again.status_code)
        if again.status_code == 200:
            break
        time.sleep(0.05)
    hold.set()
    assert statuses[-1] == 200, statuses


async def test_a_client_gone_before_the_stream_began_gives_its_tokens_back() -> None:
    # the ASGI app called directly, as a server of ASGI spec 2.4 calls it: the client is
    # gone when the response starts, so its body (and the body's own cleanup) never runs
    fake = FakeProvider({"fake-small": ["Four, as it happens."] * 2})
    raw = {"database_url": "memory",
           **gateway_config(None, users={"alice": {"rate_limit": {"tokens_per_minute": 300}}})}
    app = create_app(GatewaySetup(parse_config(raw, {}), provider=fake))
    long = [{"role": "user", "content": "What is 2 + 2? " + "Please answer. " * 12}]  # about 200 tokens' bound
    body = json.dumps({"model": "fake-small", "messages": long, "stream": True}).encode()
    arriving = iter([{"type": "http.request", "body": body, "more_body": False}])

    async def receive() -> dict[str, Any]:
        return next(arriving, {"type": "http.disconnect"})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        raise OSError("the client has gone")

    headers = [(b"authorization", f"Bearer {ALICE_KEY}".encode()), (b"content-type", b"application/json")]
    with contextlib.suppress(Exception):  # the server is told the client went away
        await app({"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
                   "method": "POST", "scheme": "http", "path": "/v1/chat/completions",
                   "raw_path": b"/v1/chat/completions", "query_string": b"", "root_path": "",
                   "headers": headers, "client": ("127.0.0.1", 1), "server": ("gateway", 80)}, receive, send)
    assert [m["type"] for m in sent][:1] == ["http.response.start"]  # and no chunk after it
    assert not any(m.get("body") for m in sent)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
        again = await http.post("/v1/chat/completions", json={"model": "fake-small", "messages": long},
                                headers={"Authorization": f"Bearer {ALICE_KEY}"})
    assert again.status_code == 200, again.text  # the first one's prompt bound no longer counts


def test_guardrails_redact_what_reaches_the_model_and_block_denied_requests(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Write to [redacted email] for help, or to help@example.com."))
    gateway = serve(gateway_config(upstream, guardrails={"redact_pii": ["email"], "deny": ["drop table"]}))
    mail = httpx.post(f"{gateway.url}/v1/chat/completions", headers={"Authorization": f"Bearer {ALICE_KEY}"},
                      json={"model": "fake-small", "messages": [{"role": "user", "content": "I am ann@example.com"}]})
    assert mail.status_code == 200
    assert upstream.requests[-1]["messages"][0]["content"] == "I am [redacted email]"
    assert "help@example.com" not in mail.json()["choices"][0]["message"]["content"]  # the answer too
    denied = httpx.post(f"{gateway.url}/v1/chat/completions", headers={"Authorization": f"Bearer {ALICE_KEY}"},
                        json={"model": "fake-small", "messages": [{"role": "user", "content": "DROP TABLE users"}]})
    assert denied.status_code == 400 and denied.json()["error"]["code"] == "blocked_by_guardrail"
    assert len(upstream.requests) == 1
