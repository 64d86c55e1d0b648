"""Live anomaly checks: every cost the agent records is checked as it happens, and
anomalies are announced on the same CallbackManager (``anomaly_detected``)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cascadeflow.domain.anomaly import Anomaly, AnomalyDetector
from cascadeflow.domain.budgets import CostEntry
from cascadeflow.domain.callbacks import CallbackEvent, CallbackManager
from cascadeflow.domain.errors import ConfigurationError


class AnomalyMonitor:
    """``AnomalyMonitor(callbacks)`` listens to ``cost_recorded`` and triggers
    ``anomaly_detected`` once per anomaly. It remembers the last ``max_entries`` calls
    in memory; for history across restarts, run ``cascadeflow anomalies`` on the store.
    Each call is dated by ``now`` when given (a clock's ``now``), else by the event's
    ``timestamp``, which CascadeAgent sets from its own clock: the domain reads no clock."""

    def __init__(
        self,
        callbacks: CallbackManager,
        detector: AnomalyDetector | None = None,
        now: Callable[[], datetime] | None = None,
        max_entries: int = 10_000,
    ) -> None:
        self.callbacks = callbacks
        self.detector = detector or AnomalyDetector()
        self._now = now
        self._entries: deque[CostEntry] = deque(maxlen=max_entries)
        self._reported: set[tuple[str, str, str | None, datetime]] = set()
        self._ids = itertools.count(1)
        callbacks.register(CallbackEvent.COST_RECORDED, self._on_cost)

    def observe(self, entry: CostEntry) -> list[Anomaly]:
        """Check one priced call; returns (and announces) the anomalies it completes."""
        self._entries.append(entry)
        found = self.detector.detect(list(self._entries), since=entry.timestamp,
                                     now=entry.timestamp)
        fresh = []
        for anomaly in found:
            key = (anomaly.kind.value, anomaly.subject, anomaly.model, anomaly.at)
            if key not in self._reported:
                self._reported.add(key)
                fresh.append(anomaly)
                self.callbacks.trigger(CallbackEvent.ANOMALY_DETECTED, anomaly=anomaly,
                                       **anomaly.to_dict())
        return fresh

    def _on_cost(self, payload: dict[str, Any]) -> None:
        self.observe(CostEntry(
            id=f"live-{next(self._ids)}", model=str(payload["model"]),
            provider=str(payload.get("provider", "")), cost=float(payload["cost"]),
            timestamp=self._time_of(payload), input_tokens=int(payload.get("input_tokens", 0)),
            output_tokens=int(payload.get("output_tokens", 0)), user_id=payload.get("user_id"),
        ))

    def _time_of(self, payload: dict[str, Any]) -> datetime:
        if self._now is not None:
            return self._now()
        timestamp = payload.get("timestamp")
        if not isinstance(timestamp, datetime):
            raise ConfigurationError(
                "a cost_recorded event without a datetime timestamp: trigger it with "
                "timestamp=..., or build AnomalyMonitor(callbacks, now=clock.now)"
            )
        return timestamp
