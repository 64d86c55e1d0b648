"""The SQL database under the SQLModel stores: the URL checks, the engine (SQLite or
PostgreSQL), transactions that fail as StorageError, and the tables created once.

SQLite writes begin with BEGIN IMMEDIATE, taking the file's write lock up front, so
processes sharing the file queue behind each other instead of failing mid-transaction.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, SQLAlchemyError
from sqlmodel import Session, SQLModel

from cascadeflow.application.ports import WouldBlock
from cascadeflow.domain.errors import CascadeflowError, ConfigurationError, StorageError

if TYPE_CHECKING:
    from cascadeflow.adapters.pg_async import AsyncPostgres
    from cascadeflow.adapters.pg_loop import LoopConnections

DEFAULT_URL = "sqlite:///./cascadeflow.db"
URL_HELP = (
    "use sqlite:///path/to/cascadeflow.db (optionally ?timeout=SECONDS) or "
    "postgresql+psycopg://user:password@host:5432/dbname"
)
SQLITE_BEGIN = "cascadeflow_sqlite_begin"  # execution option: the SQLite BEGIN mode

# Set on a thread while its SQLite calls must not wait for a lock (see without_waiting).
_NO_WAIT = threading.local()


@contextmanager
def without_waiting() -> Iterator[None]:
    """SQLite calls on this thread fail at once with WouldBlock instead of waiting for
    the write lock: a caller on an event loop tries them there first (no thread hop)
    and moves only those to a thread. Reads never wait in WAL mode; a write waits only
    for another writer, and its commit syncs the disk (well under a millisecond)."""
    _NO_WAIT.active = True
    try:
        yield
    finally:
        _NO_WAIT.active = False


# The tables a database needs, given whether it is PostgreSQL.
TablesFor = Callable[[bool], Sequence[Table]]
# Run once the schema exists, in the transaction that created it, with the names of the
# tables that were missing: where a new table is filled from existing rows.
OnCreate = Callable[[Connection, set[str]], None]


class SQLDatabase:
    """One engine, named ``label`` in errors ("usage database sqlite:///…: …").

    ``tables`` are created before the first transaction, once per instance; on
    PostgreSQL under the advisory lock ``schema_lock_key``, so that replicas starting
    together do not race on DDL, and followed by ``postgres_ddl`` (functions, replaced
    by each process that starts).
    """

    def __init__(
        self, url: str | None, *, label: str, tables: TablesFor, schema_lock_key: int,
        on_create: OnCreate | None = None, postgres_ddl: Sequence[str] = (),
    ) -> None:
        if url is None:
            url = os.environ.get("CASCADEFLOW_DATABASE_URL", DEFAULT_URL)
        self.engine = engine_for(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self.postgres = self.engine.dialect.name == "postgresql"
        self._label = label
        self._tables = tables
        self._schema_lock_key = schema_lock_key
        self._on_create = on_create
        self._postgres_ddl = tuple(postgres_ddl)
        self._driver_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        # SQLite: how long a write waits for another writer's lock (the URL's ?timeout=)
        self._busy_ms = round(float(self.engine.url.query.get("timeout", 30.0)) * 1000)  # type: ignore[arg-type]
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._async: AsyncPostgres | None = None
        self._loop: LoopConnections | None = None
        self._loop_known = False

    def close(self) -> None:
        """Close pooled connections (the engine reconnects if used again)."""
        self.engine.dispose()
        if self._async is not None:  # shared with the other stores on this database
            self._async.close()
        if self._loop is not None:
            self._loop.close()

    def async_postgres(self) -> AsyncPostgres | None:
        """PostgreSQL: asynchronous connections to the same database, once its tables
        exist (creating them may wait: not on an event loop). Else None."""
        if not self.postgres or not self._schema_ready:
            return None
        if self._async is None:
            from psycopg.conninfo import make_conninfo

            from cascadeflow.adapters.pg_async import for_database

            args, params = self._libpq_parameters()
            # shared by every store on this database, so named as the database alone
            self._async = for_database(make_conninfo(*args, **params), label="database", url=self.url)
        return self._async

    def _libpq_parameters(self) -> tuple[list[Any], dict[str, Any]]:
        """The connection parameters as SQLAlchemy passes them to psycopg (a URL's query,
        decoded: '+' in ``options`` is a space), libpq's own."""
        args, params = self.engine.dialect.create_connect_args(self.engine.url)
        return list(args), {k: v for k, v in params.items() if isinstance(v, str | int)}

    def loop_postgres(self) -> LoopConnections | None:
        """PostgreSQL: asyncpg connections of each long-lived event loop (pg_loop.py),
        once the tables exist and where the URL's settings translate to asyncpg's;
        else None."""
        if not self._loop_known:
            if not self.postgres or not self._schema_ready:
                return None
            from cascadeflow.adapters.pg_loop import for_database as loop_connections, translate

            args, params = self._libpq_parameters()
            connect = translate(params) if not args else None
            if connect is not None:
                self._loop = loop_connections(connect, label="database", url=self.url)
            self._loop_known = True
        return self._loop

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        """A session committed on exit; SQLite takes the write lock up front if ``write``."""
        try:
            self.ensure_schema()
            with Session(self.engine) as session:
                begin = "IMMEDIATE" if write else "DEFERRED"
                session.connection(execution_options={SQLITE_BEGIN: begin})
                yield session
                session.commit()
        except SQLAlchemyError as exc:
            raise self._storage_error(exc) from exc

    @contextmanager
    def connect(self, *, write: bool) -> Iterator[Connection]:
        """A Core connection in a transaction committed on exit (no ORM session); SQLite
        takes the write lock up front if ``write``."""
        try:
            self.ensure_schema()
            with self.engine.connect() as conn:
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE" if write else "DEFERRED"})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise self._storage_error(exc) from exc

    @contextmanager
    def driver_cursor(self, *, write: bool, durable: bool = True) -> Iterator[Any]:
        """The driver's own cursor on a pooled connection, for hand-written SQL in the
        driver's parameter style (usage_sql.py), without SQLAlchemy's execution layer:
        on the hot path it cost more than SQLite's own commit.

        SQLite: in a transaction committed on exit (BEGIN IMMEDIATE for a write, taking
        the file's write lock up front); ``durable=False`` commits without syncing
        (synchronous=NORMAL for this transaction: lost in a power cut, never in a crash).
        PostgreSQL: in autocommit mode, so a statement is its own transaction and one
        round trip; several go between the caller's BEGIN and COMMIT, pipelined.
        """
        no_wait = not self.postgres and getattr(_NO_WAIT, "active", False)
        if no_wait and not self._schema_ready:  # creating tables may wait: not here
            raise WouldBlock("the schema is not created yet")
        try:
            self.ensure_schema()
            pooled = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise self._storage_error(exc) from exc
        driver: Any = pooled.driver_connection
        usable = True
        try:
            if self.postgres:
                driver.autocommit = True
            elif not durable:  # the safety level cannot change inside a transaction
                driver.execute("PRAGMA synchronous=NORMAL")
            if no_wait:
                driver.execute("PRAGMA busy_timeout=0")
            cur = driver.cursor()
            try:
                if not self.postgres:
                    cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield cur
                if not self.postgres:
                    cur.execute("COMMIT")
            finally:
                cur.close()
        except self._driver_error as exc:
            if no_wait and ("locked" in str(exc) or "busy" in str(exc)):
                raise WouldBlock(str(exc)) from exc
            raise StorageError(f"{self._label} {self.url}: {exc}") from exc
        finally:
            try:  # back to the pool as it came: no open transaction, the usual settings
                if self.postgres and driver.closed:
                    usable = False
                elif driver.in_transaction if not self.postgres else (
                        driver.info.transaction_status.name != "IDLE"):
                    driver.rollback()
                if usable and self.postgres:
                    driver.autocommit = False
                elif usable and not durable:
                    driver.execute("PRAGMA synchronous=FULL")
                if usable and no_wait:
                    driver.execute(f"PRAGMA busy_timeout={self._busy_ms}")
            except Exception:
                usable = False
            if not usable:
                pooled.invalidate()
            pooled.close()

    def fetch_one(self, statement: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """One row of a single read statement written with ``:name`` parameters, the
        shortest way there: a read transaction on SQLite, one autocommit round trip on
        PostgreSQL."""
        with self.driver_cursor(write=False) as cur:
            cur.execute(driver_sql(statement, postgres=self.postgres), params)
            row = cur.fetchone()
        return tuple(row) if row is not None else None

    def _storage_error(self, exc: SQLAlchemyError) -> CascadeflowError:
        """What a failed statement means to the caller: our own column types' errors as
        raised, the rest as a StorageError naming the database."""
        cause = getattr(exc, "orig", None) or exc
        if isinstance(cause, CascadeflowError):  # raised by our own column types
            return cause
        return StorageError(f"{self._label} {self.url}: {cause}")

    def ensure_schema(self) -> None:
        """Create the tables (and functions) if this instance has not yet."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            with self.engine.connect() as conn:
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
                with conn.begin():
                    if self.postgres:  # replicas starting together must not race on DDL
                        lock = text("SELECT pg_advisory_xact_lock(:key)")
                        conn.execute(lock, {"key": self._schema_lock_key})
                    tables = self._tables(self.postgres)
                    present = set(inspect(conn).get_table_names())
                    SQLModel.metadata.create_all(conn, tables=tables)
                    for table in tables:  # indexes added since an existing table was made
                        if table.name in present:
                            for index in table.indexes:
                                index.create(conn, checkfirst=True)
                    created = {t.name for t in tables} - present
                    if created and self._on_create is not None:
                        self._on_create(conn, created)
                    if self.postgres:  # functions (CREATE OR REPLACE): this release's
                        for statement in self._postgres_ddl:
                            conn.exec_driver_sql(statement)
            self._schema_ready = True


PARAMETER = re.compile(r"(?<![:\w]):(\w+)")  # a ``:name`` parameter (not a ``::`` cast)


def driver_sql(statement: str, *, postgres: bool) -> str:
    """``:name`` parameters in the driver's style: sqlite3 takes them as written,
    psycopg as ``%(name)s``."""
    return PARAMETER.sub(r"%(\1)s", statement) if postgres else statement


def engine_for(raw_url: str) -> Engine:
    """An engine for a file-backed SQLite or a PostgreSQL (psycopg 3) URL."""
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
        engine = create_engine(url.set(drivername="postgresql+psycopg"))
        event.listen(engine, "connect", _on_postgres_connect)
        event.listen(engine, "checkout", _ping_if_idle)
        event.listen(engine, "checkin", _note_checkin)
        return engine
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


# cascadeflow's statements are written for READ COMMITTED, PostgreSQL's default: a
# reservation waits for its user's lock and must then see what the holder committed,
# which a REPEATABLE READ default (set for a database or role) would hide.
READ_COMMITTED = "SET default_transaction_isolation TO 'read committed'"


def _on_postgres_connect(dbapi_connection: Any, _record: Any) -> None:
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a session setting, not one transaction's
    dbapi_connection.execute(READ_COMMITTED)
    dbapi_connection.autocommit = autocommit


# A pooled connection idle this long is pinged before use: the server may have closed it
# (restart, idle timeout). One in steady use is not: a ping is a round trip per
# transaction, as much as the work of a budget check.
PING_AFTER_IDLE = 5.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE:
        return
    try:
        with dbapi_connection.cursor() as cur:
            cur.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as exc:  # the pool retries with a fresh connection
        raise DisconnectionError(f"stale pooled connection: {exc}") from exc


def _on_sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(SQLITE_BEGIN, 'DEFERRED')}")
