"""Budget calls on PostgreSQL wait on the event loop (psycopg's AsyncConnection, then
asyncpg's of a loop that lives: every test runs with each): no thread hop, a user's lock
waited for without stalling the loop, connections shared across event loops, a
connection cut off mid-statement never reused, and a commit that outlives its cancelled
caller. A reservation that waited for the lock sees what its holder committed, even
where the database's default isolation is REPEATABLE READ."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from cascadeflow.adapters import pg_loop
from cascadeflow.adapters.pg_async import AsyncPostgres
from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.adapters.usage_sql import SCOPE_LOCK_CLASS
from cascadeflow.domain.budgets import CostEntry, ReservationRequest, Window
from cascadeflow.testing import FakeProvider

from .budget_runs import agent_on, waiting_with_the_loop_running


DEFAULT_WARM_AFTER = pg_loop.WARM_AFTER


@pytest.fixture(autouse=True, params=["psycopg", "asyncpg"])
def driver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every budget call through psycopg's connections, or through asyncpg's from the
    first one on (pg_loop.py; by default from a loop's ninth)."""
    monkeypatch.setattr(pg_loop, "WARM_AFTER", 10**9 if request.param == "psycopg" else 0)
    return str(request.param)


async def cut_off_mid_statement(connection: Callable[[], AbstractAsyncContextManager[Any]]) -> Any:
    """The connection a statement was running on when its task was cancelled."""
    seen = []

    async def slow() -> None:
        async with connection() as conn:
            seen.append(conn)
            await conn.execute("SELECT pg_sleep(5)")

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return seen[0]


def conninfo(store: SQLModelUsageStore) -> str:
    return store.connection_url().replace("postgresql+psycopg://", "postgresql://")


