"""Anomalies in a CostTracker's stored spend, for the Python API and the CLI."""

from __future__ import annotations

from datetime import datetime

from cascadeflow.application.detect_anomalies import DetectAnomalies
from cascadeflow.domain.anomaly import Anomaly, AnomalyDetector
from cascadeflow.domain.callbacks import CallbackManager
from cascadeflow.entrypoints.api.cost_tracker import CostTracker


def detect_anomalies(
    tracker: CostTracker,
    since: datetime | None = None,
    user_id: str | None = None,
    detector: AnomalyDetector | None = None,
    callbacks: CallbackManager | None = None,
) -> list[Anomaly]:
    """Spend spikes, unusually expensive calls and runaway loops from ``since`` (default:
    the last 24 hours) on; each is also sent to ``callbacks`` as ``anomaly_detected``."""
    use_case = DetectAnomalies(tracker.store, tracker.clock, detector or AnomalyDetector(),
                               callbacks)
    return use_case.execute(since, user_id)
