"""A UsageStore on SQLModel: SQLite by default, PostgreSQL for several replicas.

Reservations are serialized per database, not per process. SQLite takes the file's
write lock up front (BEGIN IMMEDIATE) for every write, so processes sharing the file
queue behind each other. PostgreSQL locks one row per budget scope (the user, and "*"
when global limits apply) and then checks committed spend plus live reservations in a
single statement, so the check and the insert see one consistent state.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, select, text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, SQLModel, col

from cascadeflow.adapters.sqlmodel_tables import (
    CostEntryRow,
    ReservationRow,
    ScopeLockRow,
    SettlementRow,
    entry_from_row,
    entry_row,
    reservation_row,
    schema,
)
from cascadeflow.application.ports import UsageStore
from cascadeflow.domain.budgets import (
    CostEntry,
    Reservation,
    ReservationRequest,
    Window,
    window_start,
)
from cascadeflow.domain.budgets_math import SpendFn, fits
from cascadeflow.domain.errors import CascadeflowError, ConfigurationError, StorageError

DEFAULT_URL = "sqlite:///./cascadeflow.db"
URL_HELP = (
    "use sqlite:///path/to/cascadeflow.db (optionally ?timeout=SECONDS) or "
    "postgresql+psycopg://user:password@host:5432/dbname"
)
GLOBAL_SCOPE = "*"  # a user named "*" shares this lock: slower, never wrong
# Reservations expired a day ago are deleted, at most hourly per store: until then
# reserved() with a past `now` still sees them. Settlements are kept: they make a late
# second commit a no-op.
PRUNE_AFTER = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)
_SQLITE_BEGIN = "cascadeflow_sqlite_begin"
_SCHEMA_LOCK_KEY = 0x63666C6F77  # pg_advisory_xact_lock key: serializes create_all


class SQLModelUsageStore(UsageStore):
    def __init__(self, url: str | None = None) -> None:
        if url is None:
            url = os.environ.get("CASCADEFLOW_DATABASE_URL", DEFAULT_URL)
        self._engine = _engine_for(url)
        self._url = self._engine.url.render_as_string(hide_password=True)
        self._postgres = self._engine.dialect.name == "postgresql"
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._pruned_at: datetime | None = None

    def close(self) -> None:
        """Close pooled connections (the store reconnects if used again)."""
        self._engine.dispose()

    def reserve(self, request: ReservationRequest) -> Reservation | None:
        with self._transaction(write=True) as session:
            if self._postgres:
                self._lock_scopes(session, request)
            self._prune(session, request.now)
            if not self._fits(session.connection(), request):
                return None
            reservation = request.grant()
            session.add(reservation_row(reservation))
            return reservation

    def commit(self, reservation_id: str, entry: CostEntry) -> bool:
        row = entry_row(entry)
        with self._transaction(write=True) as session:
            session.exec(delete(ReservationRow).where(col(ReservationRow.id) == reservation_id))
            settled = SettlementRow(reservation_id=reservation_id, entry_id=entry.id)
            return self._insert_new(session, settled) and self._insert_new(session, row)

    def release(self, reservation_id: str) -> None:
        with self._transaction(write=True) as session:
            session.exec(delete(ReservationRow).where(col(ReservationRow.id) == reservation_id))

    def record(self, entry: CostEntry) -> bool:
        row = entry_row(entry)
        with self._transaction(write=True) as session:
            return self._insert_new(session, row)

    def spent(self, user_id: str | None, since: datetime | None) -> float:
        with self._transaction(write=False) as session:
            return float(session.connection().scalar(select(_spent(user_id, since))) or 0.0)

    def reserved(self, user_id: str | None, now: datetime) -> float:
        with self._transaction(write=False) as session:
            return float(session.connection().scalar(select(_reserved(user_id, now))) or 0.0)

    def count(self, user_id: str | None) -> int:
        query = select(func.count()).select_from(CostEntryRow).where(*_entry_filter(user_id, None))
        with self._transaction(write=False) as session:
            return int(session.connection().scalar(query) or 0)

    def entries(
        self, user_id: str | None = None, since: datetime | None = None
    ) -> list[CostEntry]:
        query = select(CostEntryRow).where(*_entry_filter(user_id, since))
        query = query.order_by(col(CostEntryRow.timestamp), col(CostEntryRow.id))
        with self._transaction(write=False) as session:
            return [entry_from_row(row) for row in session.scalars(query)]

    def _fits(self, conn: Connection, request: ReservationRequest) -> bool:
        """Committed spend per window plus live reservations, for the user and (with
        global limits) everyone, read in one statement so that they are consistent."""
        scopes: dict[str | None, Mapping[Window, float]] = {request.user_id: request.limits}
        if request.global_limits:
            scopes[None] = request.global_limits
        windows = [(user, window_start(w, request.now)) for user in scopes for w in scopes[user]]
        if not windows:
            return True
        columns = [_spent(user, since) for user, since in windows]
        columns += [_reserved(user, request.now) for user in scopes]
        values = [float(v) for v in conn.execute(select(*columns)).one()]
        spent = dict(zip(windows, values[: len(windows)], strict=True))
        held = dict(zip(scopes, values[len(windows) :], strict=True))

        def used_by(user: str | None) -> SpendFn:
            return lambda since: spent[user, since] + held[user]

        return all(fits(request.amount, scopes[u], request.now, used_by(u)) for u in scopes)

    def _prune(self, session: Session, now: datetime) -> None:
        if self._pruned_at is not None and abs(now - self._pruned_at) < PRUNE_EVERY:
            return
        self._pruned_at = now
        expired = col(ReservationRow.expires_at) < now - PRUNE_AFTER
        session.exec(delete(ReservationRow).where(expired))

    def _lock_scopes(self, session: Session, request: ReservationRequest) -> None:
        """Row-lock the scopes this reservation is checked against, in sorted order so
        two transactions never wait on each other's locks."""
        scopes = sorted({request.user_id} | ({GLOBAL_SCOPE} if request.global_limits else set()))
        rows = [{"scope": scope} for scope in scopes]
        session.exec(postgres_insert(ScopeLockRow).values(rows).on_conflict_do_nothing())
        locked = select(col(ScopeLockRow.scope)).where(col(ScopeLockRow.scope).in_(scopes))
        session.scalars(locked.order_by(col(ScopeLockRow.scope)).with_for_update()).all()

    def _insert_new(self, session: Session, row: SQLModel) -> bool:
        """Insert unless a row with the same primary key exists; True if inserted."""
        values = row.model_dump(by_alias=False)
        table = type(row)
        insert = postgres_insert(table) if self._postgres else sqlite_insert(table)
        statement = insert.values(values).on_conflict_do_nothing()
        # rowcount of an INSERT is only kept when asked for (psycopg reports -1 otherwise)
        options = {"preserve_rowcount": True}
        return session.connection().execute(statement, execution_options=options).rowcount == 1

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Session]:
        try:
            self._ensure_schema()
            with Session(self._engine) as session:
                begin = "IMMEDIATE" if write else "DEFERRED"
                session.connection(execution_options={_SQLITE_BEGIN: begin})
                yield session
                session.commit()
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            if isinstance(cause, CascadeflowError):  # raised by our own column types
                raise cause from None
            raise StorageError(f"usage database {self._url}: {cause}") from exc

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            with self._engine.connect() as conn:
                conn.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})
                with conn.begin():
                    if self._postgres:  # replicas starting together must not race on DDL
                        lock = text("SELECT pg_advisory_xact_lock(:key)")
                        conn.execute(lock, {"key": _SCHEMA_LOCK_KEY})
                    SQLModel.metadata.create_all(conn, tables=schema(self._postgres))
            self._schema_ready = True


