"""The usage store's hot path as plain SQL on the driver's cursor: what a budgeted call
runs (read a standing, reserve, commit) costs little more than the database's own
work. Building SQLAlchemy statements and running them through its execution layer
took several times as long as SQLite's commit; on PostgreSQL every statement is a
round trip, so the commit is one statement there.

Statements are written once with ``:name`` parameters and given the driver's style
(sqlite3 takes them as they are, psycopg as ``%(name)s``). Instants are stored as
SQLAlchemy stores them (``UTCDateTime``): naive UTC text on SQLite, timestamptz on
PostgreSQL. ``"window"`` is quoted: it is a keyword in both.
"""

from __future__ import annotations

import functools
import json
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from cascadeflow.adapters.sql_database import PARAMETER, driver_sql
from cascadeflow.adapters.sqlmodel_tables import entry_metadata
from cascadeflow.domain.budgets_math import EPSILON
from cascadeflow.domain.budgets import (
    EVERYONE,
    WINDOW_NAMES,
    BudgetConfig,
    CostEntry,
    Reservation,
    ReservationRequest,
    ScopeUsage,
    Window,
    periods_of,
    scope_of,
    totals_of,
)

TOTALS = "cascadeflow_spend_totals"
RESERVATIONS = "cascadeflow_reservations"
_TIMED = (Window.DAILY, Window.WEEKLY, Window.MONTHLY)
# the reserving statement's parameters of each window's limit: the user's, everyone's
_WINDOWS = tuple(w for w, _ in WINDOW_NAMES)
_MINE = tuple((w, f"mine_{name}") for w, name in WINDOW_NAMES)
_ALL = tuple((w, f"all_{name}") for w, name in WINDOW_NAMES)


def _standing_columns(scope: str, held_where: str) -> list[str]:
    spent = f"(SELECT coalesce(sum(spent), 0) FROM {TOTALS} WHERE scope = :{scope} AND \"window\" = "
    return [
        *(f"{spent}'{w.value}' AND period >= :{w.value})" for w in _TIMED),
        f"{spent}'total')",
        f"(SELECT coalesce(sum(amount), 0) FROM {RESERVATIONS} WHERE expires_at > :now{held_where})",
        f"(SELECT coalesce(sum(calls), 0) FROM {TOTALS} WHERE scope = :{scope} AND \"window\" = 'total')",
    ]


# A user's standing and everyone's in one statement, so one snapshot: per scope the
# spend of the daily, weekly, monthly and all-time windows holding :now, the amount
# live reservations hold, and the calls stored.
_STANDING = "SELECT " + ", ".join(
    _standing_columns("scope", " AND user_id = :user") + _standing_columns("everyone", ""))
# PostgreSQL: the standing read and the reservation in one statement, run after the
# scope locks (so with a snapshot that sees every hold committed before the lock): the
# row is inserted only if the amount fits every limit given (NULL: no limit), the same
# rule as budgets_math.fits_standing, with its EPSILON.
_COLUMNS = [f"{c} AS c{i}" for i, c in enumerate(
    _standing_columns("scope", " AND user_id = :user") + _standing_columns("everyone", ""))]
_FITS = " AND ".join(
    f"(CAST(:{prefix}{w.value} AS double precision) IS NULL OR s.c{base + i} + s.c{base + 4} "
    f"+ CAST(:amount AS double precision) <= CAST(:{prefix}{w.value} AS double precision) + {EPSILON})"
    for prefix, base in (("mine_", 0), ("all_", 6)) for i, w in enumerate(Window))
_RESERVE_IF_FITS = (
    f"WITH s AS (SELECT {', '.join(_COLUMNS)}), "
    f"added AS (INSERT INTO {RESERVATIONS} (id, user_id, amount, created_at, expires_at) "
    f"SELECT :id, :user_id, :amount, :created_at, :expires_at FROM s WHERE {_FITS} RETURNING 1) "
    "SELECT s.*, (SELECT count(*) FROM added) FROM s")
