"""A UsageStore on SQLModel: SQLite by default, PostgreSQL for several replicas.

Spend is kept twice, in one transaction: the cost entries, and running totals per scope
(each user, and all users), window and period (``SpendTotalRow``). A budget check reads
a few totals rows and the live reservations, so it costs the same for a user with a
million entries as for a new one. ``verify_totals`` recomputes them from the entries;
a database made before the totals existed gets them built from its entries once.

Reservations are serialized per database, not per process. SQLite takes the file's
write lock up front (BEGIN IMMEDIATE) for every write, so processes sharing the file
queue behind each other. PostgreSQL takes one advisory lock per budget scope (the user,
and "*" when global limits apply) and then checks committed spend plus live reservations
in a single statement, so the check and the insert see one consistent state (in READ
COMMITTED transactions, which its connections ask for: the statement's snapshot is taken
after the lock wait).

Reservations commit without waiting for the disk (SQLite synchronous=NORMAL,
PostgreSQL synchronous_commit off, for that transaction only), and so do releases and
lease renewals on SQLite: a power cut can lose one, never a crash of the process, and
a lost hold only frees budget its dead caller could not spend. Cost entries commit
durably.

Upgrading a shared database from a release without running totals: stop the old
release's writers first (they store entries without totals), let one new process open
the database (it fills the totals under a lock), then `cascadeflow usage --verify`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import col

from cascadeflow.adapters.pg_async import AsyncPostgres
from cascadeflow.adapters.pg_loop import LoopConnections, LoopLease
from cascadeflow.adapters.sql_database import SQLDatabase, without_waiting
from cascadeflow.adapters.usage_sql import RESERVE_FUNCTION, TOTALS, UsageSQL
from cascadeflow.adapters.sqlmodel_tables import (
    CostEntryRow,
    ReservationRow,
    SpendTotalRow,
    entry_from_row,
    schema,
)
from cascadeflow.application.ports import AsyncUsageCalls, UsageStore
from cascadeflow.domain.budgets import (
    BudgetConfig,
    CostEntry,
    Reservation,
    ReservationRequest,
    ScopeUsage,
    Window,
    aligned_window,
    TotalKey,
    scope_of,
    totals_of,
)
from cascadeflow.domain.budgets_math import fits_standing

GLOBAL_SCOPE = "*"  # a user named "*" shares this lock: slower, never wrong
# Reservations expired a day ago are deleted, at most hourly per store: until then
# reserved() with a past `now` still sees them. Settlements are kept: they make a late
# second commit a no-op.
PRUNE_AFTER = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)
_SCHEMA_LOCK_KEY = 0x63666C6F77  # pg_advisory_xact_lock key: serializes create_all


@dataclass(frozen=True, slots=True)
class TotalsMismatch:
    """A totals row that differs from what its entries add up to."""

    scope: str
    window: str
    period: datetime
    stored: tuple[float, int]
    expected: tuple[float, int]


class SQLModelUsageStore(UsageStore):
    def __init__(self, url: str | None = None) -> None:
        self._db = SQLDatabase(
            url, label="usage database", tables=schema, schema_lock_key=_SCHEMA_LOCK_KEY,
            on_create=_fill_new_totals, postgres_ddl=(RESERVE_FUNCTION,),
        )
        self._postgres = self._db.postgres
        self._sql = UsageSQL(self._postgres)
        self._pruned_at: datetime | None = None
        self._async_calls: _AsyncUsage | None = None  # once the tables exist (PostgreSQL)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._db.url

    def attempt_inline(self) -> AbstractContextManager[None] | None:
        """SQLite: calls inside fail with WouldBlock rather than wait for a lock, so an
        event loop may run them itself first. PostgreSQL: None (every statement is a
        network round trip: its budget calls wait on the loop through ``async_calls``,
        the others go to a thread)."""
        return None if self._postgres else without_waiting()

    def async_calls(self) -> AsyncUsageCalls | None:
        """PostgreSQL: reserve, commit and release waiting on the event loop (psycopg's
        AsyncConnection, pg_async.py), with the statements of the blocking calls."""
        if self._async_calls is None and (connections := self._db.async_postgres()) is not None:
            self._async_calls = _AsyncUsage(self, connections, self._db.loop_postgres())
        return self._async_calls

    def connection_url(self) -> str:
        """The database URL with its password, to open another store on the same database."""
        return self._db.engine.url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Close pooled connections (the store reconnects if used again)."""
        self._db.close()

    def reserve(self, request: ReservationRequest) -> Reservation | None:
        return self._reserve(request, read=False)[0]

    def reserve_and_read(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage]:
        reservation, standing = self._reserve(request, read=True)
        assert standing is not None
        return reservation, *standing

    def _reserve(self, request: ReservationRequest, *, read: bool
                 ) -> tuple[Reservation | None, tuple[ScopeUsage, ScopeUsage] | None]:
        if self._postgres:  # one round trip, locking the scopes it is checked against
            scopes = [request.user_id] + ([GLOBAL_SCOPE] if request.global_limits else [])
            with self._db.driver_cursor(write=True) as cur:
                reservation, mine, everyone = self._sql.reserve_in_one_trip(
                    cur, request, scopes, self._prune_due(request.now))
            return reservation, (mine, everyone)
        with self._db.driver_cursor(write=True, durable=False) as cur:
            self._prune(cur, request.now)
            standing = None
            if read or request.limits or request.global_limits:
                standing = mine, everyone = self._sql.standing(cur, request.user_id, request.now)
                if not (fits_standing(request.amount, request.limits, mine.spent, mine.held)
                        and fits_standing(request.amount, request.global_limits,
                                          everyone.spent, everyone.held)):
                    return None, standing
            reservation = request.grant()
            self._sql.insert_reservation(cur, reservation)
            return reservation, standing

    def commit(self, reservation_id: str, entry: CostEntry) -> bool:
        with self._db.driver_cursor(write=True) as cur:  # on PostgreSQL, one statement
            return self._sql.store(cur, entry, reservation_id)

    def release(self, reservation_id: str) -> None:
        with self._db.driver_cursor(write=True, durable=False) as cur:
            self._sql.delete_reservation(cur, reservation_id)

    def renew(self, reservation_ids: Sequence[str], expires_at: datetime) -> None:
        if reservation_ids:
            with self._db.driver_cursor(write=True, durable=False) as cur, self._sql.transaction(cur):
                self._sql.renew(cur, reservation_ids, expires_at)

    def record(self, entry: CostEntry) -> bool:
        with self._db.driver_cursor(write=True) as cur:
            return self._sql.store(cur, entry)

    def record_many(self, entries: Iterable[CostEntry], batch: int = 5000) -> int:
        """Store entries in bulk (an import of history), ``batch`` per transaction;
        entries whose id is stored already are skipped. Returns how many were stored."""
        stored = 0
        chunk: list[CostEntry] = []
        for entry in entries:
            chunk.append(entry)
            if len(chunk) >= batch:
                stored += self._record_batch(chunk)
                chunk = []
        return stored + (self._record_batch(chunk) if chunk else 0)

    def spent(self, user_id: str | None, since: datetime | None) -> float:
        with self._db.connect(write=False) as conn:
            return float(conn.scalar(select(_spent_since(user_id, since))) or 0.0)

    def reserved(self, user_id: str | None, now: datetime) -> float:
        with self._db.connect(write=False) as conn:
            return float(conn.scalar(select(_reserved(user_id, now))) or 0.0)

    def count(self, user_id: str | None) -> int:
        with self._db.connect(write=False) as conn:
            return int(conn.scalar(select(_calls(user_id))) or 0)

    def usage(self, user_ids: Sequence[str | None], now: datetime) -> list[ScopeUsage]:
        if not user_ids:
            return []
        found: dict[str | None, ScopeUsage] = {}
        # one snapshot per statement: each user's standing is read with everyone's
        with self._db.driver_cursor(write=False) as cur:
            for user in dict.fromkeys(u for u in user_ids if u is not None) or [""]:
                found[user], found[None] = self._sql.standing(cur, user, now)
        return [found[user] for user in user_ids]

    def entries(
        self, user_id: str | None = None, since: datetime | None = None
    ) -> list[CostEntry]:
        query = select(CostEntryRow).where(*_entry_filter(user_id, since))
        query = query.order_by(col(CostEntryRow.timestamp), col(CostEntryRow.id))
        with self._db.transaction(write=False) as session:
            return [entry_from_row(row) for row in session.scalars(query)]

    def verify_totals(self) -> list[TotalsMismatch]:
        """Every totals row that differs from the sum of its entries (empty when all
        agree), read in one snapshot."""
        with self._db.connect(write=False) as conn:
            if self._postgres:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            expected = _totals_from_entries(conn)
            stored = {(r.scope, r.window, _utc(r.period)): (float(r.spent), int(r.calls))
                      for r in conn.execute(select(_totals_table()))}
        mismatches = []
        for key in sorted(set(expected) | set(stored), key=lambda k: (k[0], k[1], k[2])):
            want, have = expected.get(key, (0.0, 0)), stored.get(key, (0.0, 0))
            if have[1] != want[1] or abs(have[0] - want[0]) > 1e-9 * max(1.0, abs(want[0])):
                scope, window, period = key
                mismatches.append(TotalsMismatch(scope, window, period, have, want))
        return mismatches

    def rebuild_totals(self) -> int:
        """Recompute every totals row from the entries; returns how many rows there are."""
        with self._db.connect(write=True) as conn:  # SQLite: the write lock, taken up front
            if self._postgres:  # no entry stored, no total added while they are rebuilt
                conn.exec_driver_sql(f"LOCK TABLE {TOTALS}, cascadeflow_cost_entries IN EXCLUSIVE MODE")
            conn.execute(delete(SpendTotalRow))
            return _write_totals(conn, _totals_from_entries(conn))

    def _record_batch(self, entries: list[CostEntry]) -> int:
        with self._db.driver_cursor(write=True) as cur, self._sql.transaction(cur, pipelined=False):
            return self._sql.store_many(cur, entries)

    def _prune(self, cur: Any, now: datetime) -> None:
        if (before := self._prune_due(now)) is not None:
            self._sql.prune(cur, before)

    def _prune_due(self, now: datetime) -> datetime | None:
        """Delete reservations expired before the instant returned, if a prune is due."""
        if self._pruned_at is not None and abs(now - self._pruned_at) < PRUNE_EVERY:
            return None
        self._pruned_at = now
        return now - PRUNE_AFTER


