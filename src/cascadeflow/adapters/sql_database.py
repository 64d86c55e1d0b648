"""The SQL database under the SQLModel stores: the URL checks, the engine (SQLite or
PostgreSQL), transactions that fail as StorageError, and the tables created once.

SQLite writes begin with BEGIN IMMEDIATE, taking the file's write lock up front, so
processes sharing the file queue behind each other instead of failing mid-transaction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session, SQLModel

from cascadeflow.domain.errors import CascadeflowError, ConfigurationError, StorageError

DEFAULT_URL = "sqlite:///./cascadeflow.db"
URL_HELP = (
    "use sqlite:///path/to/cascadeflow.db (optionally ?timeout=SECONDS) or "
    "postgresql+psycopg://user:password@host:5432/dbname"
)
SQLITE_BEGIN = "cascadeflow_sqlite_begin"  # execution option: the SQLite BEGIN mode

# The tables a database needs, given whether it is PostgreSQL.
TablesFor = Callable[[bool], Sequence[Table]]


class SQLDatabase:
    """One engine, named ``label`` in errors ("usage database sqlite:///…: …").

    ``tables`` are created before the first transaction, once per instance; on
    PostgreSQL under the advisory lock ``schema_lock_key``, so that replicas starting
    together do not race on DDL.
    """

    def __init__(
        self, url: str | None, *, label: str, tables: TablesFor, schema_lock_key: int
    ) -> None:
        if url is None:
            url = os.environ.get("CASCADEFLOW_DATABASE_URL", DEFAULT_URL)
        self.engine = engine_for(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        self.postgres = self.engine.dialect.name == "postgresql"
        self._label = label
        self._tables = tables
        self._schema_lock_key = schema_lock_key
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def close(self) -> None:
        """Close pooled connections (the engine reconnects if used again)."""
        self.engine.dispose()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Session]:
        """A session committed on exit; SQLite takes the write lock up front if ``write``."""
        try:
            self._ensure_schema()
            with Session(self.engine) as session:
                begin = "IMMEDIATE" if write else "DEFERRED"
                session.connection(execution_options={SQLITE_BEGIN: begin})
                yield session
                session.commit()
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            if isinstance(cause, CascadeflowError):  # raised by our own column types
                raise cause from None
            raise StorageError(f"{self._label} {self.url}: {cause}") from exc

    def _ensure_schema(self) -> None:
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
                    SQLModel.metadata.create_all(conn, tables=self._tables(self.postgres))
            self._schema_ready = True


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
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(SQLITE_BEGIN, 'DEFERRED')}")
