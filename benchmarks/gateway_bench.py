"""What the REST gateway costs: `python benchmarks/gateway_bench.py`.

Against the fake OpenAI upstream on loopback (tests/integration/openai_server.py), run in
a process of its own so that it shares no interpreter with the clients measured:
- latency p50/p99 of one request at a time: the upstream called directly (httpx), a bare
  `litellm.acompletion` to it, and `cascadeflow serve` (1 worker) in front of it, whose
  figure minus the direct one is what the gateway adds (auth, budget reserve/commit in
  the database, LiteLLM, the cascade, JSON);
- requests per second of that one worker with 32 requests in flight, and of bare
  `litellm.acompletion` with 32 in flight from one process (the issue's target: the
  PostgreSQL gateway at >= 80% of it; p50 over bare LiteLLM <= 1 ms in memory, <= 3 ms
  on PostgreSQL);
- time to the first token and to the last of a streamed answer (20 words written 10 ms
  apart): bare LiteLLM streaming, the gateway naming the model, and the gateway's
  cascade relaying its verifier live after rejecting a draft.
Every path is measured in alternating rounds (a share of the sequential requests for
each path in turn; then likewise a share of the in-flight time), the gateways all
running, so the machine's slow spells fall on every figure alike. Budgets are on (every request
reserves and commits), for 32 users taking turns. The
gateway runs on a process-local in-memory store (what the gateway itself costs), SQLite
(the embedded default: two fsynced write transactions per request) and, when
CASCADEFLOW_TEST_POSTGRES_URL is set, a scratch PostgreSQL schema.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the gateway's process helper lives with the tests

from tests.gateway.serve_process import ServeProcess  # noqa: E402
from _upstream_process import SLOW, UNSURE, upstream_process  # noqa: E402

from cascadeflow.adapters.litellm_loader import load_litellm  # noqa: E402
from cascadeflow.entrypoints.rest.config import hash_key  # noqa: E402
from cascadeflow.testing import scratch_schema  # noqa: E402

SEQUENTIAL = 300
IN_FLIGHT = 32
THROUGHPUT_SECONDS = 12.0  # per path, over all rounds (rounds of 2 s: ramp-up and drain stay small)
ROUNDS = 6
P50_TARGETS = {"gateway, 1 worker, in-memory store": " (target: <= 1 ms)",
               "gateway, 1 worker, PostgreSQL": " (target: <= 3 ms)"}
USERS = [f"bench{i:02d}" for i in range(32)]
MESSAGES = [{"role": "user", "content": "What is 6 times 7?"}]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@contextmanager
def gateway(upstream: str, database_url: str, folder: Path) -> Iterator[str]:
    def model(name: str, price: float) -> dict[str, object]:
        return {"name": name, "provider": "openai", "api_base": upstream, "api_key": "sk-bench",
                "input_cost_per_token": price, "output_cost_per_token": price}

    config = {
        "database_url": database_url,
        "server": {"max_attempts": 1},
        "quality": {"mode": "fast"},  # fixed rules: the hedge is always rejected
        "models": [model("fake-small", 1e-7), model(UNSURE[0], 1e-7), model(SLOW[0], 1e-6)],
        "default_models": ["fake-small"],
        "presets": {"escalating": [UNSURE[0], SLOW[0]]},
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


Call = Callable[[int], Awaitable[None]]


async def in_flight_rate(call: Call, seconds: float) -> float:
    """Calls per second with IN_FLIGHT of them running at once."""
    done = 0
    deadline = time.perf_counter() + seconds

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


def paths(upstream: str, gateways: dict[str, str], client: Callable[[], httpx.AsyncClient]
          ) -> dict[str, Call]:
    """Every path measured, by name: the upstream directly, bare LiteLLM, each gateway.
    Each HTTP path has a client of its own, so its connections stay open across rounds
    as a real client's do (a shared pool smaller than all paths' in-flight requests
    would reconnect at every round and measure TCP set-up instead)."""
    litellm = load_litellm()
    http = client()

    async def direct(_: int) -> None:
        response = await http.post(f"{upstream}/chat/completions",
                                   json={"model": "fake-small", "messages": MESSAGES, "max_tokens": 16})
        assert response.status_code == 200

    async def bare_litellm(_: int) -> None:
        await litellm.acompletion(model="openai/fake-small", messages=MESSAGES, max_tokens=16,
                                  api_base=upstream, api_key="sk-bench",
                                  num_retries=0, max_retries=0)

    def through(url: str) -> Call:
        http = client()

        async def ask(i: int) -> None:
            user = USERS[i % len(USERS)]
            response = await http.post(f"{url}/v1/chat/completions", headers={
                "Authorization": f"Bearer cf-{user}"}, json={"model": "cascadeflow",
                                                              "messages": MESSAGES, "max_tokens": 16})
            assert response.status_code == 200, response.text
        return ask

    return {"upstream directly (httpx)": direct, "bare litellm.acompletion": bare_litellm,
            **{f"gateway, 1 worker, {name}": through(url) for name, url in gateways.items()}}


async def measure(calls: dict[str, Call]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Latencies of sequential calls, then in-flight rates, each in ROUNDS alternating
    rounds: a round gives every path its share, so the machine's slow spells fall on all."""
    latencies: dict[str, list[float]] = {name: [] for name in calls}
    rates: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        for i in range(10):
            await call(i)  # warm connections and imports
    for _ in range(ROUNDS):  # latencies first: load leaves idle connections and threads behind
        for name, call in calls.items():
            for i in range(SEQUENTIAL // ROUNDS):
                started = time.perf_counter()
                await call(i)
                latencies[name].append((time.perf_counter() - started) * 1000)
    for _ in range(ROUNDS):
        for name, call in calls.items():
            if name != "upstream directly (httpx)":
                rates[name].append(await in_flight_rate(call, THROUGHPUT_SECONDS / ROUNDS))
    return latencies, rates


@contextmanager
def postgres_schema() -> Iterator[str | None]:
    base = os.environ.get("CASCADEFLOW_TEST_POSTGRES_URL")
    if not base:
        yield None
        return
    with scratch_schema(base, "cascadeflow_bench") as url:
        yield url


FIRST_TOKEN_RUNS = 30


async def first_token(stream: Callable[[], Awaitable[tuple[float, float]]]) -> tuple[float, float]:
    """Median time to the first text and to the end, in ms, of FIRST_TOKEN_RUNS streams."""
    firsts, lasts = [], []
    for _ in range(FIRST_TOKEN_RUNS):
        first, last = await stream()
        firsts.append(first)
        lasts.append(last)
    return statistics.median(firsts), statistics.median(lasts)


async def time_to_first_token(upstream: str, gateway_url: str, http: httpx.AsyncClient
                              ) -> dict[str, tuple[float, float]]:
    """Streams of SLOW's answer (20 words, 10 ms apart): bare LiteLLM, the gateway naming
    the model, and the gateway's cascade whose draft (a hedge) is rejected first."""
    litellm = load_litellm()

    async def bare() -> tuple[float, float]:
        started, first = time.perf_counter(), None
        chunks = await litellm.acompletion(model=f"openai/{SLOW[0]}", messages=MESSAGES, stream=True,
                                           api_base=upstream, api_key="sk-bench", num_retries=0, max_retries=0)
        async for chunk in chunks:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter()
        return (first or time.perf_counter()) - started, time.perf_counter() - started

    def through(model: str) -> Callable[[], Awaitable[tuple[float, float]]]:
        async def stream() -> tuple[float, float]:
            started, first = time.perf_counter(), None
            body = {"model": model, "messages": MESSAGES, "stream": True}
            async with http.stream("POST", f"{gateway_url}/v1/chat/completions", json=body,
                                   headers={"Authorization": f"Bearer cf-{USERS[0]}"}) as response:
                assert response.status_code == 200
                async for line in response.aiter_lines():
                    if first is None and '"content":"word' in line:
                        first = time.perf_counter()
            return (first or time.perf_counter()) - started, time.perf_counter() - started
        return stream

    paths = {"bare litellm.acompletion (stream)": bare, "gateway, one model": through(SLOW[0]),
             "gateway, cascade after a rejected draft": through("escalating")}
    found = {}
    for name, stream in paths.items():
        first, last = await first_token(stream)
        found[name] = (first * 1000, last * 1000)
    return found


def main() -> None:
    with (upstream_process() as upstream, tempfile.TemporaryDirectory() as folder,
          postgres_schema() as pg, ExitStack() as stack):
        stores = {"in-memory store": "memory", "SQLite": f"sqlite:///{Path(folder) / 'bench.db'}"}
        if pg:
            stores["PostgreSQL"] = pg
        gateways = {name: stack.enter_context(gateway(upstream, url, Path(folder)))
                    for name, url in stores.items()}

        async def run() -> tuple[dict[str, list[float]], dict[str, list[float]],
                                 dict[str, tuple[float, float]]]:
            async with AsyncExitStack() as clients:
                def client() -> httpx.AsyncClient:
                    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
                    http = httpx.AsyncClient(timeout=60, limits=limits)
                    clients.push_async_callback(http.aclose)
                    return http
                measured = await measure(paths(upstream, gateways, client))
                streams = await time_to_first_token(upstream, gateways["in-memory store"], client())
                return (*measured, streams)

        latencies, rates, streams = asyncio.run(run())
    report(latencies, rates)
    print(f"time to first token, ms (median of {FIRST_TOKEN_RUNS}; the upstream writes 20 words "
          "10 ms apart; in-memory store):")
    for name, (first, last) in streams.items():
        print(f"  {name:<42} first {first:7.1f}   last {last:7.1f}")


def report(latencies: dict[str, list[float]], rates: dict[str, list[float]]) -> None:
    d50, d99 = percentiles(latencies["upstream directly (httpx)"])
    b50 = percentiles(latencies["bare litellm.acompletion"])[0]
    bare_rate = statistics.median(rates["bare litellm.acompletion"])
    print(f"{SEQUENTIAL} sequential requests per path in {ROUNDS} alternating rounds; ms; "
          "'added' is over the direct call")
    print(f"{'path':<42} {'p50':>8} {'p99':>8} {'added p50':>10} {'added p99':>10}")
    for name, samples in latencies.items():
        p50, p99 = percentiles(samples)
        line = f"{name:<42} {p50:8.2f} {p99:8.2f} {p50 - d50:+10.2f} {p99 - d99:+10.2f}"
        if name.startswith("gateway"):
            line += f"   {p50 - b50:+.2f} over bare LiteLLM{P50_TARGETS.get(name, '')}"
        print(line)
    for name, measured in rates.items():
        if not measured:
            continue
        rate = statistics.median(measured)
        share = "" if name.startswith("bare") else f", {rate / bare_rate:.0%} of bare LiteLLM's"
        if name.endswith("PostgreSQL"):
            share += " (target: >= 80%)"
        print(f"{name}: {rate:.0f} req/s with {IN_FLIGHT} in flight (median of {len(measured)} "
              f"rounds){share}")


if __name__ == "__main__":
    main()
