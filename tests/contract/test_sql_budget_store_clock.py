"""The SQL budget store dates each change by its Clock, not the wall clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from cascadeflow.adapters.sqlmodel_budgets import SQLModelBudgetStore
from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.testing import FakeClock

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def test_put_stamps_the_clocks_time(tmp_path: Path) -> None:
    path = tmp_path / "budgets.db"
    store = SQLModelBudgetStore(f"sqlite:///{path}", clock=FakeClock(NOW))
    store.put("alice", BudgetConfig(daily=1))
    store.close()
    with sqlite3.connect(path) as conn:
        [(stamp,)] = conn.execute("SELECT updated_at FROM cascadeflow_budgets").fetchall()
    assert datetime.fromisoformat(stamp).replace(tzinfo=UTC) == NOW
