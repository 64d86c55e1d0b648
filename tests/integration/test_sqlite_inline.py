"""Budget calls on SQLite run on the event loop when they need not wait (no thread hop),
and move to a thread when another process holds the write lock: the loop never stalls."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.domain.budgets import CostEntry

from .budget_runs import agent_on, waiting_with_the_loop_running


async def test_a_run_waits_for_another_writer_off_the_loop(tmp_path: Path) -> None:
    store = SQLModelUsageStore(f"sqlite:///{tmp_path / 'usage.db'}")
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")  # tables made, connections warm
    locker = sqlite3.connect(tmp_path / "usage.db", isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process's write lock
    run = await waiting_with_the_loop_running(agent.run("Capital of France?", user_id="u"))
    locker.execute("COMMIT")
    result = await asyncio.wait_for(run, timeout=10)
    assert result.model_used == "small"
    assert store.count("u") == 2 and store.verify_totals() == []


async def test_uncontended_calls_run_on_the_loop_thread(tmp_path: Path) -> None:
    store = SQLModelUsageStore(f"sqlite:///{tmp_path / 'usage.db'}")
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")  # the first run creates the tables
    threads: list[str] = []
    commit = store.commit

    def recording(reservation_id: str, entry: CostEntry) -> bool:
        threads.append(threading.current_thread().name)
        return commit(reservation_id, entry)

    store.commit = recording  # type: ignore[method-assign]
    for _ in range(3):
        await agent.run("Capital of France?", user_id="u")
    assert threads == [threading.current_thread().name] * 3
