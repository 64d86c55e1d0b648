"""What every UsageStore promises, checked against memory, SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from cascadeflow.application.ports import UsageStore
from cascadeflow.domain.budgets import CostEntry, ReservationRequest, Window, window_start
from cascadeflow.domain.errors import CascadeflowError, ConfigurationError, StorageError

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday
TTL = timedelta(minutes=5)


def ask(
    amount: float,
    user: str = "alice",
    now: datetime = NOW,
    ttl: timedelta = TTL,
    everyone: dict[Window, float] | None = None,
    **limits: float,
) -> ReservationRequest:
    return ReservationRequest(
        id=uuid.uuid4().hex,
        user_id=user,
        amount=amount,
        limits={Window(name): limit for name, limit in limits.items()},
        now=now,
        ttl=ttl,
        global_limits=everyone or {},
    )


def spend(cost: float, user: str | None = "alice", at: datetime = NOW, **fields: Any) -> CostEntry:
    fields.setdefault("id", uuid.uuid4().hex)
    return CostEntry(
        model="gpt-4o-mini", provider="openai", cost=cost, timestamp=at, user_id=user, **fields
    )


# -- reserve ---------------------------------------------------------------------------


@pytest.mark.parametrize("window", list(Window))
def test_reserve_counts_spend_inside_the_window_only(store: UsageStore, window: Window) -> None:
    start = window_start(window, NOW)
    before = (start or NOW) - timedelta(seconds=1)
    store.record(spend(5.0, at=before))
    store.record(spend(4.0))
    used = 4.0 if start is not None else 9.0
    left = 10.0 - used

    assert store.reserve(ask(left + 0.01, **{window.value: 10.0})) is None
    assert store.reserve(ask(left, **{window.value: 10.0})) is not None
    assert store.reserve(ask(0.01, **{window.value: 10.0})) is None


def test_every_limit_must_fit(store: UsageStore) -> None:
    store.record(spend(8.0, at=NOW - timedelta(days=40)))
    assert store.reserve(ask(3.0, daily=5.0, total=10.0)) is None
    assert store.reserve(ask(2.0, daily=5.0, total=10.0)) is not None


def test_no_limits_always_fit(store: UsageStore) -> None:
    store.record(spend(1000.0))
    assert store.reserve(ask(50.0)) is not None


def test_reservation_holds_money_until_settled(store: UsageStore) -> None:
    reservation = store.reserve(ask(6.0, daily=10.0))
    assert reservation is not None
    assert (reservation.user_id, reservation.amount) == ("alice", 6.0)
    assert reservation.created_at == NOW
    assert reservation.expires_at == NOW + TTL
    assert store.reserved("alice", NOW) == pytest.approx(6.0)
    assert store.reserve(ask(5.0, daily=10.0)) is None
    assert store.reserve(ask(4.0, daily=10.0)) is not None
    assert store.reserve(ask(4.0, user="bob", daily=10.0)) is not None


def test_expired_reservations_stop_counting(store: UsageStore) -> None:
    assert store.reserve(ask(6.0, ttl=timedelta(seconds=60), daily=10.0)) is not None
    assert store.reserved("alice", NOW + timedelta(seconds=59)) == pytest.approx(6.0)
    assert store.reserve(ask(10.0, now=NOW + timedelta(seconds=59), daily=10.0)) is None
    assert store.reserved("alice", NOW + timedelta(seconds=60)) == 0.0
    assert store.reserve(ask(10.0, now=NOW + timedelta(seconds=60), daily=10.0)) is not None


def test_global_limits_apply_across_users(store: UsageStore) -> None:
    everyone = {Window.DAILY: 10.0}
    store.record(spend(3.0, user="carol"))
    assert store.reserve(ask(5.0, user="alice", everyone=everyone)) is not None
    assert store.reserve(ask(2.5, user="bob", everyone=everyone)) is None
    assert store.reserve(ask(2.0, user="bob", everyone=everyone, daily=100.0)) is not None
    assert store.reserve(ask(1.0, user="bob", everyone=everyone, daily=100.0)) is None
    assert store.reserve(ask(1.0, user="bob", daily=100.0)) is not None


# -- commit, release, record -------------------------------------------------------------


def test_commit_stores_the_entry_and_frees_the_reservation(store: UsageStore) -> None:
    reservation = store.reserve(ask(6.0, daily=10.0))
    assert reservation is not None
    entry = spend(2.0)

    assert store.commit(reservation.id, entry) is True

    assert store.entries("alice") == [entry]
    assert store.spent("alice", None) == pytest.approx(2.0)
    assert store.reserved("alice", NOW) == 0.0
    assert store.reserve(ask(8.0, daily=10.0)) is not None


def test_a_second_commit_counts_once(store: UsageStore) -> None:
    reservation = store.reserve(ask(6.0, daily=10.0))
    assert reservation is not None
    assert store.commit(reservation.id, spend(2.0, id="call-1")) is True
    assert store.commit(reservation.id, spend(2.0, id="call-1")) is False
    assert store.commit(reservation.id, spend(2.0, id="call-1-retry")) is False
    assert [e.id for e in store.entries()] == ["call-1"]
    assert store.spent("alice", None) == pytest.approx(2.0)


def test_committing_an_entry_id_already_stored_counts_once(store: UsageStore) -> None:
    first, second = store.reserve(ask(1.0)), store.reserve(ask(1.0))
    assert first is not None and second is not None
    assert store.commit(first.id, spend(0.5, id="call-1")) is True
    assert store.commit(second.id, spend(0.5, id="call-1")) is False
    assert store.spent(None, None) == pytest.approx(0.5)
    assert store.reserved(None, NOW) == 0.0


def test_release_frees_the_reservation(store: UsageStore) -> None:
    reservation = store.reserve(ask(6.0, daily=10.0))
    assert reservation is not None
    store.release(reservation.id)
    store.release(reservation.id)
    store.release("never-reserved")
    assert store.reserved("alice", NOW) == 0.0
    assert store.spent("alice", None) == 0.0
    assert store.reserve(ask(10.0, daily=10.0)) is not None


def test_record_without_reservation_stores_each_id_once(store: UsageStore) -> None:
    entry = spend(1.5)
    assert store.record(entry) is True
    assert store.record(entry) is False
    assert store.entries() == [entry]
    assert store.spent("alice", None) == pytest.approx(1.5)


# -- queries --------------------------------------------------------------------------------


def test_spent_reserved_and_entries_per_user_and_since(store: UsageStore) -> None:
    old = spend(1.0, user="alice", at=NOW - timedelta(days=3))
    alice = spend(2.0, user="alice")
    bob = spend(4.0, user="bob", at=NOW + timedelta(minutes=1))
    anonymous = spend(8.0, user=None, at=NOW + timedelta(minutes=2))
    for entry in (bob, anonymous, alice, old):
        store.record(entry)
    store.reserve(ask(0.5, user="alice"))
    store.reserve(ask(0.25, user="bob"))

    assert store.spent("alice", None) == pytest.approx(3.0)
    assert store.spent("alice", NOW) == pytest.approx(2.0)
    assert store.spent(None, None) == pytest.approx(15.0)
    assert store.spent(None, NOW) == pytest.approx(14.0)
    assert store.spent("nobody", None) == 0.0
    assert store.reserved("alice", NOW) == pytest.approx(0.5)
    assert store.reserved(None, NOW) == pytest.approx(0.75)
    assert store.entries() == [old, alice, bob, anonymous]
    assert store.entries("alice") == [old, alice]
    assert store.entries(since=NOW) == [alice, bob, anonymous]
    assert store.entries("alice", since=NOW) == [alice]
    assert store.entries("nobody") == []


METADATA = {"escalated": True, "steps": ["draft", "verify"], "nested": {"score": 0.75}}


def test_entries_round_trip_every_field(store: UsageStore) -> None:
    paris = timezone(timedelta(hours=2))
    entry = CostEntry(
        id="q-42:gpt-4o",
        model="gpt-4o",
        provider="openai",
        cost=0.012345678901,
        timestamp=datetime(2024, 5, 15, 14, 30, 15, 123456, tzinfo=paris),
        input_tokens=1200,
        output_tokens=345,
        user_id="ünïcode-user",
        query_id="q-42",
        domain="code",
        tier="pro",
        metadata=METADATA,
    )
    store.record(entry)
    [stored] = store.entries()
    assert stored == entry
    assert stored.timestamp.utcoffset() is not None
    assert stored.timestamp.astimezone(UTC) == datetime(2024, 5, 15, 12, 30, 15, 123456, tzinfo=UTC)
    assert dict(stored.metadata) == METADATA
    assert store.entries(since=entry.timestamp) == [entry]
    assert store.entries(since=entry.timestamp + timedelta(microseconds=1)) == []


# -- window edges -----------------------------------------------------------------------------

EDGES = {
    "day": (Window.DAILY, datetime(2024, 5, 16, tzinfo=UTC)),
    "iso-week": (Window.WEEKLY, datetime(2024, 5, 20, tzinfo=UTC)),  # Sunday -> Monday
    "week-across-new-year": (Window.WEEKLY, datetime(2024, 12, 30, tzinfo=UTC)),
    "month": (Window.MONTHLY, datetime(2024, 2, 1, tzinfo=UTC)),  # January 31 -> February 1
    "leap-february": (Window.MONTHLY, datetime(2024, 3, 1, tzinfo=UTC)),
}


@pytest.mark.parametrize(("window", "edge"), EDGES.values(), ids=EDGES.keys())
def test_windows_roll_over_at_the_utc_edge(
    store: UsageStore, window: Window, edge: datetime
) -> None:
    last_second = edge - timedelta(seconds=1)
    store.record(spend(10.0, at=last_second))
    assert store.reserve(ask(1.0, now=last_second, **{window.value: 10.0})) is None
    assert store.reserve(ask(1.0, now=edge, **{window.value: 10.0})) is not None
    assert store.spent("alice", window_start(window, edge)) == 0.0
    store.record(spend(2.0, at=edge))
    assert store.spent("alice", window_start(window, edge)) == pytest.approx(2.0)


# -- concurrency ----------------------------------------------------------------------------------


def test_racing_threads_never_overspend(store: UsageStore) -> None:
    threads, fitting = 50, 7
    start = threading.Barrier(threads)
    granted: list[str] = []
    errors: list[BaseException] = []

    def race() -> None:
        try:
            start.wait()
            reservation = store.reserve(ask(1.0, daily=float(fitting), ttl=timedelta(hours=1)))
            if reservation is not None:
                granted.append(reservation.id)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    workers = [threading.Thread(target=race) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert len(granted) == fitting
    assert store.reserved("alice", NOW) == pytest.approx(float(fitting))


# -- configuration and faults (SQLModel only) ------------------------------------------------------


BAD_URLS = [
    "not a url",
    "://nothing",
    "mysql+pymysql://u@localhost/db",
    "postgresql+psycopg2://u@localhost/db",
    "sqlite://",
    "sqlite:///:memory:",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_unusable_urls_are_refused_with_an_example(url: str) -> None:
    with pytest.raises(ConfigurationError, match="sqlite:///"):
        SQLModelUsageStore(url)


def test_the_url_defaults_to_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CASCADEFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    store = SQLModelUsageStore()
    try:
        store.record(spend(1.0))
    finally:
        store.close()
    assert (tmp_path / "from-env.db").exists()


def test_nothing_touches_the_database_before_first_use(tmp_path: Path) -> None:
    SQLModelUsageStore(f"sqlite:///{tmp_path / 'lazy.db'}").close()
    assert not (tmp_path / "lazy.db").exists()


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "usage.db"
    path.write_bytes(b"these are not the bytes of an SQLite database" * 100)
    store = SQLModelUsageStore(f"sqlite:///{path}")
    with pytest.raises(StorageError, match="not a database"):
        store.spent(None, None)
    store.close()


def test_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    store = SQLModelUsageStore(f"sqlite:///{tmp_path / 'missing' / 'usage.db'}")
    with pytest.raises(StorageError, match="unable to open"):
        store.record(spend(1.0))


def test_a_locked_database_is_a_storage_error_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "usage.db"
    store = SQLModelUsageStore(f"sqlite:///{path}?timeout=0.2")
    store.record(spend(1.0))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked"):
            store.reserve(ask(1.0, daily=10.0))
        assert store.spent(None, None) == pytest.approx(1.0)  # WAL: readers still read
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.reserve(ask(1.0, daily=10.0)) is not None
    store.close()


def test_an_unreachable_server_is_a_storage_error() -> None:
    store = SQLModelUsageStore("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StorageError, match="127.0.0.1") as raised:
        store.spent(None, None)
    assert "secret" not in str(raised.value)
    assert isinstance(raised.value, CascadeflowError)


def test_metadata_that_is_not_json_is_refused(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(shared_url)
    with pytest.raises(ConfigurationError, match="JSON"):
        store.record(spend(1.0, metadata={"when": NOW}))
    assert store.entries() == []


def test_naive_datetimes_are_refused(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(shared_url)
    with pytest.raises(ConfigurationError, match="timezone"):
        store.spent("alice", datetime(2024, 5, 15))


def test_long_expired_reservations_are_pruned_but_settlements_kept(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(shared_url)
    settled, abandoned = store.reserve(ask(1.0)), store.reserve(ask(2.0))
    assert settled is not None and abandoned is not None
    assert store.commit(settled.id, spend(1.0, id="call-1"))

    assert store.reserve(ask(1.0, now=NOW + timedelta(days=2))) is not None

    assert store.reserved("alice", NOW) == pytest.approx(1.0)  # the abandoned 2.0 is gone
    assert store.commit(settled.id, spend(1.0, id="call-1-again")) is False
    assert store.spent("alice", None) == pytest.approx(1.0)



def test_count_per_user_and_for_everyone(store: UsageStore) -> None:
    assert store.count("alice") == 0 and store.count(None) == 0
    store.record(spend(0.1))
    store.record(spend(0.2))
    store.record(spend(0.3, user="bob"))
    store.record(spend(0.4, user=None))
    assert store.count("alice") == 2 and store.count("bob") == 1 and store.count(None) == 4


def test_usage_reads_every_window_held_and_calls_in_one_go(store: UsageStore) -> None:
    store.record(spend(1.0, at=NOW - timedelta(days=40)))  # an earlier month
    store.record(spend(2.0, at=NOW - timedelta(days=3)))  # this month, last week (Sunday)
    store.record(spend(4.0))  # today
    store.record(spend(8.0, user="bob"))
    store.reserve(ask(0.5))

    alice, everyone = store.usage(["alice", None], NOW)

    assert alice.spent == {Window.DAILY: pytest.approx(4.0), Window.WEEKLY: pytest.approx(4.0),
                           Window.MONTHLY: pytest.approx(6.0), Window.TOTAL: pytest.approx(7.0)}
    assert (alice.held, alice.calls) == (pytest.approx(0.5), 3)
    assert everyone.spent[Window.DAILY] == pytest.approx(12.0) and everyone.calls == 4
    assert store.usage(["nobody"], NOW)[0].spent[Window.TOTAL] == 0.0


def test_spent_since_any_instant_not_only_a_window_start(store: UsageStore) -> None:
    store.record(spend(1.0, at=NOW - timedelta(hours=3)))
    store.record(spend(2.0, at=NOW - timedelta(minutes=30)))
    assert store.spent("alice", NOW - timedelta(hours=1)) == pytest.approx(2.0)
    assert store.spent("alice", window_start(Window.DAILY, NOW)) == pytest.approx(3.0)


def test_a_user_named_like_the_global_scope_is_kept_apart(store: UsageStore) -> None:
    store.record(spend(1.0, user="*"))
    store.record(spend(2.0, user="alice"))
    assert store.spent("*", None) == pytest.approx(1.0)
    assert store.spent(None, None) == pytest.approx(3.0)
    assert store.count("*") == 1 and store.count(None) == 2


def test_renewing_extends_a_live_reservation_and_never_shortens_one(store: UsageStore) -> None:
    held, other = store.reserve(ask(1.0, ttl=timedelta(seconds=20))), store.reserve(ask(2.0))
    assert held is not None and other is not None
    store.renew([held.id, other.id, "gone"], NOW + timedelta(seconds=60))
    assert store.reserved("alice", NOW + timedelta(seconds=50)) == pytest.approx(3.0)
    store.renew([other.id], NOW + timedelta(seconds=1))  # earlier than it holds: ignored
    assert store.reserved("alice", NOW + timedelta(seconds=61)) == pytest.approx(2.0)
    assert store.commit(held.id, spend(1.0))
    store.renew([held.id], NOW + timedelta(hours=1))  # settled: nothing to extend
    assert store.reserved("alice", NOW) == pytest.approx(2.0)


def test_running_totals_match_the_entries_and_rebuild_from_them(
    shared_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(shared_url)
    held = store.reserve(ask(1.0))
    assert held is not None
    store.commit(held.id, spend(0.5))
    store.commit(held.id, spend(0.5))  # a second commit adds nothing
    store.record(spend(0.25, user=None, at=NOW - timedelta(days=400)))
    assert store.record_many([spend(0.125, user="bob"), spend(0.0625, user="bob")]) == 2
    assert store.verify_totals() == []

    engine = store._db.engine  # a totals row edited behind the store's back
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cascadeflow_spend_totals SET spent = spent + 1 "
                             "WHERE scope = 'u:bob' AND \"window\" = 'total'")
    wrong = store.verify_totals()
    assert [(m.scope, m.window, m.stored[0], m.expected[0]) for m in wrong] == [
        ("u:bob", "total", pytest.approx(1.1875), pytest.approx(0.1875))]
    assert store.spent("bob", None) == pytest.approx(1.1875)

    store.rebuild_totals()
    assert store.verify_totals() == [] and store.spent("bob", None) == pytest.approx(0.1875)


def test_a_database_from_before_the_totals_gets_them_from_its_entries(
    sqlite_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(sqlite_url)
    store.record(spend(1.5))
    store.record(spend(2.5, user="bob"))
    with store._db.engine.begin() as conn:  # as the previous release left it
        conn.exec_driver_sql("DROP TABLE cascadeflow_spend_totals")
        conn.exec_driver_sql("DROP INDEX ix_cascadeflow_reservations_expiry")
    store.close()

    reopened = sql_stores(sqlite_url)
    assert reopened.spent("alice", None) == pytest.approx(1.5)
    assert reopened.spent(None, NOW) == pytest.approx(4.0) and reopened.count(None) == 2
    assert reopened.verify_totals() == []
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "ix_cascadeflow_reservations_expiry" in indexes


def test_a_reservation_skips_the_sync_but_leaves_the_connection_durable(
    sqlite_url: str, sql_stores: Callable[[str], SQLModelUsageStore]
) -> None:
    store = sql_stores(sqlite_url)
    held = store.reserve(ask(1.0, daily=5.0))
    assert held is not None
    store.release(held.id)
    pooled = store._db.engine.raw_connection()  # the one connection the calls used
    try:
        assert pooled.driver_connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert not pooled.driver_connection.in_transaction
    finally:
        pooled.close()


def test_reserve_and_read_gives_the_standing_it_decided_on(store: UsageStore) -> None:
    store.record(spend(2.0))
    store.record(spend(1.0, user="bob"))
    held, mine, everyone = store.reserve_and_read(ask(1.5, daily=4.0))
    assert held is not None
    assert (mine.spent[Window.DAILY], mine.held, mine.calls) == (pytest.approx(2.0), 0.0, 1)
    assert everyone.spent[Window.TOTAL] == pytest.approx(3.0)

    refused, mine, _ = store.reserve_and_read(ask(1.0, daily=4.0))  # 2 + 1.5 + 1 > 4
    assert refused is None and mine.held == pytest.approx(1.5)
    assert store.reserved("alice", NOW) == pytest.approx(1.5)