# ... and all of a reservation in one statement, so one round trip with the least work
# for the client: a function that stops waiting for the disk at commit (for its own
# transaction), takes each scope's lock (a transaction-scoped advisory lock on a hash
# of the scope: held in memory, so no row is written for it; taken in the order of the
# keys, so two callers never wait on each other in a cycle; scopes whose hashes collide
# share a lock, which only serialises them), prunes when asked, reads the budget
# stored for ``p_budget_user`` when given (cascadeflow_budgets, the gateway's PUT
# /v1/budgets: if there is one, its limits replace the ``p_mine_*`` given), then runs
# the statement above, which, the function being VOLATILE, takes a new snapshot. It
# returns the standing, whether the row went in, and the stored budget it found.
# Replaced on every start: a new release's body takes over (a new signature needs a
# new name).
_RESERVE_PARAMETERS = (
    ("scope", "text"), ("user", "text"), ("everyone", "text"), ("now", "timestamptz"),
    ("daily", "timestamptz"), ("weekly", "timestamptz"), ("monthly", "timestamptz"),
    ("id", "text"), ("user_id", "text"), ("amount", "float8"), ("created_at", "timestamptz"),
    ("expires_at", "timestamptz"),
    *((f"{prefix}{w.value}", "float8") for prefix in ("mine_", "all_") for w in Window),
)
# the first key of a scope's advisory lock: one per schema, so that deployments sharing a
# database in schemas of their own never wait on each other's locks
SCOPE_LOCK_CLASS = "hashtext('cascadeflow budgets in ' || current_schema())"
_STORED = ", ".join(f":stored_{w.value}" for w in Window)
RESERVE_FUNCTION = (
    "CREATE OR REPLACE FUNCTION cascadeflow_reserve_v1(p_scopes text[], p_prune_before timestamptz, "
    "p_budget_user text, " + ", ".join(f"p_{name} {kind}" for name, kind in _RESERVE_PARAMETERS)
    + ") RETURNS TABLE ("
    + ", ".join(f"o{i} {'bigint' if i in (5, 11) else 'float8'}" for i in range(12))
    + ", o_added bigint, o_stored boolean, "
    + ", ".join(f"o_stored_{w.value} float8" for w in Window)
    + ") LANGUAGE plpgsql VOLATILE AS $body$ DECLARE p_stored boolean := false; p_key integer; "
    + f"p_class integer := {SCOPE_LOCK_CLASS}; "
    + " ".join(f"p_stored_{w.value} float8;" for w in Window)
    + " BEGIN "
    # the standing is read after the lock wait, with a snapshot taken then: READ COMMITTED
    # only (a REPEATABLE READ transaction keeps the snapshot of its first statement, which
    # misses a hold committed while it waited). Connections ask for it (sql_database.py);
    # one that does not is refused, never let past the budget.
    "IF current_setting('transaction_isolation') <> 'read committed' THEN RAISE EXCEPTION USING "
    "MESSAGE = 'cascadeflow reserves budget in READ COMMITTED transactions only, not ' "
    "|| current_setting('transaction_isolation'); END IF; "
    "PERFORM set_config('synchronous_commit', 'off', true); "
    "FOR p_key IN SELECT DISTINCT hashtext(s) FROM unnest(p_scopes) AS s ORDER BY 1 LOOP "
    "PERFORM pg_advisory_xact_lock(p_class, p_key); END LOOP; "
    f"IF p_prune_before IS NOT NULL THEN DELETE FROM {RESERVATIONS} WHERE expires_at < p_prune_before; "
    "END IF; "
    "IF p_budget_user IS NOT NULL THEN SELECT "
    + ", ".join(f"b.{w.value}" for w in Window) + " INTO "
    + ", ".join(f"p_stored_{w.value}" for w in Window)
    + " FROM cascadeflow_budgets AS b WHERE b.user_id = p_budget_user; p_stored := FOUND; "
    "IF p_stored THEN " + " ".join(f"p_mine_{w.value} := p_stored_{w.value};" for w in Window)
    + " END IF; END IF; "
    "RETURN QUERY " + PARAMETER.sub(r"p_\1", _RESERVE_IF_FITS.replace(
        "FROM added) FROM s", f"FROM added), :stored, {_STORED} FROM s")) + "; "
    "END $body$"
)
_RESERVE = (f"SELECT * FROM cascadeflow_reserve_v1(:scopes, :prune_before, :budget_user, "
            f"{', '.join(':' + name for name, _ in _RESERVE_PARAMETERS)})")
