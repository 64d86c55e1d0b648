"""Several OS processes sharing one SQLite file or one PostgreSQL database, and processes
killed with SIGKILL while they hold a reservation or are in the middle of a run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier, Event

import pytest

from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.domain.budgets import CostEntry, ReservationRequest, Window

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
COST = 0.03
PROCESSES = 4
FITTING = 42  # the daily limit fits exactly this many calls of COST
ROUNDS = 25  # every process tries once per round: 100 attempts for 42 places
SPAWN = multiprocessing.get_context("spawn")


def spend(
    store: SQLModelUsageStore, amount: float, limit: float, now: datetime = NOW
) -> str | None:
    """One call's reserve -> commit; the committed entry's id, None when refused."""
    reservation = store.reserve(ReservationRequest(
        id=uuid.uuid4().hex, user_id="alice", amount=amount,
        limits={Window.DAILY: limit}, now=now, ttl=TTL,
    ))
    if reservation is None:
        return None
    entry = CostEntry(id=uuid.uuid4().hex, model="m", provider="openai", cost=amount,
                      timestamp=now, user_id="alice")
    return entry.id if store.commit(reservation.id, entry) else None


def kill(process: multiprocessing.process.BaseProcess) -> None:
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=30)
    assert process.exitcode == -signal.SIGKILL


# -- children (module level: the spawn context imports them by name) -----------------------


def race_for_the_budget(url: str, start: Barrier, results: multiprocessing.Queue[int]) -> None:
    store = SQLModelUsageStore(url)
    store.spent(None, None)  # connect and create the schema before the race starts
    committed = 0
    for _ in range(ROUNDS):
        start.wait()  # every round is a race; the 11th has 4 callers for 2 places
        committed += spend(store, COST, COST * FITTING) is not None
    results.put(committed)
    store.close()


def commit_then_hold(url: str, commits: int, held: float, holding: Event) -> None:
    store = SQLModelUsageStore(url)
    for _ in range(commits):
        assert spend(store, COST, 100.0) is not None
    store.reserve(ReservationRequest(
        id="held-by-the-dead", user_id="alice", amount=held,
        limits={Window.DAILY: 100.0}, now=NOW, ttl=TTL,
    ))
    holding.set()
    threading.Event().wait()  # until SIGKILL


def spend_and_report(url: str, report: Connection) -> None:
    store = SQLModelUsageStore(url)
    while True:
        committed = spend(store, COST, 1000.0)
        if committed is not None:
            report.send(committed)


# -- tests ------------------------------------------------------------------------------------


def test_processes_sharing_a_database_never_overspend(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(shared_url)
    store.spent(None, None)
    start = SPAWN.Barrier(PROCESSES)
    results: multiprocessing.Queue[int] = SPAWN.Queue()
    workers = [SPAWN.Process(target=race_for_the_budget, args=(shared_url, start, results))
               for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    committed = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    assert sum(committed) == FITTING
    assert len(store.entries("alice")) == FITTING
    assert store.spent("alice", None) <= COST * FITTING + 1e-9
    assert store.spent("alice", None) == pytest.approx(COST * FITTING)
    assert store.reserved("alice", NOW) == 0.0


def test_a_process_killed_holding_a_reservation(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    holding = SPAWN.Event()
    child = SPAWN.Process(target=commit_then_hold, args=(shared_url, 5, 2.0, holding))
    child.start()
    assert holding.wait(timeout=60), "the child never took its reservation"
    kill(child)

    store = sql_stores(shared_url)
    assert len(store.entries("alice")) == 5
    assert store.spent("alice", None) == pytest.approx(5 * COST)
    limit = 5 * COST + 2.5
    just_before_expiry = NOW + TTL - timedelta(microseconds=1)
    assert store.reserved("alice", just_before_expiry) == pytest.approx(2.0)
    assert spend(store, 1.0, limit, now=just_before_expiry) is None
    assert store.reserved("alice", NOW + TTL) == 0.0
    assert spend(store, 2.5, limit, now=NOW + TTL) is not None
    assert store.spent("alice", None) == pytest.approx(limit)


def test_a_process_killed_mid_run_loses_no_committed_entry(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    receiver, sender = SPAWN.Pipe(duplex=False)
    child = SPAWN.Process(target=spend_and_report, args=(shared_url, sender))
    child.start()
    reported = [receiver.recv() for _ in range(30)]  # killed somewhere in its next call
    kill(child)
    while receiver.poll():
        reported.append(receiver.recv())

    store = sql_stores(shared_url)
    stored = {e.id for e in store.entries("alice")}
    assert set(reported) <= stored
    assert len(stored) - len(reported) <= 1  # at most the commit it had no time to report
    assert store.spent("alice", None) == pytest.approx(COST * len(stored))
    assert store.reserved("alice", NOW) <= COST + 1e-9
    assert store.reserved("alice", NOW + TTL) == 0.0
    assert spend(store, COST, 1000.0) is not None  # no lock outlived the process
