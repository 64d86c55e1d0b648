"""The BudgetStore port under contract: in memory, SQLite and PostgreSQL (when set)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cascadeflow.application.ports import BudgetStore
from cascadeflow.bootstrap import budget_store
from cascadeflow.domain.budgets import BudgetConfig


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], BudgetStore]]:
    """Opens stores on one place: for the databases, each call is a new connection pool,
    as a second replica would have."""
    if request.param == "memory":
        single = budget_store("memory")
        yield lambda: single
        return
    url = f"sqlite:///{tmp_path / 'budgets.db'}" if request.param == "sqlite" else str(
        request.getfixturevalue("postgres_url"))
    opened: list[BudgetStore] = []

    def open_one() -> BudgetStore:
        opened.append(budget_store(url))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()  # type: ignore[attr-defined]


def test_put_get_replace_and_list(open_store: Callable[[], BudgetStore]) -> None:
    store = open_store()
    assert store.get("alice") is None and store.all() == {}
    store.put("alice", BudgetConfig(daily=1.5))
    store.put("bob", BudgetConfig(total=10))
    store.put("alice", BudgetConfig(weekly=3, monthly=9))
    assert store.get("alice") == BudgetConfig(weekly=3, monthly=9)
    assert store.all() == {"alice": BudgetConfig(weekly=3, monthly=9), "bob": BudgetConfig(total=10)}


def test_a_second_store_on_the_same_database_sees_every_change(
    open_store: Callable[[], BudgetStore]
) -> None:
    first, second = open_store(), open_store()
    first.put("alice", BudgetConfig(daily=2))
    assert second.get("alice") == BudgetConfig(daily=2)
    second.put("alice", BudgetConfig())  # every window unlimited, still a stored budget
    assert first.get("alice") == BudgetConfig()