class _AsyncUsage:
    """SQLModelUsageStore's budget calls on PostgreSQL as coroutines (AsyncUsageCalls):
    through psycopg's connections, which serve any event loop, until the running loop
    has made a few of them; then through asyncpg connections of that loop's own, whose
    protocol costs the worker about half the CPU (``loop``, pg_loop.py; None where the
    URL's settings do not translate to asyncpg's)."""

    def __init__(self, store: SQLModelUsageStore, connections: AsyncPostgres,
                 loop: LoopConnections | None) -> None:
        self._store = store
        self._sql = store._sql
        self._connections = connections
        self._loop = loop

    def _own_connection(self) -> LoopLease | None:
        """A lease on one of the running loop's asyncpg connections if this call should
        use them. psycopg's idle connections close as a loop switches: the ones its first
        calls opened would otherwise stay open beside its own (other loops reopen them)."""
        if self._loop is None:
            return None
        return self._loop.lease_if_warm(self._connections.close)

    async def reserve_and_read(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage]:
        return (await self._reserve(request, None))[:3]

    async def reserve_with_stored_budget(
        self, request: ReservationRequest
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage, BudgetConfig | None]:
        return await self._reserve(request, request.user_id)

    async def _reserve(
        self, request: ReservationRequest, budget_user: str | None
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage, BudgetConfig | None]:
        scopes = [request.user_id] + ([GLOBAL_SCOPE] if request.global_limits else [])
        if (lease := self._own_connection()) is not None:
            async with lease as own:
                return await self._sql.reserve_in_one_trip_asyncpg(
                    own, request, scopes, self._store._prune_due(request.now), budget_user)
        async with self._connections.connection() as conn:
            return await self._sql.reserve_in_one_trip_async(
                conn, request, scopes, self._store._prune_due(request.now), budget_user)

    async def reserve(self, request: ReservationRequest) -> Reservation | None:
        return (await self.reserve_and_read(request))[0]

    async def commit(self, reservation_id: str, entry: CostEntry) -> bool:
        if (lease := self._own_connection()) is not None:
            async with lease as own:
                return await self._sql.store_asyncpg(own, entry, reservation_id)
        async with self._connections.connection() as conn:
            return await self._sql.store_async(conn, entry, reservation_id)

    async def release(self, reservation_id: str) -> None:
        if (lease := self._own_connection()) is not None:
            async with lease as own:
                await self._sql.delete_reservation_asyncpg(own, reservation_id)
                return
        async with self._connections.connection() as conn:
            await self._sql.delete_reservation_async(conn, reservation_id)


