"""asyncpg connections of one event loop, for the budget hot path of a loop that lives.

psycopg's AsyncConnection (pg_async.py) serves every event loop in turn, but its
protocol runs in Python: measured here, a reservation and its commit cost 0.52 ms of
the worker's CPU through it and 0.27 ms through asyncpg, whose protocol is compiled.
An asyncpg connection belongs to the loop that opened it, though: a script that runs
``asyncio.run`` for each call would open one per call. So a loop's budget calls go
through psycopg until it has made ``WARM_AFTER`` of them (the gateway's loop does at
once; such a script never does), and through connections of its own from then on.

A loop holds at most ``MAX_PER_LOOP`` connections; a caller waits for one when all are
busy. A connection whose statement failed or was cancelled mid-flight is closed, never
reused; one idle for ``PING_AFTER_IDLE`` is pinged first. The connections of a loop
that ends are closed while it shuts down (``asyncio.run`` and asyncio.Runner close a
loop's async generators first: each loop has one that closes its connections), or, for
a loop closed without that, when the next new loop comes. Connections are only opened
where the connection settings can be passed on as libpq takes them (``translate``);
for any others the store keeps to psycopg.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cascadeflow.adapters.sql_database import PING_AFTER_IDLE, READ_COMMITTED
from cascadeflow.domain.errors import StorageError

if TYPE_CHECKING:
    import asyncpg

WARM_AFTER = 8
MAX_PER_LOOP = 10
# libpq's connection parameters, by asyncpg's name for them
_SAME = {"host": "host", "port": "port", "user": "user", "password": "password",
         "dbname": "database"}
# dropped in a forked child, never used or closed there: they are its parent's sessions
_INHERITED: list[Any] = []


# weak: a database's connections go once no store uses them
_BY_DATABASE: weakref.WeakValueDictionary[str, LoopConnections] = weakref.WeakValueDictionary()
_REGISTRY_LOCK = threading.Lock()


def for_database(connect: dict[str, Any], *, label: str, url: str) -> LoopConnections:
    """The process's loop connections to the database ``connect`` names, shared by every
    store using it."""
    key = repr(sorted(connect.items()))
    with _REGISTRY_LOCK:
        found = _BY_DATABASE.get(key)
        if found is None:
            found = _BY_DATABASE[key] = LoopConnections(connect, label=label, url=url)
        return found


def translate(params: Mapping[str, Any], environ: Mapping[str, str] | None = None
              ) -> dict[str, Any] | None:
    """asyncpg.connect's arguments for libpq's connection ``params``, or None where one of
    them, or a libpq environment variable (``environ``: os.environ), has no faithful
    counterpart here: the store then keeps to psycopg, which libpq serves."""
    env = os.environ if environ is None else environ
    if any(name.startswith("PG") and name not in _ENV_BOTH_READ for name in env):
        return None  # PGOPTIONS, PGSERVICE, PGSSLMODE, PGCHANNELBINDING, ...: libpq's alone
    kwargs: dict[str, Any] = {}
    settings: dict[str, str] = {}
    for name, value in params.items():
        text = str(value)
        if name in ("host", "port") and ("," in text or not text):
            return None  # several hosts: libpq tries them in turn, asyncpg differently
        if name == "port" and not text.isdigit():
            return None
        if name == "connect_timeout":
            if not text.lstrip("-").isdigit() or int(text) <= 0:
                return None  # libpq: none or negative waits for ever
            kwargs["timeout"] = float(max(2, int(text)))  # libpq waits at least 2 s
        elif name in _SAME:
            kwargs[_SAME[name]] = int(text) if name == "port" else value
        elif name == "application_name":
            settings["application_name"] = text
        elif name == "sslmode" and value in ("disable", "allow", "prefer", "require"):
            kwargs["ssl"] = value
        elif name == "options":
            found = _server_options(text)
            if found is None:
                return None
            settings.update(found)
        else:
            return None
    return {**kwargs, "server_settings": settings}


# libpq environment variables asyncpg reads the same way when the URL leaves them out
_ENV_BOTH_READ = frozenset({"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGPASSFILE"})


def _server_options(options: str) -> dict[str, str] | None:
    """``-c name=value`` (or ``--name=value``) settings of libpq's ``options``: words
    split on spaces, a backslash escaping the next character; None for anything else
    (libpq hands quotes to the server as they are, so none are taken here)."""
    if '"' in options or "'" in options:
        return None
    found = {}
    words = iter(shlex.split(options))
    for word in words:
        if word == "-c":
            word = "-c" + next(words, "")
        if word.startswith("-c"):
            setting = word[2:]
        elif word.startswith("--"):
            setting = word[2:]
        else:
            return None
        name, sep, value = setting.partition("=")
        if not sep or not name:
            return None
        found[name.replace("-", "_")] = value
    return found


@dataclass
class _Loop:
    calls: int = 0
    idle: list[tuple[asyncpg.Connection, float]] = field(default_factory=list)
    pid: int = field(default_factory=os.getpid)  # a forked child's copy closes nothing
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_PER_LOOP))
    closer: Any = None  # the async generator whose closing closes ``idle``

    def watch_shutdown(self) -> None:
        """Close the idle connections when the running loop shuts its async generators
        down, as ``asyncio.run`` does before it closes the loop."""
        self.closer = _close_at_shutdown(self)
        asyncio.ensure_future(self.closer.asend(None))  # registers it with the loop


async def _close_at_shutdown(state: _Loop) -> AsyncIterator[None]:
    try:
        yield
    finally:
        while state.idle and state.pid == os.getpid():
            state.idle.pop()[0].terminate()


class LoopConnections:
    """asyncpg connections per event loop to one database (``connect``: asyncpg.connect's
    arguments); ``label`` and ``url`` name it in errors."""

    def __init__(self, connect: dict[str, Any], *, label: str, url: str) -> None:
        self._connect_args = connect
        self._label = label
        self._url = url
        self._loops: dict[asyncio.AbstractEventLoop, _Loop] = {}
        self._pid = os.getpid()
        self._lock = threading.Lock()  # loops of several threads share the registry

    def _state(self) -> _Loop:
        loop = asyncio.get_running_loop()
        found = self._loops.get(loop)  # every call asks: no lock where the loop is known
        if found is not None and self._pid == os.getpid():
            return found
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connections stay the parent's
                for state in self._loops.values():
                    _INHERITED.extend(conn for conn, _ in state.idle)
                    state.idle.clear()
                self._loops = {}
                self._pid = os.getpid()
            found = self._loops.get(loop)
            if found is not None:
                return found
            closed = [self._loops.pop(other) for other in list(self._loops) if other.is_closed()]
            found = self._loops[loop] = _Loop()
        for state in closed:
            while state.idle:
                _discard(state.idle.pop()[0])
        found.watch_shutdown()
        return found

    def lease_if_warm(self, on_switch: Callable[[], None]) -> LoopLease | None:
        """If this call should use this loop's own connections, a lease on one (``async
        with``), else None: counts the call, and uses them once the running loop has made
        WARM_AFTER; ``on_switch`` is called as it does."""
        state = self._state()
        state.calls += 1
        if state.calls == WARM_AFTER + 1:
            on_switch()
        return LoopLease(self, state) if state.calls > WARM_AFTER else None

    def connection(self) -> LoopLease:
        """A connection of the running loop for this coroutine alone (``async with``)."""
        return LoopLease(self, self._state())

    def _error(self, exc: BaseException) -> StorageError:
        return StorageError(f"{self._label} {self._url}: {exc or type(exc).__name__}")

    async def _pinged(self, conn: asyncpg.Connection) -> asyncpg.Connection:
        import asyncpg

        try:
            await conn.fetchval("SELECT 1")
            return conn
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            conn.terminate()
            return await self._open()

    async def _open(self) -> asyncpg.Connection:
        import asyncpg

        conn = await asyncpg.connect(**self._connect_args)
        try:
            await conn.execute(READ_COMMITTED)  # as pg_async.py's connections
            for kind in ("json", "jsonb"):
                await conn.set_type_codec(kind, schema="pg_catalog", encoder=json.dumps,
                                          decoder=json.loads)
        except BaseException:
            conn.terminate()
            raise
        return conn

    def close(self) -> None:
        """Close the idle connections of the running loop (if any)."""
        try:
            state = self._state()
        except RuntimeError:  # no running loop: the loops' own connections go with them
            return
        while state.idle:
            state.idle.pop()[0].terminate()


class LoopLease:
    """One of a loop's connections, checked out for the ``async with`` block: a
    connection whose block failed or was cancelled is closed, never reused; one idle
    for PING_AFTER_IDLE is pinged first. A class rather than a generator-based context
    manager: this runs twice per budgeted call."""

    __slots__ = ("_owner", "_state", "_conn")

    def __init__(self, owner: LoopConnections, state: _Loop) -> None:
        self._owner = owner
        self._state = state
        self._conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> asyncpg.Connection:
        import asyncpg

        state = self._state
        await state.slots.acquire()
        try:
            if state.idle:
                conn, since = state.idle.pop()
                self._conn = conn
                if time.monotonic() - since >= PING_AFTER_IDLE:
                    self._conn = conn = await self._owner._pinged(conn)
            else:
                self._conn = conn = await self._owner._open()
        except BaseException as exc:
            self._give_back(healthy=False)
            if isinstance(exc, (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
                raise self._owner._error(exc) from exc
            raise
        return conn

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        _tb: object) -> None:
        conn = self._conn
        self._give_back(healthy=kind is None and conn is not None and not conn.is_closed()
                        and not conn.is_in_transaction())
        if exc is not None:
            import asyncpg

            if isinstance(exc, (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
                raise self._owner._error(exc) from exc

    def _give_back(self, *, healthy: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            if healthy:
                self._state.idle.append((conn, time.monotonic()))
            elif not conn.is_closed():
                conn.terminate()  # mid-statement or broken: never reused
        self._state.slots.release()


def _discard(conn: asyncpg.Connection) -> None:
    """Close a connection of a loop that was closed (its socket; no goodbye is sent)."""
    try:
        conn.terminate()
    except RuntimeError:  # the loop is closed: its transport cannot schedule the close
        sock = getattr(getattr(conn, "_transport", None), "_sock", None)
        if sock is not None:
            sock.close()
