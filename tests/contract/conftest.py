"""Stores under contract: in memory, SQLite in a fresh file, and PostgreSQL when
CASCADEFLOW_TEST_POSTGRES_URL names a database the tests may create schemas in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.application.ports import UsageStore

@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'usage.db'}"


@pytest.fixture
def sql_stores() -> Iterator[Callable[[str], SQLModelUsageStore]]:
    """Opens SQLModel stores and closes their pools at teardown."""
    opened: list[SQLModelUsageStore] = []

    def open_store(url: str) -> SQLModelUsageStore:
        opened.append(SQLModelUsageStore(url))
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest) -> str:
    """A database URL several processes can share."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, sql_stores: Callable[[str], SQLModelUsageStore]
) -> UsageStore:
    if request.param == "memory":
        return InMemoryUsageStore()
    return sql_stores(request.getfixturevalue(f"{request.param}_url"))
