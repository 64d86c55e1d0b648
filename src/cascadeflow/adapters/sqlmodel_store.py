"""A UsageStore on SQLModel: SQLite by default, PostgreSQL for several replicas.

Reservations are serialized per database, not per process. SQLite takes the file's
write lock up front (BEGIN IMMEDIATE) for every write, so processes sharing the file
queue behind each other. PostgreSQL locks one row per budget scope (the user, and "*"
when global limits apply) and then checks committed spend plus live reservations in a
single statement, so the check and the insert see one consistent state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, SQLModel, col

from cascadeflow.adapters.sql_database import SQLDatabase
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

GLOBAL_SCOPE = "*"  # a user named "*" shares this lock: slower, never wrong
# Reservations expired a day ago are deleted, at most hourly per store: until then
# reserved() with a past `now` still sees them. Settlements are kept: they make a late
# second commit a no-op.
PRUNE_AFTER = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)
_SCHEMA_LOCK_KEY = 0x63666C6F77  # pg_advisory_xact_lock key: serializes create_all


class SQLModelUsageStore(UsageStore):
    def __init__(self, url: str | None = None) -> None:
        self._db = SQLDatabase(
            url, label="usage database", tables=schema, schema_lock_key=_SCHEMA_LOCK_KEY
        )
        self._postgres = self._db.postgres
        self._pruned_at: datetime | None = None

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._db.url

    def connection_url(self) -> str:
        """The database URL with its password, to open another store on the same database."""
        return self._db.engine.url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Close pooled connections (the store reconnects if used again)."""
        self._db.close()

    def reserve(self, request: ReservationRequest) -> Reservation | None:
        with self._db.transaction(write=True) as session:
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
        with self._db.transaction(write=True) as session:
            session.exec(delete(ReservationRow).where(col(ReservationRow.id) == reservation_id))
            settled = SettlementRow(reservation_id=reservation_id, entry_id=entry.id)
            return self._insert_new(session, settled) and self._insert_new(session, row)

    def release(self, reservation_id: str) -> None:
        with self._db.transaction(write=True) as session:
            session.exec(delete(ReservationRow).where(col(ReservationRow.id) == reservation_id))

    def record(self, entry: CostEntry) -> bool:
        row = entry_row(entry)
        with self._db.transaction(write=True) as session:
            return self._insert_new(session, row)

    def spent(self, user_id: str | None, since: datetime | None) -> float:
        with self._db.transaction(write=False) as session:
            return float(session.connection().scalar(select(_spent(user_id, since))) or 0.0)

    def reserved(self, user_id: str | None, now: datetime) -> float:
        with self._db.transaction(write=False) as session:
            return float(session.connection().scalar(select(_reserved(user_id, now))) or 0.0)

    def count(self, user_id: str | None) -> int:
        query = select(func.count()).select_from(CostEntryRow).where(*_entry_filter(user_id, None))
        with self._db.transaction(write=False) as session:
            return int(session.connection().scalar(query) or 0)

    def entries(
        self, user_id: str | None = None, since: datetime | None = None
    ) -> list[CostEntry]:
        query = select(CostEntryRow).where(*_entry_filter(user_id, since))
        query = query.order_by(col(CostEntryRow.timestamp), col(CostEntryRow.id))
        with self._db.transaction(write=False) as session:
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
