"""Reservations are held by a lease their process renews while the call runs: a killed
process's holds lapse within one lease, a live call's never do before its deadline."""

from __future__ import annotations

import time
from datetime import timedelta

from cascadeflow.adapters.configured_pricing import ConfiguredPricing
from cascadeflow.adapters.system_clock import SystemClock
from cascadeflow.application.budget_gate import BudgetGate, BudgetPolicy
from cascadeflow.domain.budgets import BudgetConfig, CostEntry
from cascadeflow.domain.enforcement import EnforcementCallbacks
from cascadeflow.domain.messages import Message
from cascadeflow.domain.models import ModelConfig
from cascadeflow.testing import FakeClock, InMemoryUsageStore, SequentialIds

MODEL = ModelConfig(name="small", cost=1.0)
ASK = (Message("user", "Hi?"),)
LEASE = timedelta(seconds=20)


def gate(clock: FakeClock | SystemClock, *, ttl: timedelta = timedelta(minutes=10),
         lease: timedelta = LEASE) -> BudgetGate:
    policy = BudgetPolicy(user_budgets={"u": BudgetConfig(daily=100.0)}, reservation_ttl=ttl,
                          reservation_lease=lease)
    return BudgetGate(InMemoryUsageStore(), clock, SequentialIds(), ConfiguredPricing(), policy,
                      EnforcementCallbacks())


def test_an_unrenewed_reservation_lapses_after_one_lease() -> None:
    clock = FakeClock()
    budgets = gate(clock)
    held = budgets.reserve("u", MODEL, ASK, 100)
    assert held is not None and held.expires_at == clock.now() + LEASE

    assert budgets.store.reserved("u", clock.now() + LEASE - timedelta(seconds=1)) > 0
    assert budgets.store.reserved("u", clock.now() + LEASE) == 0  # its process died


def test_renewals_keep_a_long_call_held_until_its_deadline() -> None:
    clock = FakeClock()
    budgets = gate(clock, ttl=timedelta(seconds=60))
    budgets.reserve("u", MODEL, ASK, 100)
    for _ in range(3):  # a call running 45 s, renewed every 15 s
        clock.advance(15)
        assert budgets.renew_leases() == 1
        assert budgets.store.reserved("u", clock.now() + LEASE - timedelta(seconds=1)) > 0

    clock.advance(16)  # past the call's deadline: it cannot still be running
    assert budgets.renew_leases() == 0
    assert budgets.store.reserved("u", clock.now() + timedelta(seconds=5)) == 0


def test_settled_and_released_reservations_are_no_longer_renewed() -> None:
    clock = FakeClock()
    budgets = gate(clock)
    committed = budgets.reserve("u", MODEL, ASK, 100)
    released = budgets.reserve("u", MODEL, ASK, 100)
    assert budgets.renew_leases() == 2
    assert committed is not None
    budgets.release(released)
    assert budgets.renew_leases() == 1
    entry = CostEntry(id="e1", model="small", provider="openai", cost=0.5, timestamp=clock.now(),
                      user_id="u")
    assert budgets.store.commit(committed.id, entry)
    budgets.release(committed)  # settled elsewhere: the gate forgets it too
    assert budgets.renew_leases() == 0


def test_the_renewing_thread_holds_a_running_call_past_its_first_lease() -> None:
    clock = SystemClock()
    budgets = gate(clock, lease=timedelta(seconds=1))
    held = budgets.reserve("u", MODEL, ASK, 100)
    assert held is not None

    time.sleep(2.5)  # two and a half leases: only renewals keep it

    assert budgets.store.reserved("u", clock.now()) > 0
    budgets.release(held)
    deadline = time.monotonic() + 5
    while budgets._renewer is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert budgets._renewer is None  # nothing held: the thread has stopped



class _SlowStore(InMemoryUsageStore):
    """A store that blocks (so calls go to a thread) and reserves slowly."""

    blocking = True

    def reserve_and_read(self, request):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return super().reserve_and_read(request)


async def test_a_run_cancelled_while_reserving_leaves_nothing_held() -> None:
    import asyncio

    from cascadeflow import CascadeAgent, CostTracker
    from cascadeflow.testing import FakeProvider

    store = _SlowStore()
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=100.0)}, store=store)
    agent = CascadeAgent([MODEL], provider=FakeProvider(default="Fine."), pricing=ConfiguredPricing(),
                         quality_validation_mode="fast", cost_tracker=tracker)
    run = asyncio.create_task(agent.run("Hi?", user_id="u"))
    await asyncio.sleep(0.1)  # the reservation is being made in a thread
    run.cancel()
    await asyncio.sleep(0.5)  # the thread finishes; its reservation is undone
    assert run.cancelled()
    assert store.reserved("u", SystemClock().now()) == 0.0 and store.count("u") == 0
