"""Several `cascadeflow serve` processes sharing PostgreSQL keep every budget: 500
concurrent requests from 50 users with small budgets, spread over two replicas."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cascadeflow.bootstrap import usage_store
from cascadeflow.entrypoints.rest.config import hash_key
from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import SMALL, ServeProcess

USERS = [f"user{i:02d}" for i in range(50)]
PER_USER = 10
BUDGET = 2e-4  # USD, all-time: room for about four reservations of one request at a time
MAX_TOKENS = 16


def _key(user: str) -> str:
    return f"cf-load-{user}"


@pytest.fixture
def replicas(tmp_path: Path, postgres_url: str, upstream: OpenAIServer) -> Iterator[list[ServeProcess]]:
    config = {
        "database_url": postgres_url,
        "server": {"timeout": 60.0, "max_attempts": 1},
        "models": [{**SMALL, "api_base": upstream.base_url,
                    "input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6}],
        "users": {u: {"budget": {"total": BUDGET}} for u in USERS},
        "keys": [{"user": u, "sha256": hash_key(_key(u))} for u in [*USERS, "warmup"]],
    }
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(config))
    # Two servers, one of them with two workers: three processes on one database.
    servers = [ServeProcess("--config", str(path), *args, cwd=tmp_path) for args in [("--workers", "2"), ()]]
    try:
        yield [server.wait_ready() for server in servers]
    finally:
        for server in servers:
            server.stop()


async def _ask(http: httpx.AsyncClient, url: str, user: str, n: int) -> tuple[str, int, dict[str, Any]]:
    body = {"model": "cascadeflow", "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": f"Question {n} from {user}?"}]}
    response = await http.post(f"{url}/v1/chat/completions", json=body,
                               headers={"Authorization": f"Bearer {_key(user)}"})
    return user, response.status_code, response.json()


async def _storm(urls: list[str]) -> list[tuple[str, int, dict[str, Any]]]:
    limits = httpx.Limits(max_connections=600, max_keepalive_connections=600)
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        jobs = [_ask(http, urls[(i + n) % len(urls)], user, n)
                for n in range(PER_USER) for i, user in enumerate(USERS)]
        return await asyncio.gather(*jobs)


def test_500_concurrent_requests_across_two_replicas_keep_every_budget(
    replicas: list[ServeProcess], upstream: OpenAIServer, postgres_url: str
) -> None:
    upstream.script("fake-small", *[Reply("The answer is 42.", prompt_tokens=12)] * 600)
    # LiteLLM's first import, off the clock; two calls reach both workers of the first server
    warm = [_ask_sync(server.url) for server in [*replicas, *replicas]]
    assert warm == [200] * len(warm)

    outcomes = asyncio.run(_storm([server.url for server in replicas]))

    statuses = Counter(status for _, status, _ in outcomes)
    assert set(statuses) <= {200, 429}, statuses
    assert statuses[200] > 0 and statuses[429] > 0, statuses
    assert all(body["error"]["code"] == "budget_exceeded" for _, s, body in outcomes if s == 429)
    answered: dict[str, list[float]] = defaultdict(list)
    for user, status, body in outcomes:
        if status == 200:
            answered[user].append(body["cascadeflow"]["cost"])

    store = usage_store(postgres_url)
    for user in USERS:
        entries = store.entries(user)
        assert sum(e.cost for e in entries) <= BUDGET + 1e-12, user
        assert len(entries) == len(answered[user]), user  # one stored entry per answer
        assert sum(e.cost for e in entries) == pytest.approx(sum(answered[user]), abs=1e-12), user
    assert store.reserved(None, datetime.now(UTC)) == 0.0
    assert len(upstream.requests) == statuses[200] + len(warm)  # blocked requests called nothing
    print(f"\nload: {statuses[200]} answered, {statuses[429]} blocked (429) across "
          f"3 worker processes; max spend {max(store.spent(u, None) for u in USERS):.6f} "
          f"of {BUDGET:.6f} per user")


def _ask_sync(url: str) -> int:
    body = {"model": "cascadeflow", "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": "Warm up?"}]}
    return httpx.post(f"{url}/v1/chat/completions", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {_key('warmup')}"}).status_code
