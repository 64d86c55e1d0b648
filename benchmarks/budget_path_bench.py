"""What a budget costs a call, against the database's own commit:
`python benchmarks/budget_path_bench.py [--history N ...]`.

For SQLite (WAL, synchronous=FULL, a fresh file) and PostgreSQL (a scratch schema in
CASCADEFLOW_TEST_POSTGRES_URL; skipped when unset), in one run:

- one bare durable commit: an INSERT of a small row and its COMMIT, on the driver alone
  (PostgreSQL: into an ordinary table, whose commit waits for the WAL flush);
- a budgeted ``agent.run`` (fake provider, the draft accepted: the budget decision with
  the reservation, then the commit) for a new user, and for users with N entries stored in
  today's window (20,000 by default; the issue's 1,000,000 with ``--history 20000
  1000000``, which takes minutes to load);
- the same run with no budget, for the share the cascade itself takes.

Ratios are of medians measured in the same run, in alternating rounds (the machine's
slow spells fall on every figure alike). The README's fake example is timed as a whole
process against bare Python (its bytecode cached, as an installed package's is), and
whether it imported LiteLLM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cascadeflow import BudgetConfig, CascadeAgent, CostTracker, ModelConfig
from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.domain.budgets import CostEntry
from cascadeflow.testing import FakeProvider, scratch_schema

RUNS = 300
MODELS = [ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)]
README = Path(__file__).resolve().parent.parent / "README.md"
HEAVY = ("litellm", "fastapi", "starlette", "dependency_injector", "sqlalchemy", "pydantic",
         "httpx", "opentelemetry", "numpy", "rich", "typer")


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    return interleaved_ms({"only": fn}, runs)["only"]


def interleaved_ms(fns: dict[str, Callable[[], object]], runs: int = RUNS) -> dict[str, float]:
    """Median milliseconds of each callable, measured in alternating rounds so that the
    machine's slow and fast spells fall on all of them alike."""
    for fn in fns.values():
        for _ in range(20):  # warm caches, connections, statement caches
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(10):
        for name, fn in fns.items():
            for _ in range(runs // 10):
                began = time.perf_counter()
                fn()
                samples[name].append(time.perf_counter() - began)
    return {name: statistics.median(xs) * 1000 for name, xs in samples.items()}


def bare_sqlite_commit(path: str) -> Callable[[], None]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS bare (id TEXT PRIMARY KEY, cost REAL)")

    def commit() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bare VALUES (?, ?)", (uuid.uuid4().hex, 0.001))
        conn.execute("COMMIT")

    return commit


def bare_postgres_commit(url: str) -> Callable[[], None]:
    """INSERT + COMMIT into an ordinary (logged) table of the scratch schema: a temporary
    table writes no WAL, so its commit would not wait for the disk."""
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE bare (id TEXT PRIMARY KEY, cost DOUBLE PRECISION)")
    conn.commit()

    def commit() -> None:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO bare VALUES (%s, %s)", (uuid.uuid4().hex, 0.001))
        conn.commit()

    return commit


def load_history(store: SQLModelUsageStore, user: str, count: int) -> None:
    """``count`` entries for ``user`` in today's window, written in bulk."""
    now = datetime.now(UTC) - timedelta(seconds=1)
    store.record_many(CostEntry(id=uuid.uuid4().hex, model="small", provider="openai",
                                cost=1e-9, timestamp=now, user_id=user)
                      for _ in range(count))


def agent_for(store: SQLModelUsageStore | None) -> CascadeAgent:
    fake = FakeProvider({"small": ["Paris is the capital of France."], "large": ["Paris."]})
    tracker = None
    if store is not None:
        tracker = CostTracker(store=store, default_budget=BudgetConfig(daily=1e6, monthly=1e7))
    return CascadeAgent(MODELS, quality_validation_mode="fast", provider=fake, cost_tracker=tracker)


def run_once(agent: CascadeAgent, user: str, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    def once() -> None:
        result = loop.run_until_complete(agent.run("Capital of France?", user_id=user))
        assert result.model_used == "small", result.model_used
    return once


def run_ms(agent: CascadeAgent, user: str) -> float:
    loop = asyncio.new_event_loop()
    try:
        return median_ms(run_once(agent, user, loop))
    finally:
        loop.close()


def measure(label: str, url: str, bare: Callable[[], None], histories: list[int]) -> None:
    """The bare commit, the new user's run and each heavy user's run, interleaved."""
    store = SQLModelUsageStore(url)
    agent = agent_for(store)
    loaded = {}
    for count in histories:
        began = time.perf_counter()
        load_history(store, f"heavy-{count}", count)
        loaded[count] = time.perf_counter() - began
    loop = asyncio.new_event_loop()
    runs = {"bare": bare, "new": run_once(agent, f"new-{uuid.uuid4().hex[:6]}", loop),
            **{str(c): run_once(agent, f"heavy-{c}", loop) for c in histories}}
    found = interleaved_ms(runs)
    loop.close()
    bare_ms, new_user = found["bare"], found["new"]
    print(f"{label:10}  bare durable commit        {bare_ms:7.3f} ms")
    print(f"{label:10}  budgeted run, new user     {new_user:7.3f} ms  "
          f"{new_user / bare_ms:5.1f}x bare commit  (target <= 3x)")
    for count in histories:
        heavy = found[str(count)]
        print(f"{label:10}  budgeted run, {count:>9,} entries {heavy:7.3f} ms  "
              f"{heavy / new_user:5.2f}x new user  (target <= 1.2x; loaded in {loaded[count]:.1f} s)")
    store.close()


@contextmanager
def sqlite_url() -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{directory}/bench.db", f"{directory}/bare.db"


def readme_example() -> str:
    """The README's "Testing your own code" block, as written there."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Testing your own code"):]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def light_start() -> None:
    """The README example as a whole process, against bare Python. With its bytecode
    cached, as an installed package has it (pip compiles a wheel's modules when it
    installs them): an editable checkout under PYTHONDONTWRITEBYTECODE, as on this
    machine, would otherwise compile cascadeflow's source at every start, which no
    user of a release pays. The cache goes to a scratch folder (PYTHONPYCACHEPREFIX),
    written by a first run that is not timed."""
    python = sys.executable
    code = readme_example()
    probe = code + f"\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    with tempfile.TemporaryDirectory() as directory:
        example = Path(directory, "example.py")
        example.write_text(code, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(directory, "pycache"))

        def whole(args: list[str]) -> float:
            samples = []
            for _ in range(10):
                began = time.perf_counter()
                subprocess.run([python, *args], check=True, capture_output=True, cwd=directory, env=env)
                samples.append(time.perf_counter() - began)
            return statistics.median(samples[1:])  # the first run writes the bytecode cache

        bare = whole(["-c", "pass"])
        took = whole([str(example)])
        loaded = subprocess.run([python, "-c", probe], check=True, capture_output=True, text=True,
                                cwd=directory, env=env).stdout.strip()
    print(f"README fake example: {took:.3f} s as a process, bare Python {bare:.3f} s: "
          f"{took - bare:.3f} s over (target <= 0.3 s); heavy modules loaded: {loaded or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, nargs="*", default=[20_000],
                        help="stored entries of the heavy users (default 20000)")
    args = parser.parse_args()
    light_start()
    unbudgeted = run_ms(agent_for(None), "anyone")
    print(f"unbudgeted run (the cascade alone): {unbudgeted:.3f} ms")
    with sqlite_url() as (url, bare_path):
        measure("sqlite", url, bare_sqlite_commit(bare_path), args.history)
    base = os.environ.get("CASCADEFLOW_TEST_POSTGRES_URL")
    if not base:
        print("postgresql  skipped: set CASCADEFLOW_TEST_POSTGRES_URL=postgresql+psycopg://…")
        return
    with scratch_schema(base, "cascadeflow_bench") as url:
        measure("postgresql", url, bare_postgres_commit(url), args.history)


if __name__ == "__main__":
    main()