def _totals_table() -> Table:
    return SpendTotalRow.__table__  # type: ignore[attr-defined,no-any-return]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _totals_from_entries(conn: Connection) -> dict[TotalKey, tuple[float, int]]:
    query = select(col(CostEntryRow.user_id), col(CostEntryRow.cost), col(CostEntryRow.timestamp))
    rows = conn.execute(query, execution_options={"yield_per": 10_000})
    return totals_of((user_id, cost, _utc(timestamp)) for user_id, cost, timestamp in rows)


def _write_totals(conn: Connection, totals: Mapping[TotalKey, tuple[float, int]]) -> int:
    rows = [{"scope": k[0], "window": k[1], "period": k[2], "spent": v[0], "calls": v[1]}
            for k, v in sorted(totals.items())]
    for start in range(0, len(rows), 5000):
        conn.execute(_totals_table().insert(), rows[start : start + 5000])
    return len(rows)


def _fill_new_totals(conn: Connection, created: set[str]) -> None:
    """A database from before the running totals: build them from its entries, once,
    in the transaction that creates their table."""
    if TOTALS in created:
        if conn.dialect.name == "postgresql":  # replicas of this release wait for the fill
            conn.exec_driver_sql("LOCK TABLE cascadeflow_cost_entries IN SHARE MODE")
        _write_totals(conn, _totals_from_entries(conn))