async def test_budgeted_runs_reserve_and_commit_on_the_loop_thread(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")  # the first run creates the tables
    calls = store.async_calls()
    assert calls is not None
    threads: list[str] = []
    commit = store.commit

    def recording(*args: object) -> bool:
        threads.append(threading.current_thread().name)
        return commit(*args)  # type: ignore[arg-type]

    store.commit = recording  # type: ignore[method-assign]
    for _ in range(3):
        result = await agent.run("Capital of France?", user_id="u")
        assert result.model_used == "small" and result.budget_remaining is not None
    assert threads == []  # the blocking commit was never called: the loop's was
    assert store.count("u") == 4 and store.verify_totals() == []
    assert store.reserved("u", datetime.now(UTC)) == 0.0


async def test_a_run_waiting_for_a_users_lock_leaves_the_loop_running(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")
    # another replica holds the user's budget lock (until its transaction ends)
    with psycopg.connect(conninfo(store)) as locker:
        locker.execute(f"SELECT pg_advisory_xact_lock({SCOPE_LOCK_CLASS}, hashtext('u'))")
        try:
            run = await waiting_with_the_loop_running(agent.run("Capital of France?", user_id="u"))
        finally:
            locker.rollback()
    result = await asyncio.wait_for(run, timeout=10)
    assert result.model_used == "small"
    assert store.count("u") == 2 and store.verify_totals() == []


def repeatable_read_by_default(url: str) -> str:
    """``url`` for a database whose sessions default to REPEATABLE READ, as a database or
    role can be set up."""
    parsed = make_url(url)
    options = parsed.query["options"] + r" -cdefault_transaction_isolation=repeatable\ read"
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def a_hold(amount: float, request_id: str) -> ReservationRequest:
    return ReservationRequest(id=request_id, user_id="u", amount=amount, limits={Window.DAILY: 1.0},
                              now=datetime.now(UTC), ttl=timedelta(minutes=5))


async def test_a_reservation_that_waited_for_the_lock_sees_the_holders_commit(postgres_url: str) -> None:
    store = SQLModelUsageStore(repeatable_read_by_default(postgres_url))
    assert store.reserve(a_hold(0.1, "first")) is not None  # creates the tables
    store.release("first")
    calls = store.async_calls()
    assert calls is not None
    # another replica holds the user's lock and reserves 0.6 of the 1.0 left
    with psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://")) as other:
        other.execute(f"SELECT pg_advisory_xact_lock({SCOPE_LOCK_CLASS}, hashtext('u'))")
        other.execute("INSERT INTO cascadeflow_reservations (id, user_id, amount, created_at, expires_at) "
                      "VALUES ('theirs', 'u', 0.6, now(), now() + interval '5 minutes')")
        mine = asyncio.create_task(calls.reserve(a_hold(0.6, "mine")))
        await asyncio.sleep(0.3)
        assert not mine.done()  # waiting for the lock
        other.commit()
    assert await asyncio.wait_for(mine, timeout=10) is None  # 0.6 + 0.6 > 1.0
    assert store.reserve(a_hold(0.4, "fits")) is not None


def test_a_reservation_outside_read_committed_is_refused(postgres_url: str) -> None:
    from cascadeflow.adapters.usage_sql import UsageSQL

    store = SQLModelUsageStore(postgres_url)
    assert store.reserve(a_hold(0.1, "first")) is not None  # creates the tables
    with psycopg.connect(conninfo(store)) as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with pytest.raises(psycopg.Error, match="READ COMMITTED transactions only, not repeatable read"):
            UsageSQL(postgres=True).reserve_in_one_trip(cur, a_hold(0.1, "second"), ["u"], None)


def test_connections_serve_one_event_loop_after_another(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # a script calling asyncio.run per request: each loop's calls stay below the count
    # after which a loop gets asyncpg connections of its own, so psycopg's serve them all
    monkeypatch.setattr(pg_loop, "WARM_AFTER", DEFAULT_WARM_AFTER)
    store = SQLModelUsageStore(postgres_url)
    agent = agent_on(store)
    for _ in range(3):
        asyncio.run(agent.run("Capital of France?", user_id="u"))
    connections = store._db.async_postgres()
    assert connections is not None
    assert connections._open == 1 and len(connections._idle) == 1  # one, reused
    assert store.count("u") == 3 and store.verify_totals() == []
    store.close()
    assert connections._open == 0


async def test_callers_wait_for_a_busy_connection_and_get_it_in_turn(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))  # tables made
    pool = AsyncPostgres(conninfo(store), label="test", url="test", max_connections=1)
    order: list[int] = []

    async def use(n: int) -> None:
        async with pool.connection() as conn:
            order.append(n)
            await conn.execute("SELECT pg_sleep(0.05)")

    await asyncio.gather(*(use(n) for n in range(4)))
    assert sorted(order) == [0, 1, 2, 3]
    assert pool._open == 1 and len(pool._idle) == 1  # never more than one
    pool.close()


async def test_a_statement_cut_off_by_cancellation_closes_its_connection(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))
    pool = AsyncPostgres(conninfo(store), label="test", url="test", max_connections=1)
    cut_off = await cut_off_mid_statement(pool.connection)
    assert cut_off.closed and pool._idle == [] and pool._open == 0
    async with pool.connection() as conn:  # its place went to a new connection
        assert conn is not cut_off
        assert await (await conn.execute("SELECT 41 + 1")).fetchone() == (42,)
    pool.close()


async def test_a_reservation_whose_caller_was_cancelled_is_released(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")
    gate = agent._cascade._gate
    calls = store.async_calls()
    assert gate is not None and calls is not None
    now = datetime.now(UTC)
    request = ReservationRequest(id="held-by-nobody", user_id="u", amount=0.01,
                                 limits={Window.DAILY: 5.0}, now=now, ttl=timedelta(minutes=5))
    waiting = asyncio.create_task(gate._on_loop(calls.reserve(request),
                                                undo=lambda result: gate._abandon(request.id, result)))
    await asyncio.sleep(0)  # the reservation is under way
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for _ in range(100):  # the release runs on the gate's thread once the call is done
        if not gate._tasks and store.reserved("u", datetime.now(UTC)) == 0.0:
            break
        await asyncio.sleep(0.05)
    assert store.reserved("u", datetime.now(UTC)) == 0.0


async def test_a_commit_outlives_its_cancelled_caller(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")
    gate = agent._cascade._gate
    assert gate is not None
    now = datetime.now(UTC)
    reservation = store.reserve(ReservationRequest(id="call-2", user_id="u", amount=0.01,
                                                   limits={Window.DAILY: 5.0}, now=now,
                                                   ttl=timedelta(minutes=5)))
    assert reservation is not None
    entry = CostEntry(id="call-2", model="small", provider="openai", cost=0.004, timestamp=now,
                      input_tokens=10, output_tokens=5, user_id="u")
    calls = store.async_calls()
    assert calls is not None
    committing = asyncio.create_task(gate._on_loop(calls.commit(reservation.id, entry)))
    await asyncio.sleep(0)  # the commit is under way
    committing.cancel()  # the client went away
    with pytest.raises(asyncio.CancelledError):
        await committing
    while gate._tasks:  # the statement runs to its end regardless
        await asyncio.sleep(0.01)
    assert [e.id for e in store.entries("u")][-1] == "call-2"
    assert store.reserved("u", datetime.now(UTC)) == 0.0 and store.verify_totals() == []


async def test_a_fresh_database_serves_the_gateway_first_request(postgres_url: str) -> None:
    """The reservation reads the budgets table: it exists before the first one, though
    no budget was ever read or set."""
    import httpx

    from cascadeflow.entrypoints.rest.config import hash_key, parse_config
    from cascadeflow.entrypoints.rest.app import create_app
    from cascadeflow.entrypoints.rest.setup import GatewaySetup

    config = parse_config({
        "database_url": postgres_url, "default_budget": {"daily": 1.0},
        "models": [{"name": "small", "provider": "openai", "api_key": "sk-test", "cost": 0.0001}],
        "keys": [{"user": "ann", "sha256": hash_key("cf-ann")}],
    }, {})
    app = create_app(GatewaySetup(config, provider=FakeProvider({"small": ["Four."] * 2})))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        assert (await http.get("/health")).status_code == 200  # the usage tables, as at start-up
        response = await http.post("/v1/chat/completions", headers={"Authorization": "Bearer cf-ann"},
                                   json={"model": "cascadeflow",
                                         "messages": [{"role": "user", "content": "2 + 2?"}]})
    assert response.status_code == 200, response.text
    assert response.json()["cascadeflow"]["budget"]["remaining"] == pytest.approx(1.0, abs=1e-3)


async def test_a_waiter_cancelled_as_its_connection_arrives_passes_it_on(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))
    pool = AsyncPostgres(conninfo(store), label="test", url="test", max_connections=1)
    async with pool.connection():
        waiter = asyncio.create_task(pool._check_out())
        await asyncio.sleep(0)  # it waits for the only connection
    await asyncio.sleep(0)  # the connection is handed over: the waiter is due to resume…
    assert waiter._fut_waiter is None or waiter._fut_waiter.done()  # type: ignore[attr-defined]
    waiter.cancel()  # …and is cancelled before it does
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert pool._open == 1 and len(pool._idle) == 1  # back in the pool, not lost
    async with pool.connection() as conn:
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)
    pool.close()


async def test_a_loop_that_lives_gets_asyncpg_connections_of_its_own(postgres_url: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_loop, "WARM_AFTER", 4)
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))  # the tables
    agent = agent_on(store)
    for _ in range(6):  # a reservation and a commit each
        await agent.run("Capital of France?", user_id="u")
    own = store._db.loop_postgres()
    assert own is not None
    state = own._loops[asyncio.get_running_loop()]
    assert state.calls == 12 and len(state.idle) == 1  # one connection, reused since the fifth call
    assert store.count("u") == 6 and store.verify_totals() == []
    assert store.reserved("u", datetime.now(UTC)) == 0.0
    store.close()
    assert state.idle == []


