"""Anomalies in stored spend, reported to the caller and to the callbacks."""

from __future__ import annotations

from datetime import datetime, timedelta

from cascadeflow.application.ports import Clock, UsageStore
from cascadeflow.domain.anomaly import Anomaly, AnomalyDetector
from cascadeflow.domain.callbacks import CallbackEvent, CallbackManager


class DetectAnomalies:
    def __init__(self, store: UsageStore, clock: Clock, detector: AnomalyDetector,
                 callbacks: CallbackManager | None = None) -> None:
        self._store = store
        self._clock = clock
        self._detector = detector
        self._callbacks = callbacks

    def execute(self, since: datetime | None = None, user_id: str | None = None
                ) -> list[Anomaly]:
        """Anomalies from ``since`` (default: the last 24 hours) to now; each is also
        sent to the ``anomaly_detected`` callbacks."""
        now = self._clock.now()
        since = since or now - timedelta(days=1)
        entries = self._store.entries(user_id, since - self._detector.lookback)
        found = self._detector.detect(entries, since, now)
        if self._callbacks is not None:
            for anomaly in found:
                self._callbacks.trigger(CallbackEvent.ANOMALY_DETECTED, anomaly=anomaly,
                                        **anomaly.to_dict())
        return found
