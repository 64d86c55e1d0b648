"""Reserve + commit throughput and latency of SQLModelUsageStore:
`python benchmarks/usage_store_bench.py`.

One operation is what a budgeted call costs the store: reserve (lock, sum the windows,
insert) then commit (drop the reservation, store the entry). Every process works for the
same user with daily and monthly limits, the worst case: all of them queue for one lock.
SQLite uses a fresh file; PostgreSQL a scratch schema in the database named by
CASCADEFLOW_TEST_POSTGRES_URL (skipped when unset), dropped afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier


from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.testing import scratch_schema
from cascadeflow.domain.budgets import CostEntry, ReservationRequest, Window

SECONDS = 4.0  # per configuration
LIMITS = {Window.DAILY: 1e9, Window.MONTHLY: 1e9}
SPAWN = multiprocessing.get_context("spawn")


def one_operation(store: SQLModelUsageStore) -> None:
    now = datetime.now(UTC)
    reservation = store.reserve(ReservationRequest(
        id=uuid.uuid4().hex, user_id="bench", amount=0.01, limits=LIMITS,
        now=now, ttl=timedelta(minutes=5),
    ))
    assert reservation is not None
    entry = CostEntry(id=uuid.uuid4().hex, model="gpt-4o-mini", provider="openai",
                      cost=0.004, timestamp=now, user_id="bench",
                      input_tokens=900, output_tokens=120)
    assert store.commit(reservation.id, entry)


def work(url: str, start: Barrier, results: multiprocessing.Queue[list[float]]) -> None:
    store = SQLModelUsageStore(url)
    one_operation(store)  # connect and create the schema outside the measurement
    start.wait()
    latencies: list[float] = []
    deadline = time.perf_counter() + SECONDS
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        one_operation(store)
        latencies.append(time.perf_counter() - began)
    results.put(latencies)
    store.close()


def measure(url: str, processes: int) -> str:
    start = SPAWN.Barrier(processes)
    results: multiprocessing.Queue[list[float]] = SPAWN.Queue()
    workers = [SPAWN.Process(target=work, args=(url, start, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    latencies = sorted(x for _ in workers for x in results.get(timeout=SECONDS + 60))
    for worker in workers:
        worker.join()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    return (f"{processes:>9}  {len(latencies):>7,}  {len(latencies) / SECONDS:>8,.0f}"
            f"  {p50:>8.2f}  {p99:>8.2f}")


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{directory}/bench.db"


def postgres_url(base: str) -> AbstractContextManager[str]:
    return scratch_schema(base, "cascadeflow_bench")


def main() -> None:
    print(f"reserve + commit, one user, {SECONDS:.0f} s per row, latency per operation\n")
    header = ("processes", "ops", "ops/s", "p50 ms", "p99 ms")
    print(f"{'backend':10}  " + "  ".join(f"{h:>{w}}" for h, w in zip(header, (9, 7, 8, 8, 8))))
    for processes in (1, 4):
        with sqlite_url() as url:
            print(f"{'sqlite':10}  {measure(url, processes)}")
    base = os.environ.get("CASCADEFLOW_TEST_POSTGRES_URL")
    if not base:
        print("postgresql  skipped: set CASCADEFLOW_TEST_POSTGRES_URL=postgresql+psycopg://…")
        return
    for processes in (1, 4):
        with postgres_url(base) as url:
            print(f"{'postgresql':10}  {measure(url, processes)}")


if __name__ == "__main__":
    main()
