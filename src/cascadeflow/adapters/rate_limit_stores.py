"""Rate-limit counters in the usage database, so that every process and gateway replica
sharing it counts together (one row per scope and minute); InMemoryRateLimits (one
process) lives in memory_rate_limits, which imports no SQL library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from cascadeflow.adapters.sql_database import SQLDatabase
from cascadeflow.adapters.sqlmodel_tables import UTCDateTime
from cascadeflow.adapters.memory_rate_limits import InMemoryRateLimits, Refusal, decide
from cascadeflow.application.ports import RateLimitStore
from cascadeflow.domain.rate_limits import Counts, RateLimit, minute_of, previous_minute

__all__ = ["InMemoryRateLimits", "RateWindowRow", "SQLRateLimits"]
_SCHEMA_LOCK_KEY = 0x63666C72617465  # pg_advisory_xact_lock key for this table's DDL


class RateWindowRow(SQLModel, table=True):
    __tablename__ = "cascadeflow_rate_windows"

    scope: str = Field(primary_key=True)
    minute: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    requests: int = 0
    tokens: int = 0


def _tables(_postgres: bool) -> Sequence[Table]:
    return [RateWindowRow.__table__]  # type: ignore[attr-defined]


class SQLRateLimits(RateLimitStore):
    """In the usage database (``url``: as the usage store's; None: the embedded default).
    Each ``take`` is one write transaction: this minute's rows are created (or, on
    PostgreSQL, row-locked by a no-op update; SQLite's write transaction holds the whole
    database), both minutes read, and the counts added only when every scope fits."""

    def __init__(self, url: str | None = None) -> None:
        self._db = SQLDatabase(url, label="rate-limit database", tables=_tables,
                               schema_lock_key=_SCHEMA_LOCK_KEY)
        self._pruned: datetime | None = None

    def close(self) -> None:
        self._db.close()

    def take(self, scopes: Sequence[tuple[str, RateLimit]], at: datetime, requests: int,
             tokens: int) -> Refusal | None:
        minute = minute_of(at)
        table = _table()
        with self._db.connect(write=True) as conn:
            for scope in sorted({s for s, _ in scopes}):  # rows locked in one order: no deadlock
                conn.execute(self._ensure(scope, minute))
            names = [s for s, _ in scopes]
            rows = conn.execute(select(table.c.scope, table.c.minute, table.c.requests, table.c.tokens)
                                .where(table.c.scope.in_(names), table.c.minute >= previous_minute(minute)))
            counts = {(name, _utc(when)): Counts(reqs, toks) for name, when, reqs, toks in rows}
            refused = decide(scopes, counts, at, requests, tokens)
            if refused is None:
                conn.execute(update(table).where(table.c.scope.in_(names), table.c.minute == minute)
                             .values(requests=table.c.requests + requests, tokens=table.c.tokens + tokens))
            if self._pruned is None or minute - self._pruned >= timedelta(minutes=10):
                conn.execute(delete(table).where(table.c.minute < previous_minute(minute)))
                self._pruned = minute
            return refused

    def add_tokens(self, scopes: Sequence[str], at: datetime, tokens: int) -> None:
        minute = minute_of(at)
        table = _table()
        with self._db.connect(write=True) as conn:
            for scope in sorted(set(scopes)):
                conn.execute(self._ensure(scope, minute))
            # a correction may be negative; a minute's count never goes below zero
            floor = func.greatest if self._db.postgres else func.max
            conn.execute(update(table).where(table.c.scope.in_(list(scopes)), table.c.minute == minute)
                         .values(tokens=floor(table.c.tokens + tokens, 0)))

    def _ensure(self, scope: str, minute: datetime) -> Any:
        insert = postgres_insert(_table()) if self._db.postgres else sqlite_insert(_table())
        row = insert.values(scope=scope, minute=minute, requests=0, tokens=0)
        # a no-op update: on PostgreSQL it row-locks an existing row for this transaction
        return row.on_conflict_do_update(index_elements=["scope", "minute"],
                                         set_={"requests": _table().c.requests})


def _table() -> Table:
    return RateWindowRow.__table__  # type: ignore[attr-defined,no-any-return]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