def _entry_filter(user_id: str | None, since: datetime | None) -> list[ColumnElement[bool]]:
    where = [] if user_id is None else [col(CostEntryRow.user_id) == user_id]
    return where if since is None else [*where, col(CostEntryRow.timestamp) >= since]


def _totals_sum(user_id: str | None, window: Window, since: datetime | None) -> ScalarSelect[float]:
    """Spend of the totals rows of ``window`` from the period starting at ``since`` on."""
    where = [col(SpendTotalRow.scope) == scope_of(user_id), col(SpendTotalRow.window) == window.value]
    if since is not None:
        where.append(col(SpendTotalRow.period) >= since)
    total = func.coalesce(func.sum(SpendTotalRow.spent), 0.0)
    return select(total).where(*where).scalar_subquery()


def _spent_since(user_id: str | None, since: datetime | None) -> ScalarSelect[float]:
    """Committed spend since ``since``: from the totals when ``since`` starts a period
    of some window (every budget window does), else summed over the entries."""
    if since is None:
        return _totals_sum(user_id, Window.TOTAL, None)
    if (window := aligned_window(since)) is not None:
        return _totals_sum(user_id, window, since)
    total = func.coalesce(func.sum(CostEntryRow.cost), 0.0)
    return select(total).where(*_entry_filter(user_id, since)).scalar_subquery()


def _calls(user_id: str | None) -> ScalarSelect[int]:
    where = [col(SpendTotalRow.scope) == scope_of(user_id), col(SpendTotalRow.window) == Window.TOTAL.value]
    return select(func.coalesce(func.sum(SpendTotalRow.calls), 0)).where(*where).scalar_subquery()


def _reserved(user_id: str | None, now: datetime) -> ScalarSelect[float]:
    where = [col(ReservationRow.expires_at) > now]
    if user_id is not None:
        where.append(col(ReservationRow.user_id) == user_id)
    total = func.coalesce(func.sum(ReservationRow.amount), 0.0)
    return select(total).where(*where).scalar_subquery()