def _engine_for(raw_url: str) -> Engine:
    try:
        url = make_url(raw_url)
    except ArgumentError as exc:
        raise ConfigurationError(f"database URL {raw_url!r} does not parse: {URL_HELP}") from exc
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if url.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "an in-memory SQLite database is private to one connection; "
                f"use InMemoryUsageStore, or a file: {URL_HELP}"
            )
        connect_args = {} if "timeout" in url.query else {"timeout": 30.0}
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return create_engine(url.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    raise ConfigurationError(f"unsupported database URL {url.drivername}://…: {URL_HELP}")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would emit its own BEGIN lazily, before the first write only, which
    # defeats BEGIN IMMEDIATE: turn it off and begin in _on_sqlite_begin instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: the WAL is synced at every commit, so a committed cost entry survives a
    # power cut or OS crash too, not only a process crash (NORMAL's guarantee).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_SQLITE_BEGIN, 'DEFERRED')}")


def _entry_filter(user_id: str | None, since: datetime | None) -> list[ColumnElement[bool]]:
    where = [] if user_id is None else [col(CostEntryRow.user_id) == user_id]
    return where if since is None else [*where, col(CostEntryRow.timestamp) >= since]


def _spent(user_id: str | None, since: datetime | None) -> ScalarSelect[float]:
    total = func.coalesce(func.sum(CostEntryRow.cost), 0.0)
    return select(total).where(*_entry_filter(user_id, since)).scalar_subquery()


def _reserved(user_id: str | None, now: datetime) -> ScalarSelect[float]:
    where = [col(ReservationRow.expires_at) > now]
    if user_id is not None:
        where.append(col(ReservationRow.user_id) == user_id)
    total = func.coalesce(func.sum(ReservationRow.amount), 0.0)
    return select(total).where(*where).scalar_subquery()
