"""Running statistics over cascade results."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cascadeflow.domain.results import CascadeResult, Verdict


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class _ModelStats:
    calls: int = 0
    cost: float = 0.0
    accepted: int = 0
    latencies: list[float] = field(default_factory=list)


class MetricsCollector:
    """Requests, cost, draft acceptance rate, and latency percentiles per model."""

    def __init__(self) -> None:
        self.requests = 0
        self.total_cost = 0.0
        self.drafts_accepted = 0
        self.escalations = 0
        self._models: dict[str, _ModelStats] = defaultdict(_ModelStats)

    def record(self, result: CascadeResult) -> None:
        self.requests += 1
        self.total_cost += result.total_cost
        self.drafts_accepted += result.draft_accepted
        self.escalations += result.cascaded
        for call in result.calls:
            stats = self._models[call.model]
            stats.calls += 1
            stats.cost += call.cost
            stats.accepted += call.verdict is Verdict.ACCEPTED
            stats.latencies.append(call.latency_ms)

    @property
    def draft_acceptance_rate(self) -> float:
        return self.drafts_accepted / self.requests if self.requests else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "total_cost": self.total_cost,
            "draft_acceptance_rate": self.draft_acceptance_rate,
            "escalation_rate": self.escalations / self.requests if self.requests else 0.0,
            "models": {
                name: {
                    "calls": s.calls,
                    "cost": s.cost,
                    "accepted": s.accepted,
                    "latency_p50_ms": percentile(s.latencies, 50),
                    "latency_p95_ms": percentile(s.latencies, 95),
                    "latency_p99_ms": percentile(s.latencies, 99),
                }
                for name, s in self._models.items()
            },
        }
