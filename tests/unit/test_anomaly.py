"""Anomaly detection: spend spikes, expensive calls and runaway loops, through the
store and the callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.budgets import CostEntry
from cascadeflow.telemetry import CallbackManager, CostTracker
from cascadeflow.telemetry.anomaly import (
    AnomalyKind,
    AnomalyMonitor,
    SpikeRule,
    detect_anomalies,
    spikes,
)
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, FakeReply

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def entry(n: int, at: datetime, cost: float, user: str = "alice", model: str = "gpt-4o",
          tokens: int = 100) -> CostEntry:
    return CostEntry(id=f"e{n}", model=model, provider="openai", cost=cost, timestamp=at,
                     input_tokens=tokens, user_id=user)


def steady_history(tracker: CostTracker, days: int = 14) -> None:
    """Alice spends ~$0.20 an hour in office hours (9-17), with a little variety."""
    n = 0
    for d in range(days, -1, -1):
        for hour in range(9, 17):
            at = (NOW - timedelta(days=d)).replace(hour=hour, minute=5)
            if at < NOW - timedelta(hours=1):
                n += 1
                tracker.store.record(entry(n, at, 0.2 * (1 + 0.1 * (n % 3)), tokens=100 + n % 7))


def tracker() -> CostTracker:
    return CostTracker(store="memory", clock=FakeClock(NOW))


def test_a_steady_history_has_no_anomalies() -> None:
    t = tracker()
    steady_history(t)
    assert detect_anomalies(t, since=NOW - timedelta(days=3)) == []


def test_a_spend_spike_is_found_for_the_user_the_model_and_overall() -> None:
    t = tracker()
    steady_history(t)
    t.store.record(entry(10_000, NOW.replace(minute=10), 3.0, tokens=90))
    events: list[dict[str, Any]] = []
    callbacks = CallbackManager()
    callbacks.register("anomaly_detected", events.append)

    found = detect_anomalies(t, callbacks=callbacks)

    spikes_found = {a.subject for a in found if a.kind is AnomalyKind.SPEND_SPIKE}
    assert spikes_found == {"all", "user:alice", "model:gpt-4o"}
    spike = next(a for a in found if a.subject == "user:alice")
    assert spike.at == NOW.replace(minute=0) and spike.observed == pytest.approx(3.0)
    assert spike.expected == pytest.approx(0.22, rel=0.2)
    assert [e["kind"] for e in events] == [a.kind.value for a in found]
    assert events[0]["anomaly"] in found


def test_a_single_call_far_dearer_than_usual_is_flagged() -> None:
    t = tracker()
    steady_history(t)
    t.store.record(entry(10_000, NOW - timedelta(minutes=5), 0.2 * 20, tokens=40_000))

    expensive = [a for a in detect_anomalies(t) if a.kind is AnomalyKind.EXPENSIVE_REQUEST]

    assert len(expensive) == 1 and expensive[0].model == "gpt-4o"
    assert "40000 input tokens" in expensive[0].message


def test_a_burst_of_identical_calls_is_a_runaway_loop() -> None:
    t = tracker()
    steady_history(t)
    for i in range(30):
        t.store.record(entry(20_000 + i, NOW - timedelta(minutes=3, seconds=-i * 5), 0.01,
                             user="bot", model="gpt-4o-mini", tokens=512))

    loops = [a for a in detect_anomalies(t) if a.kind is AnomalyKind.RUNAWAY_LOOP]

    assert len(loops) == 1
    assert loops[0].user_id == "bot" and loops[0].observed == 30
    assert "30 near-identical calls" in loops[0].message


def test_one_requests_calls_of_a_model_count_once_towards_a_loop() -> None:
    from dataclasses import replace

    t = tracker()
    for i in range(15):  # 15 requests, each calling the draft model twice (a second sample)
        at = NOW - timedelta(minutes=3, seconds=-i * 5)
        for sample in range(2):
            call = entry(30_000 + 2 * i + sample, at, 0.01, user="ann", model="gpt-4o-mini", tokens=512)
            t.store.record(replace(call, query_id=f"q{i}"))
    assert not [a for a in detect_anomalies(t) if a.kind is AnomalyKind.RUNAWAY_LOOP]


def test_the_live_monitor_announces_a_loop_once_from_the_agents_cost_events() -> None:
    clock = FakeClock(NOW)
    callbacks = CallbackManager()
    seen: list[dict[str, Any]] = []
    callbacks.register("anomaly_detected", seen.append)
    AnomalyMonitor(callbacks, now=clock.now)
    small = ModelConfig(name="small", provider="groq", cost=0.1)
    agent = CascadeAgent(models=[small], provider=FakeProvider(default=FakeReply("ok", 20, 5)),
                         pricing=ConfiguredPricing(), callbacks=callbacks)

    for _ in range(25):
        agent.run_sync("Same question again?", user_id="bot")
        clock.advance(2)

    loops = [e for e in seen if e["kind"] == "runaway_loop"]
    assert len(loops) == 1 and loops[0]["user_id"] == "bot"


def test_without_a_clock_the_live_monitor_dates_calls_by_the_agents_clock() -> None:
    clock = FakeClock(NOW)
    callbacks = CallbackManager()
    seen: list[dict[str, Any]] = []
    callbacks.register("anomaly_detected", seen.append)
    AnomalyMonitor(callbacks)
    small = ModelConfig(name="small", provider="groq", cost=0.1)
    agent = CascadeAgent(models=[small], provider=FakeProvider(default=FakeReply("ok", 20, 5)),
                         pricing=ConfiguredPricing(), callbacks=callbacks, clock=clock)

    for _ in range(25):
        agent.run_sync("Same question again?", user_id="bot")
        clock.advance(2)

    [loop] = [e for e in seen if e["kind"] == "runaway_loop"]
    assert NOW <= datetime.fromisoformat(loop["at"]) <= clock.now()


def test_a_cost_event_without_a_time_is_refused_when_no_clock_is_given(
    caplog: pytest.LogCaptureFixture,
) -> None:
    callbacks = CallbackManager()
    AnomalyMonitor(callbacks)
    callbacks.trigger("cost_recorded", model="gpt-4o", provider="openai", cost=0.1)
    assert "now=clock.now" in caplog.text


def test_spikes_on_a_plain_series_respect_the_daily_cycle() -> None:
    day = [1.0] * 9 + [10.0] * 8 + [1.0] * 7  # busy office hours are normal
    values = day * 10
    warm = 5 * 24  # same-hour baselines need a few days
    assert spikes(values, 24, SpikeRule(), start=warm) == []
    values[-10] *= 8
    [(index, score)] = spikes(values, 24, SpikeRule(), start=warm)
    assert index == len(values) - 10 and score.ratio > 4