_INSERT_RESERVATION = (
    f"INSERT INTO {RESERVATIONS} (id, user_id, amount, created_at, expires_at) "
    "VALUES (:id, :user_id, :amount, :created_at, :expires_at)")
_DELETE_RESERVATION = f"DELETE FROM {RESERVATIONS} WHERE id = :id"
_ENTRY_COLUMNS = ("id, user_id, model, provider, input_tokens, output_tokens, cost, timestamp, "
                  "query_id, domain, tier, metadata")
_ENTRY_VALUES = ":" + ", :".join(_ENTRY_COLUMNS.split(", "))
_INSERT_ENTRY = (f"INSERT INTO cascadeflow_cost_entries ({_ENTRY_COLUMNS}) VALUES ({_ENTRY_VALUES}) "
                 "ON CONFLICT DO NOTHING")
_INSERT_SETTLEMENT = ("INSERT INTO cascadeflow_settlements (reservation_id, entry_id) "
                      "VALUES (:reservation_id, :id) ON CONFLICT DO NOTHING")
_UPSERT_TOTALS = (
    "ON CONFLICT (scope, \"window\", period) DO UPDATE SET "
    f"spent = {TOTALS}.spent + excluded.spent, calls = {TOTALS}.calls + excluded.calls")
_ADD_TO_TOTALS = (f"INSERT INTO {TOTALS} (scope, \"window\", period, spent, calls) "
                  f"VALUES (:scope, :window, :period, :spent, :calls) {_UPSERT_TOTALS}")
_PRUNE = f"DELETE FROM {RESERVATIONS} WHERE expires_at < :before"
_RENEW = f"UPDATE {RESERVATIONS} SET expires_at = :expires_at WHERE id = :id AND expires_at < :expires_at"
@functools.cache
def _commit_cte(with_settlement: bool, scopes: int) -> str:
    """PostgreSQL: drop the reservation, mark it settled, store the entry and add it to
    its totals rows (every window of ``scopes`` scopes: the user's and everyone's, or
    everyone's alone), all in one statement (one round trip), the rows in the order of
    ``total_keys``. Each step runs only if the one before it inserted its row, as the
    separate statements would."""
    steps = []
    gate = ""
    if with_settlement:
        steps.append(f"dropped AS (DELETE FROM {RESERVATIONS} WHERE id = :reservation_id)")
        steps.append("settled AS (INSERT INTO cascadeflow_settlements (reservation_id, entry_id) "
                     "VALUES (:reservation_id, :id) ON CONFLICT DO NOTHING RETURNING 1)")
        gate = " WHERE EXISTS (SELECT 1 FROM settled)"
    steps.append(f"stored AS (INSERT INTO cascadeflow_cost_entries ({_ENTRY_COLUMNS}) "
                 f"SELECT {_ENTRY_VALUES}{gate} ON CONFLICT DO NOTHING RETURNING 1)")
    scope_rows = ", ".join(f"({i}, CAST(:scope{i} AS text))" for i in range(scopes))
    window_rows = ", ".join(f"({i}, '{w.value}', CAST(:{w.value} AS timestamptz))"
                            for i, w in enumerate(sorted(Window, key=lambda w: w.value)))
    return (
        "WITH " + ", ".join(steps) + ", "
        f"added AS (INSERT INTO {TOTALS} (scope, \"window\", period, spent, calls) "
        f"SELECT s.scope, w.name, w.period, :cost, 1 FROM (VALUES {scope_rows}) AS s (i, scope) "
        f"CROSS JOIN (VALUES {window_rows}) AS w (i, name, period) "
        f"WHERE EXISTS (SELECT 1 FROM stored) ORDER BY s.i, w.i {_UPSERT_TOTALS} RETURNING 1) "
        "SELECT count(*) FROM stored"
    )


