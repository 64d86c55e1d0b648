"""Asynchronous PostgreSQL connections for the budget hot path, so that a gateway's
reserve and commit wait on the event loop instead of in a thread.

A round trip from a thread cost the gateway far more than the database's own work: the
hop there and back, and the thread waiting for the interpreter lock while the loop
served other requests. psycopg's AsyncConnection waits on the loop itself.

Connections are not tied to one event loop (psycopg looks the running loop up at each
wait), so one process-wide set per database (``for_database``) serves every loop and
every store on that database in turn: a script calling ``asyncio.run`` for each request
reuses them like any pool. A connection is checked out by one coroutine at a time; one
whose statement failed or was cancelled mid-flight is closed, never reused. When all
``MAX_CONNECTIONS`` are busy, a caller waits for the next one checked in (handed over on
its own loop); together with the synchronous pools this keeps a process well inside the
server's connection limit.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from cascadeflow.adapters.sql_database import PING_AFTER_IDLE, READ_COMMITTED  # the synchronous pool's rules
from cascadeflow.domain.errors import StorageError

if TYPE_CHECKING:
    from psycopg import AsyncConnection

MAX_CONNECTIONS = 10

# Connections inherited from a parent process are never used or closed in the child:
# closing one would end the parent's session on the shared socket.
_INHERITED: list[Any] = []
# weak: the connections of a database no store uses any more are closed (_finish)
_BY_DATABASE: weakref.WeakValueDictionary[str, AsyncPostgres] = weakref.WeakValueDictionary()
_REGISTRY_LOCK = threading.Lock()

# an idle connection and when it was checked in, or (None, 0.0): room to open one
Place = tuple["AsyncConnection[Any] | None", float]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def for_database(conninfo: str, *, label: str, url: str) -> AsyncPostgres:
    """The process's connections to ``conninfo``, shared by every store using it."""
    with _REGISTRY_LOCK:
        found = _BY_DATABASE.get(conninfo)
        if found is None:
            found = AsyncPostgres(conninfo, label=label, url=url)
            _BY_DATABASE[conninfo] = found
        return found


class AsyncPostgres:
    """Up to ``max_connections`` autocommit AsyncConnections to ``conninfo``, opened
    when first needed; ``label`` and ``url`` name the database in errors."""

    def __init__(self, conninfo: str, *, label: str, url: str,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self._conninfo = conninfo
        self._label = label
        self._url = url
        self._max = max_connections
        self._lock = threading.Lock()
        self._idle: list[Place] = []
        self._waiting: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[Place]]] = deque()
        self._open = 0  # idle and checked out
        self._pid = os.getpid()
        weakref.finalize(self, _finish, self._idle, self._pid)

    def _forget_after_fork(self) -> None:
        if self._pid != os.getpid():
            with self._lock:
                _INHERITED.extend(self._idle)
                self._idle.clear()
                self._open, self._pid = 0, os.getpid()
                self._waiting.clear()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection for this coroutine alone, waiting for one if all are busy."""
        import psycopg

        self._forget_after_fork()
        conn, idle_since = await self._check_out()  # from here on, a place is ours
        healthy = False
        try:
            if conn is None:
                conn = await self._connect()
            elif time.monotonic() - idle_since >= PING_AFTER_IDLE:
                conn = await self._pinged(conn)
            yield conn
            healthy = not conn.closed and conn.info.transaction_status.name == "IDLE"
        except psycopg.Error as exc:
            raise StorageError(f"{self._label} {self._url}: {exc}") from exc
        finally:
            self._check_in(conn, healthy)

    async def _check_out(self) -> Place:
        """An idle connection, or (None, 0) for a free place where the caller opens one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self._open < self._max:
                self._open += 1
                return None, 0.0
            loop = asyncio.get_running_loop()
            handed: asyncio.Future[Place] = loop.create_future()
            self._waiting.append((loop, handed))
        try:
            return await handed
        except asyncio.CancelledError:
            # cancelled after the place was handed over, before this caller resumed
            if handed.done() and not handed.cancelled():
                self._pass_on(handed.result())
            raise

    async def _pinged(self, conn: AsyncConnection[Any]) -> AsyncConnection[Any]:
        """``conn`` if it still answers, else a new connection in its place."""
        import psycopg

        try:
            await conn.execute("SELECT 1")
            return conn
        except psycopg.Error:
            await conn.close()
            return await self._connect()

    async def _connect(self) -> AsyncConnection[Any]:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            await conn.execute(READ_COMMITTED)
        except BaseException:
            await conn.close()
            raise
        return conn

    def _check_in(self, conn: AsyncConnection[Any] | None, healthy: bool) -> None:
        """A connection back: a broken or interrupted one is closed, and its place
        passed on (a waiter then opens a new one)."""
        if self._pid != os.getpid():  # forked while checked out: the parent's connection
            if conn is not None:
                _INHERITED.append(conn)
            return
        if not healthy and conn is not None and not conn.closed:
            conn.pgconn.finish()  # mid-statement or broken: never reused
        self._pass_on((conn, time.monotonic()) if healthy and conn is not None else (None, 0.0))

    def _pass_on(self, place: Place) -> None:
        """To the longest-waiting caller, on its own loop; else idle (or freed)."""
        with self._lock:
            while self._waiting:
                loop, handed = self._waiting.popleft()
                if handed.done():  # that caller gave up
                    continue
                if loop is _running_loop():  # no wake-up of the loop needed
                    loop.call_soon(self._hand_over, handed, place)
                    return
                try:
                    loop.call_soon_threadsafe(self._hand_over, handed, place)
                    return
                except RuntimeError:  # its loop is closed
                    continue
            if place[0] is not None:
                self._idle.append(place)
            else:
                self._open -= 1

    def _hand_over(self, handed: asyncio.Future[Place], place: Place) -> None:
        if handed.done():  # the caller gave up meanwhile: to the next one
            self._pass_on(place)
        else:
            handed.set_result(place)

    def close(self) -> None:
        """Close the idle connections (busy ones close when they come back)."""
        self._forget_after_fork()
        with self._lock:
            idle = list(self._idle)
            self._idle.clear()
            self._open -= len(idle)
        _finish(idle, os.getpid())


def _finish(idle: list[Place], pid: int) -> None:
    """Close idle connections (not in a forked child: they are its parent's)."""
    if pid != os.getpid():
        return
    for conn, _ in idle:
        if conn is not None and not conn.closed:
            conn.pgconn.finish()