async def test_an_asyncpg_statement_cut_off_by_cancellation_closes_its_connection(
        postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))
    own = store._db.loop_postgres()
    assert own is not None
    cut_off = await cut_off_mid_statement(own.connection)
    state = own._loops[asyncio.get_running_loop()]
    assert cut_off.is_closed() and state.idle == []
    async with own.connection() as conn:  # a new one in its place
        assert conn is not cut_off and await conn.fetchval("SELECT 41 + 1") == 42
    store.close()


@pytest.mark.parametrize(("params", "expected"), [
    ({"host": "db", "port": 5432, "dbname": "x", "user": "u", "password": "p"},
     {"host": "db", "port": 5432, "database": "x", "user": "u", "password": "p", "server_settings": {}}),
    ({"host": "/run/postgresql", "dbname": "x", "options": r"-csearch_path=t1 -c default_transaction_isolation=repeatable\ read",
      "application_name": "app", "sslmode": "require", "connect_timeout": "1"},
     {"host": "/run/postgresql", "database": "x", "ssl": "require", "timeout": 2.0,  # libpq's floor
      "server_settings": {"search_path": "t1", "default_transaction_isolation": "repeatable read",
                          "application_name": "app"}}),
    ({"host": "db", "sslmode": "verify-full"}, None),  # certificates: libpq's files, not passed on
    ({"host": "db", "options": "-P"}, None),
    ({"host": "db", "options": '-csearch_path="MySchema"'}, None),  # libpq keeps the quotes
    ({"host": "db", "target_session_attrs": "read-write"}, None),
    ({"host": "a,b", "port": "5432,5433"}, None),  # several hosts, tried in turn by libpq
    ({"host": "db", "connect_timeout": "0"}, None),  # libpq: wait for ever
])
def test_only_settings_asyncpg_takes_as_libpq_does_open_its_connections(
        params: dict[str, object], expected: dict[str, object] | None) -> None:
    assert pg_loop.translate(params, environ={"PGPASSWORD": "p", "PATH": "/bin"}) == expected