class UsageSQL:
    """The hot statements for one dialect, run on a DBAPI cursor."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self._sql: dict[str, str] = {}
        self._numbered: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]] = {}

    def _text(self, statement: str) -> str:
        found = self._sql.get(statement)
        if found is None:
            found = driver_sql(statement, postgres=self.postgres)
            self._sql[statement] = found
        return found

    def _numbered_text(self, statement: str) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
        """PostgreSQL's own ``$1`` parameters for asyncpg, and what picks their values, in
        order, out of the statement's named parameters."""
        found = self._numbered.get(statement)
        if found is None:
            names: list[str] = []

            def number(match: re.Match[str]) -> str:
                if match.group(1) not in names:
                    names.append(match.group(1))
                return f"${names.index(match.group(1)) + 1}"

            text = PARAMETER.sub(number, statement)
            found = self._numbered[statement] = (text, _picker(names))
        return found

    async def _asyncpg_row(self, connection: Any, statement: str, params: dict[str, Any]) -> tuple[Any, ...]:
        text, values = self._numbered_text(statement)
        return tuple(await connection.fetchrow(text, *values(params)))

    @contextmanager
    def transaction(self, cur: Any, *, pipelined: bool = True) -> Iterator[None]:
        """PostgreSQL, on an autocommit cursor: BEGIN, the block's statements and COMMIT,
        sent together when ``pipelined`` (pipeline mode: one round trip, plus one per
        result read in the block; row counts are not known until the end). SQLite: the
        caller's transaction holds already."""
        if not self.postgres:
            yield
            return
        with cur.connection.pipeline() if pipelined else nullcontext():
            cur.execute("BEGIN")
            yield
            cur.execute("COMMIT")

    def instant(self, value: datetime) -> Any:
        utc = value.astimezone(UTC)
        return utc if self.postgres else utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    def standing(self, cur: Any, user_id: str, now: datetime) -> tuple[ScopeUsage, ScopeUsage]:
        """Where ``user_id`` and all users stand at ``now``."""
        cur.execute(self._text(_STANDING), self._standing_params(user_id, now))
        return _usages(cur.fetchone())

    def reserve_in_one_trip(
        self, cur: Any, request: ReservationRequest, scopes: Sequence[str], prune_before: datetime | None,
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage]:
        """PostgreSQL, on an autocommit cursor: the scopes' locks, the prune (when due),
        the reservation if it fits, and the standing it was decided on, in one statement
        (RESERVE_FUNCTION): one round trip."""
        reservation, params = self._reserve_call(request, scopes, prune_before, None)
        cur.execute(self._text(_RESERVE), params)
        return _reserved(reservation, cur.fetchone())[:3]

    async def reserve_in_one_trip_async(
        self, connection: Any, request: ReservationRequest, scopes: Sequence[str],
        prune_before: datetime | None, budget_user: str | None = None,
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage, BudgetConfig | None]:
        """``reserve_in_one_trip`` on an autocommit AsyncConnection; with ``budget_user``,
        the budget stored for that user replaces the request's own limits, and is
        returned (None: there is none)."""
        reservation, params = self._reserve_call(request, scopes, prune_before, budget_user)
        async with connection.cursor() as cur:
            await cur.execute(self._text(_RESERVE), params)
            row = await cur.fetchone()
        return _reserved(reservation, row)

    async def reserve_in_one_trip_asyncpg(
        self, connection: Any, request: ReservationRequest, scopes: Sequence[str],
        prune_before: datetime | None, budget_user: str | None = None,
    ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage, BudgetConfig | None]:
        """``reserve_in_one_trip_async`` on an asyncpg connection (pg_loop.py)."""
        reservation, params = self._reserve_call(request, scopes, prune_before, budget_user)
        return _reserved(reservation, await self._asyncpg_row(connection, _RESERVE, params))

    def _reserve_call(
        self, request: ReservationRequest, scopes: Sequence[str], prune_before: datetime | None,
        budget_user: str | None,
    ) -> tuple[Reservation, dict[str, Any]]:
        """The reservation asked for, and the parameters of the reserving statement."""
        reservation = request.grant()
        return reservation, {
            **self._standing_params(request.user_id, request.now),
            "scopes": sorted(scopes), "prune_before": prune_before, "budget_user": budget_user,
            "id": reservation.id, "user_id": reservation.user_id, "amount": reservation.amount,
            "created_at": reservation.created_at, "expires_at": reservation.expires_at,
            **{key: request.limits.get(w) for w, key in _MINE},
            **{key: request.global_limits.get(w) for w, key in _ALL},
        }

    def _standing_params(self, user_id: str, now: datetime) -> dict[str, Any]:
        params = {"scope": scope_of(user_id), "user": user_id, "everyone": EVERYONE, "now": self.instant(now)}
        for window, period in periods_of(now):
            if window != Window.TOTAL.value:
                params[window] = self.instant(period)
        return params

    def insert_reservation(self, cur: Any, reservation: Reservation) -> None:
        cur.execute(self._text(_INSERT_RESERVATION), {
            "id": reservation.id, "user_id": reservation.user_id, "amount": reservation.amount,
            "created_at": self.instant(reservation.created_at),
            "expires_at": self.instant(reservation.expires_at)})

    def delete_reservation(self, cur: Any, reservation_id: str) -> None:
        cur.execute(self._text(_DELETE_RESERVATION), {"id": reservation_id})

    def prune(self, cur: Any, before: datetime) -> None:
        cur.execute(self._text(_PRUNE), {"before": self.instant(before)})

    def renew(self, cur: Any, reservation_ids: Sequence[str], expires_at: datetime) -> None:
        until = self.instant(expires_at)
        cur.executemany(self._text(_RENEW), [{"id": rid, "expires_at": until} for rid in reservation_ids])

    def store(self, cur: Any, entry: CostEntry, reservation_id: str | None = None) -> bool:
        """Store ``entry`` (settling ``reservation_id`` first when given) and add it to
        the running totals; False, storing nothing, if the reservation was settled
        already or the entry's id is stored."""
        if self.postgres:
            cur.execute(*self._commit_statement(entry, reservation_id))
            return bool(cur.fetchone()[0])
        values = self._entry(entry)
        if reservation_id is not None:
            self.delete_reservation(cur, reservation_id)
            cur.execute(self._text(_INSERT_SETTLEMENT), {"reservation_id": reservation_id, "id": entry.id})
            if cur.rowcount != 1:
                return False
        cur.execute(self._text(_INSERT_ENTRY), values)
        if cur.rowcount != 1:
            return False
        self.add_to_totals(cur, [entry])
        return True

    async def store_async(self, connection: Any, entry: CostEntry,
                          reservation_id: str | None = None) -> bool:
        """PostgreSQL: ``store`` on an autocommit AsyncConnection."""
        async with connection.cursor() as cur:
            await cur.execute(*self._commit_statement(entry, reservation_id))
            row = await cur.fetchone()
        return bool(row[0])

    async def store_asyncpg(self, connection: Any, entry: CostEntry,
                            reservation_id: str | None = None) -> bool:
        """``store_async`` on an asyncpg connection (pg_loop.py)."""
        statement, values = self._commit_statement(entry, reservation_id, numbered=True)
        return bool((await self._asyncpg_row(connection, statement, values))[0])

    async def delete_reservation_asyncpg(self, connection: Any, reservation_id: str) -> None:
        text, _ = self._numbered_text(_DELETE_RESERVATION)
        await connection.execute(text, reservation_id)

    async def delete_reservation_async(self, connection: Any, reservation_id: str) -> None:
        async with connection.cursor() as cur:
            await cur.execute(self._text(_DELETE_RESERVATION), {"id": reservation_id})

    def _commit_statement(self, entry: CostEntry, reservation_id: str | None, *,
                          numbered: bool = False) -> tuple[str, dict[str, Any]]:
        """PostgreSQL: the one statement that stores ``entry`` (see _commit_cte): for
        psycopg, or ``numbered`` (the statement with its ``:name`` parameters, for
        ``_numbered_text``; the metadata as a plain mapping, which asyncpg encodes)."""
        values = self._entry(entry, plain_json=numbered)
        scopes = sorted({EVERYONE, scope_of(entry.user_id)})
        for i, scope in enumerate(scopes):
            values[f"scope{i}"] = scope
        values.update(periods_of(entry.timestamp))
        values["reservation_id"] = reservation_id
        statement = _commit_cte(reservation_id is not None, len(scopes))
        return (statement if numbered else self._text(statement)), values

    def store_many(self, cur: Any, entries: Sequence[CostEntry]) -> int:
        """Store entries without reservations; returns how many were new."""
        kept = []
        for entry in entries:
            cur.execute(self._text(_INSERT_ENTRY), self._entry(entry))
            if cur.rowcount == 1:
                kept.append(entry)
        self.add_to_totals(cur, kept)
        return len(kept)

    def add_to_totals(self, cur: Any, entries: Sequence[CostEntry]) -> None:
        """Add entries to their totals rows, in a fixed order so that concurrent writers
        lock the rows they share in the same order."""
        sums = totals_of((entry.user_id, entry.cost, entry.timestamp) for entry in entries)
        rows = [{"scope": k[0], "window": k[1], "period": self.instant(k[2]), "spent": v[0],
                 "calls": v[1]} for k, v in sorted(sums.items())]
        if rows:
            cur.executemany(self._text(_ADD_TO_TOTALS), rows)

    def _entry(self, entry: CostEntry, *, plain_json: bool = False) -> dict[str, Any]:
        metadata: Any = entry_metadata(entry)  # checked to be storable as JSON
        if not plain_json:  # asyncpg encodes the mapping itself
            metadata = _psycopg_json(metadata) if self.postgres else json.dumps(metadata, allow_nan=False)
        return {"id": entry.id, "user_id": entry.user_id, "model": entry.model,
                "provider": entry.provider, "input_tokens": entry.input_tokens,
                "output_tokens": entry.output_tokens, "cost": entry.cost,
                "timestamp": self.instant(entry.timestamp), "query_id": entry.query_id,
                "domain": entry.domain, "tier": entry.tier, "metadata": metadata}


def _psycopg_json(value: dict[str, Any]) -> Any:
    from psycopg.types.json import Json

    return Json(value)


def _picker(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """What takes the values of ``names``, as a tuple, out of a statement's parameters."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    return lambda params: tuple(params[name] for name in names)


def _reserved(reservation: Reservation, row: Sequence[Any]
              ) -> tuple[Reservation | None, ScopeUsage, ScopeUsage, BudgetConfig | None]:
    """From RESERVE_FUNCTION's row: the reservation if it went in, the standing, and the
    stored budget found (if one was looked up and exists)."""
    mine, everyone = _usages(row[:12])
    stored = BudgetConfig(**dict(zip((name for _, name in WINDOW_NAMES), row[14:18], strict=True))) if row[13] else None
    return (reservation if row[12] else None), mine, everyone, stored


def _usages(row: Sequence[Any]) -> tuple[ScopeUsage, ScopeUsage]:
    """The user's and everyone's standing from the twelve columns of _STANDING."""
    values = [float(v or 0.0) for v in row]

    def usage(part: list[float]) -> ScopeUsage:
        return ScopeUsage(dict(zip(_WINDOWS, part[:4], strict=True)), part[4], int(part[5]))

    return usage(values[:6]), usage(values[6:12])
