"""Anomaly detection (the plan's ``cascadeflow.telemetry.anomaly``)."""

from cascadeflow.domain.anomaly import Anomaly, AnomalyDetector, AnomalyKind
from cascadeflow.domain.anomaly_monitor import AnomalyMonitor
from cascadeflow.domain.anomaly_requests import RequestRule
from cascadeflow.domain.anomaly_spikes import SpikeRule, SpikeScore, score_period, spikes
from cascadeflow.entrypoints.api.anomaly_check import detect_anomalies

__all__ = [
    "Anomaly",
    "AnomalyDetector",
    "AnomalyKind",
    "AnomalyMonitor",
    "RequestRule",
    "SpikeRule",
    "SpikeScore",
    "detect_anomalies",
    "score_period",
    "spikes",
]
