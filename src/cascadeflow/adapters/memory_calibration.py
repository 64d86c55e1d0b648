"""Online calibration evidence in process memory (tests, simulation, one-process use)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from cascadeflow.application.ports import CalibrationStore
from cascadeflow.domain.online_evidence import Observation, RouteEvidence
from cascadeflow.domain.online_policy import AcceptancePlan


class InMemoryCalibrationStore(CalibrationStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._evidence: dict[str, RouteEvidence] = {}
        self._plans: dict[str, AcceptancePlan] = {}

    def record(self, route: str, bins: int, observations: Sequence[Observation]) -> None:
        with self._lock:
            known = self._evidence.get(route) or RouteEvidence.empty(bins)
            self._evidence[route] = known.plus(observations)

    def evidence(self, route: str, bins: int) -> RouteEvidence:
        with self._lock:
            return self._evidence.get(route) or RouteEvidence.empty(bins)

    def save_plan(self, route: str, plan: AcceptancePlan) -> None:
        with self._lock:
            self._plans[route] = plan

    def plans(self) -> dict[str, AcceptancePlan]:
        with self._lock:
            return dict(self._plans)
