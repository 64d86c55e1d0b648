"""A BudgetStore on SQLModel, in the same database as the usage store, so every
replica of the gateway reads the budgets any of them set."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, select

from cascadeflow.adapters.sql_database import SQLDatabase, driver_sql
from cascadeflow.adapters.sqlmodel_tables import UTCDateTime
from cascadeflow.adapters.system_clock import SystemClock
from cascadeflow.application.ports import BudgetStore, Clock, UsageStore, WouldBlock
from cascadeflow.domain.budgets import BudgetConfig

_SCHEMA_LOCK_KEY = 0x63666C6F7762  # pg_advisory_xact_lock key for this table's DDL


class BudgetRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_budgets"

    user_id: str = Field(primary_key=True)
    daily: float | None = None
    weekly: float | None = None
    monthly: float | None = None
    total: float | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


_GET = "SELECT daily, weekly, monthly, total FROM cascadeflow_budgets WHERE user_id = :user_id"


def _budget(row: BudgetRow) -> BudgetConfig:
    return BudgetConfig(daily=row.daily, weekly=row.weekly, monthly=row.monthly, total=row.total)


def _stored(row: Sequence[float | None] | None) -> BudgetConfig | None:
    """The budget a _GET row holds."""
    if row is None:
        return None
    daily, weekly, monthly, total = row
    return BudgetConfig(daily=daily, weekly=weekly, monthly=monthly, total=total)


def _tables(_postgres: bool) -> Sequence[Table]:
    # SQLModel sets __table__ on table classes; its stubs do not declare it.
    return [BudgetRow.__table__]  # type: ignore[attr-defined]


class SQLModelBudgetStore(BudgetStore):
    """``clock`` stamps ``updated_at`` on every put (default: the system clock)."""

    def __init__(self, url: str | None = None, clock: Clock | None = None) -> None:
        self._db = SQLDatabase(
            url, label="budget database", tables=_tables, schema_lock_key=_SCHEMA_LOCK_KEY
        )
        self._clock = clock or SystemClock()

    def close(self) -> None:
        self._db.close()

    def get(self, user_id: str) -> BudgetConfig | None:
        # read on every budgeted request: one plain statement, one round trip
        return _stored(self._db.fetch_one(_GET, {"user_id": user_id}))

    def shares_database_with(self, usage: UsageStore) -> bool:
        """PostgreSQL: whether ``usage`` opens the same database; if so, the budgets
        table is created now (once), for the reservations that read it."""
        url = getattr(usage, "connection_url", None)
        if not (self._db.postgres and url is not None
                and url() == self._db.engine.url.render_as_string(hide_password=False)):
            return False
        self._db.ensure_schema()
        return True

    async def get_async(self, user_id: str) -> BudgetConfig | None:
        """PostgreSQL: ``get`` on the event loop (pg_async.py); WouldBlock elsewhere."""
        connections = self._db.async_postgres()
        if connections is None:
            raise WouldBlock("no asynchronous driver for this database")
        async with connections.connection() as conn:
            async with conn.cursor() as cur:
                await cur.execute(driver_sql(_GET, postgres=True), {"user_id": user_id})
                row = await cur.fetchone()
        return _stored(row)

    def put(self, user_id: str, budget: BudgetConfig) -> None:
        values = {
            "user_id": user_id,
            "daily": budget.daily,
            "weekly": budget.weekly,
            "monthly": budget.monthly,
            "total": budget.total,
            "updated_at": self._clock.now(),
        }
        insert = postgres_insert(BudgetRow) if self._db.postgres else sqlite_insert(BudgetRow)
        changed = {k: v for k, v in values.items() if k != "user_id"}
        upsert = insert.values(values).on_conflict_do_update(index_elements=["user_id"], set_=changed)
        with self._db.transaction(write=True) as session:
            session.connection().execute(upsert)

    def all(self) -> dict[str, BudgetConfig]:
        with self._db.transaction(write=False) as session:
            return {row.user_id: _budget(row) for row in session.exec(select(BudgetRow))}
