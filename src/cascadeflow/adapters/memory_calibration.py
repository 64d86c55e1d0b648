"""Online calibration evidence in process memory (tests, simulation, one-process use)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence

from cascadeflow.application.ports import CalibrationStore
from cascadeflow.domain.online_evidence import KEEP_SAMPLES, Observation, RouteEvidence, Sample
from cascadeflow.domain.online_policy import AcceptancePlan


class InMemoryCalibrationStore(CalibrationStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._evidence: dict[str, RouteEvidence] = {}
        self._plans: dict[str, AcceptancePlan] = {}
        self._samples: dict[str, deque[tuple[int, Sample]]] = {}
        self._sequence = 0

    def record(self, route: str, bins: int, observations: Sequence[Observation]) -> None:
        with self._lock:
            known = self._evidence.get(route) or RouteEvidence.empty(bins)
            self._evidence[route] = known.plus(observations)
            kept = self._samples.setdefault(route, deque(maxlen=KEEP_SAMPLES))
            for seen in observations:
                if seen.sample is not None:
                    self._sequence += 1
                    kept.append((self._sequence, seen.sample))

    def samples(self, route: str, after: int, limit: int) -> list[tuple[int, Sample]]:
        with self._lock:
            kept = self._samples.get(route, ())
            fresh: list[tuple[int, Sample]] = []
            for item in reversed(kept):
                if item[0] <= after or len(fresh) >= limit:
                    break
                fresh.append(item)
        return fresh[::-1]

    def evidence(self, route: str, bins: int) -> RouteEvidence:
        with self._lock:
            return self._evidence.get(route) or RouteEvidence.empty(bins)

    def save_plan(self, route: str, plan: AcceptancePlan) -> None:
        with self._lock:
            self._plans[route] = plan

    def plans(self) -> dict[str, AcceptancePlan]:
        with self._lock:
            return dict(self._plans)
