"""The gateway under test: a real uvicorn server on 127.0.0.1 (in a thread, or as
`cascadeflow serve` processes), the fake OpenAI upstream it calls through LiteLLM, and
the official `openai` client talking to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import uvicorn

from cascadeflow.entrypoints.rest.config import parse_config
from cascadeflow.entrypoints.rest import GatewaySetup, create_app
from tests.integration.openai_server import OpenAIServer

from .serve_process import ServeProcess as ServeProcess  # re-exported for the tests

ADMIN_KEY = "cf-test-admin"
ALICE_KEY = "cf-test-alice"
BOB_KEY = "cf-test-bob"
# Prices per token, so that no test depends on LiteLLM's price map.
SMALL = {"name": "fake-small", "provider": "openai", "api_key": "sk-upstream",
         "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}
BIG = {"name": "fake-big", "provider": "openai", "api_key": "sk-upstream",
       "input_cost_per_token": 1e-5, "output_cost_per_token": 2e-5}


def gateway_config(upstream: OpenAIServer | None, **overrides: Any) -> dict[str, Any]:
    """Two models on the fake upstream, an admin, alice (pro tier, a budget) and bob.
    Fixed rules decide which drafts pass ("fast"): these tests are about the gateway's
    mechanics; the online default has tests of its own (test_online.py)."""
    base = {} if upstream is None else {"api_base": upstream.base_url}
    raw: dict[str, Any] = {
        "server": {"timeout": 5.0, "max_attempts": 1, "max_body_bytes": 64_000},
        "quality": {"mode": "fast"},
        "models": [{**SMALL, **base}, {**BIG, **base}],
        "tiers": {"free": {"models": ["fake-small"]}, "pro": {}},
        "users": {"alice": {"tier": "pro", "budget": {"daily": 1.0}}, "bob": {"tier": "free"}},
        "keys": [
            {"user": "root", "role": "admin", "key": ADMIN_KEY},
            {"user": "alice", "key": ALICE_KEY},
            {"user": "bob", "key": BOB_KEY},
        ],
    }
    return {**raw, **overrides}


@pytest.fixture
def upstream() -> Iterator[OpenAIServer]:
    server = OpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.unscripted, f"upstream requests with nothing scripted: {server.unscripted}"


class ThreadServer:
    """uvicorn serving an app on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ThreadServer]]:
    """serve(raw_config, **adapters): the gateway on SQLite in tmp_path unless the config
    names a database."""
    servers: list[ThreadServer] = []

    def start(raw: dict[str, Any], **adapters: Any) -> ThreadServer:
        raw = {"database_url": f"sqlite:///{tmp_path / 'gateway.db'}", **raw}
        app = create_app(GatewaySetup(parse_config(raw, {}), **adapters))
        servers.append(ThreadServer(app).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def client(server: ThreadServer, key: str = ALICE_KEY) -> openai.OpenAI:
    """The official client; no retries, so each test sees the gateway's first answer."""
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0, timeout=30)
