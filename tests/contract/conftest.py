"""Stores under contract: in memory, SQLite in a fresh file, and PostgreSQL when
CASCADEFLOW_TEST_POSTGRES_URL names a database the tests may create schemas in."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.application.ports import UsageStore

POSTGRES_ENV = "CASCADEFLOW_TEST_POSTGRES_URL"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'usage.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped afterwards, so that
    repeated runs on one database never see each other's rows."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV}=postgresql+psycopg://user@host:5432/db")
    schema = f"cascadeflow_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


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
