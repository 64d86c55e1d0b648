"""A BudgetStore on SQLModel, in the same database as the usage store, so every
replica of the gateway reads the budgets any of them set."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, select

from cascadeflow.adapters.sqlmodel_store import _SQLITE_BEGIN, DEFAULT_URL, _engine_for
from cascadeflow.adapters.sqlmodel_tables import UTCDateTime
from cascadeflow.application.ports import BudgetStore
from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.domain.errors import StorageError

_SCHEMA_LOCK_KEY = 0x63666C6F7762  # pg_advisory_xact_lock key for this table's DDL


class BudgetRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_budgets"

    user_id: str = Field(primary_key=True)
    daily: float | None = None
    weekly: float | None = None
    monthly: float | None = None
    total: float | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


def _budget(row: BudgetRow) -> BudgetConfig:
    return BudgetConfig(daily=row.daily, weekly=row.weekly, monthly=row.monthly, total=row.total)


class SQLModelBudgetStore(BudgetStore):
    def __init__(self, url: str | None = None) -> None:
        if url is None:
            url = os.environ.get("CASCADEFLOW_DATABASE_URL", DEFAULT_URL)
        self._engine = _engine_for(url)
        self._url = self._engine.url.render_as_string(hide_password=True)
        self._postgres = self._engine.dialect.name == "postgresql"
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def close(self) -> None:
        self._engine.dispose()

    def get(self, user_id: str) -> BudgetConfig | None:
        with self._session(write=False) as session:
            row = session.get(BudgetRow, user_id)
            return _budget(row) if row is not None else None

    def put(self, user_id: str, budget: BudgetConfig) -> None:
        values = {
            "user_id": user_id,
            "daily": budget.daily,
            "weekly": budget.weekly,
            "monthly": budget.monthly,
            "total": budget.total,
            "updated_at": datetime.now(UTC),
        }
        insert = postgres_insert(BudgetRow) if self._postgres else sqlite_insert(BudgetRow)
        changed = {k: v for k, v in values.items() if k != "user_id"}
        upsert = insert.values(values).on_conflict_do_update(index_elements=["user_id"], set_=changed)
        with self._session(write=True) as session:
            session.connection().execute(upsert)

    def all(self) -> dict[str, BudgetConfig]:
        with self._session(write=False) as session:
            return {row.user_id: _budget(row) for row in session.exec(select(BudgetRow))}

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        try:
            self._ensure_schema()
            with Session(self._engine) as session:
                session.connection(execution_options={_SQLITE_BEGIN: "IMMEDIATE" if write else "DEFERRED"})
                yield session
                session.commit()
        except SQLAlchemyError as exc:
            raise StorageError(f"budget database {self._url}: {getattr(exc, 'orig', None) or exc}") from exc

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            table: Table = BudgetRow.__table__  # type: ignore[attr-defined]
            with self._engine.connect() as conn:
                conn.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})
                with conn.begin():
                    if self._postgres:  # replicas starting together must not race on DDL
                        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
                    SQLModel.metadata.create_all(conn, tables=[table])
            self._schema_ready = True