def test_libpq_settings_from_the_environment_keep_every_call_on_psycopg() -> None:
    params = {"host": "db", "dbname": "x"}
    assert pg_loop.translate(params, environ={}) is not None
    for name in ("PGOPTIONS", "PGSERVICE", "PGSSLMODE", "PGCHANNELBINDING", "PGCONNECT_TIMEOUT"):
        assert pg_loop.translate(params, environ={name: "x"}) is None


async def test_a_loop_switching_to_its_own_connections_closes_psycopgs_idle_ones(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_loop, "WARM_AFTER", 4)
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))
    agent = agent_on(store)
    await agent.run("Capital of France?", user_id="u")  # psycopg's, two calls
    shared = store._db.async_postgres()
    assert shared is not None and shared._open == 1
    for _ in range(2):  # the fifth call switches
        await agent.run("Capital of France?", user_id="u")
    assert shared._open == 0 and shared._idle == []
    store.close()


def test_a_loops_asyncpg_connections_close_when_it_ends(postgres_url: str) -> None:
    store = SQLModelUsageStore(postgres_url)
    store.usage(["u"], datetime.now(UTC))
    own = store._db.loop_postgres()
    assert own is not None
    opened = []

    async def use() -> None:
        async with own.connection() as conn:
            opened.append(conn)
            assert await conn.fetchval("SELECT 1") == 1

    asyncio.run(use())  # shuts the loop's async generators down, then closes it
    assert opened[0].is_closed()
    loop = asyncio.new_event_loop()  # one closed without that: closed when the next loop comes
    loop.run_until_complete(use())
    loop.close()
    assert not opened[1].is_closed()
    asyncio.run(use())
    assert opened[1].is_closed() and opened[2].is_closed() and len(own._loops) == 1
    store.close()


async def test_a_forked_childs_copy_of_a_loop_never_closes_its_parents_connections() -> None:
    class Connection:
        terminated = False

        def terminate(self) -> None:
            self.terminated = True

    parents, ours = Connection(), Connection()
    for pid, conn in ((-1, parents), (os.getpid(), ours)):  # -1: made before a fork
        state = pg_loop._Loop(idle=[(conn, 0.0)], pid=pid)  # type: ignore[list-item]
        closer = pg_loop._close_at_shutdown(state)
        await closer.asend(None)
        await closer.aclose()  # as the loop's shutdown does
    assert not parents.terminated and ours.terminated
