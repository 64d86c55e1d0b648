"""What the REST gateway costs: `python benchmarks/gateway_bench.py`.

Against the fake OpenAI upstream on loopback (tests/integration/openai_server.py):
- latency p50/p99 of one request at a time: the upstream called directly (httpx), a bare
  `litellm.acompletion` to it, and `cascadeflow serve` (1 worker) in front of it, whose
  figure minus the direct one is what the gateway adds (auth, budget reserve/commit in
  the database, LiteLLM, the cascade, JSON);
- requests per second of that one worker with 32 requests in flight, and of bare
  `litellm.acompletion` with 32 in flight from one process (the issue's target: the
  PostgreSQL gateway at >= 80% of it; p50 over bare LiteLLM <= 1 ms in memory, <= 3 ms
  on PostgreSQL).
Budgets are on (every request reserves and commits), for 32 users taking turns. The
gateway runs on a process-local in-memory store (what the gateway itself costs), SQLite
(the embedded default: two fsynced write transactions per request) and, when
CASCADEFLOW_TEST_POSTGRES_URL is set, a scratch PostgreSQL schema.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake upstream lives with the tests

from tests.gateway.serve_process import ServeProcess  # noqa: E402
from tests.integration.openai_server import OpenAIServer, Reply  # noqa: E402

from cascadeflow.adapters.litellm_loader import load_litellm  # noqa: E402
from cascadeflow.entrypoints.gateway_config import hash_key  # noqa: E402
from cascadeflow.testing import scratch_schema  # noqa: E402

SEQUENTIAL = 300
IN_FLIGHT = 32
THROUGHPUT_SECONDS = 6.0
USERS = [f"bench{i:02d}" for i in range(32)]
MESSAGES = [{"role": "user", "content": "What is 6 times 7?"}]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def timed(call: Callable[[int], Awaitable[None]], runs: int = SEQUENTIAL) -> list[float]:
    for i in range(10):
        await call(i)  # warm connections and imports
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        await call(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextmanager
def gateway(upstream: OpenAIServer, database_url: str, folder: Path) -> Iterator[str]:
    config = {
        "database_url": database_url,
        "server": {"max_attempts": 1},
        "models": [{"name": "fake-small", "provider": "openai", "api_base": upstream.base_url,
                    "api_key": "sk-bench", "input_cost_per_token": 1e-7, "output_cost_per_token": 1e-7}],
        "default_budget": {"daily": 1000.0},
        "keys": [{"user": u, "sha256": hash_key(f"cf-{u}")} for u in USERS],
    }
    path = folder / f"gateway-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(config))
    server = ServeProcess("--config", str(path), cwd=folder)
    try:
        yield server.wait_ready().url
    finally:
        server.stop()


async def gateway_figures(url: str) -> tuple[list[float], float]:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=IN_FLIGHT)) as http:
        async def ask(i: int) -> None:
            user = USERS[i % len(USERS)]
            response = await http.post(f"{url}/v1/chat/completions", headers={
                "Authorization": f"Bearer cf-{user}"}, json={"model": "cascadeflow",
                                                              "messages": MESSAGES, "max_tokens": 16})
            assert response.status_code == 200, response.text

        samples = await timed(ask)
        return samples, await in_flight_rate(ask)


async def in_flight_rate(call: Callable[[int], Awaitable[None]]) -> float:
    """Calls per second with IN_FLIGHT of them running at once."""
    done = 0
    deadline = time.perf_counter() + THROUGHPUT_SECONDS

    async def worker(offset: int) -> None:
        nonlocal done
        i = offset
        while time.perf_counter() < deadline:
            await call(i)
            done += 1
            i += IN_FLIGHT

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(IN_FLIGHT)))
    return done / (time.perf_counter() - started)


async def bare_litellm_rate(upstream: OpenAIServer) -> float:
    """Bare litellm.acompletion, IN_FLIGHT at once from one process: what one gateway
    worker is compared with."""
    litellm = load_litellm()

    async def call(_: int) -> None:
        await litellm.acompletion(model="openai/fake-small", messages=MESSAGES, max_tokens=16,
                                  api_base=upstream.base_url, api_key="sk-bench",
                                  num_retries=0, max_retries=0)

    return await in_flight_rate(call)


async def baselines(upstream: OpenAIServer) -> tuple[list[float], list[float]]:
    litellm = load_litellm()
    async with httpx.AsyncClient(timeout=60) as http:
        async def direct(_: int) -> None:
            response = await http.post(f"{upstream.base_url}/chat/completions",
                                       json={"model": "fake-small", "messages": MESSAGES, "max_tokens": 16})
            assert response.status_code == 200

        async def bare_litellm(_: int) -> None:
            await litellm.acompletion(model="openai/fake-small", messages=MESSAGES, max_tokens=16,
                                      api_base=upstream.base_url, api_key="sk-bench",
                                      num_retries=0, max_retries=0)

        return await timed(direct), await timed(bare_litellm)


@contextmanager
def postgres_schema() -> Iterator[str | None]:
    base = os.environ.get("CASCADEFLOW_TEST_POSTGRES_URL")
    if not base:
        yield None
        return
    with scratch_schema(base, "cascadeflow_bench") as url:
        yield url


def row(label: str, samples: list[float], direct_p50: float, direct_p99: float) -> str:
    p50, p99 = percentiles(samples)
    return f"{label:<42} {p50:8.2f} {p99:8.2f} {p50 - direct_p50:+10.2f} {p99 - direct_p99:+10.2f}"


def main() -> None:
    upstream = OpenAIServer().start()
    upstream.script("fake-small", *[Reply("The answer is 42.")] * 200_000)
    try:
        direct, bare = asyncio.run(baselines(upstream))
        bare_rate = asyncio.run(bare_litellm_rate(upstream))
        d50, d99 = percentiles(direct)
        b50, _ = percentiles(bare)
        print(f"{SEQUENTIAL} sequential requests each; ms; 'added' is over the direct call")
        print(f"{'path':<42} {'p50':>8} {'p99':>8} {'added p50':>10} {'added p99':>10}")
        print(row("upstream directly (httpx)", direct, d50, d99))
        print(row("bare litellm.acompletion", bare, d50, d99))
        throughput = []
        with tempfile.TemporaryDirectory() as folder, postgres_schema() as pg:
            stores = [("in-memory store", "memory"), ("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")]
            stores += [("PostgreSQL", pg)] if pg else []
            for name, url in stores:
                with gateway(upstream, url, Path(folder)) as base:
                    samples, per_second = asyncio.run(gateway_figures(base))
                print(row(f"gateway, 1 worker, {name}", samples, d50, d99)
                      + f"   {percentiles(samples)[0] - b50:+.2f} over bare LiteLLM")
                throughput.append(f"gateway, 1 worker, {name}: {per_second:.0f} req/s "
                                  f"with {IN_FLIGHT} in flight, {per_second / bare_rate:.0%} of "
                                  "bare LiteLLM's")
        print(f"bare litellm.acompletion: {bare_rate:.0f} req/s with {IN_FLIGHT} in flight")
        print("\n".join(throughput))
    finally:
        upstream.stop()


if __name__ == "__main__":
    main()
