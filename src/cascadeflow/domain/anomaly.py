"""Anomaly detection over cost entries: spend spikes (overall, per user, per model),
single requests far dearer than usual, and runaway loops."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from cascadeflow.domain.anomaly_requests import RequestRule, expensive_calls, runaway_loops
from cascadeflow.domain.anomaly_spikes import SpikeRule, is_spike, score_period
from cascadeflow.domain.budgets import CostEntry
from cascadeflow.domain.time_series import Frequency, as_utc, bucket


class AnomalyKind(str, Enum):
    SPEND_SPIKE = "spend_spike"
    EXPENSIVE_REQUEST = "expensive_request"
    RUNAWAY_LOOP = "runaway_loop"


@dataclass(frozen=True, slots=True)
class Anomaly:
    """``observed`` against ``expected`` (USD; calls for a loop); ``score`` is how many
    robust standard deviations apart they are (the loop's call count for a loop)."""

    kind: AnomalyKind
    at: datetime
    subject: str
    observed: float
    expected: float
    score: float
    message: str
    user_id: str | None = None
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "at": self.at.isoformat(), "subject": self.subject,
                "observed": self.observed, "expected": self.expected, "score": self.score,
                "message": self.message, "user_id": self.user_id, "model": self.model}


@dataclass(frozen=True, slots=True)
class AnomalyDetector:
    """Spikes are checked per ``freq`` period (hourly by default, compared with the same
    hour of past days and with the last day); see SpikeRule and RequestRule for the
    thresholds."""

    freq: Frequency = Frequency.HOURLY
    spikes: SpikeRule = field(default_factory=SpikeRule)
    requests: RequestRule = field(default_factory=RequestRule)

    @property
    def lookback(self) -> timedelta:
        """How much history before ``since`` the spike baselines need."""
        return self.freq.step * self.spikes.history

    def detect(self, entries: Sequence[CostEntry], since: datetime, now: datetime
               ) -> list[Anomaly]:
        """Anomalies from ``since`` to ``now``; ``entries`` should reach back
        ``lookback`` before ``since`` so that there is something to compare with."""
        since, now = as_utc(since), as_utc(now)
        ordered = sorted(entries, key=lambda e: e.timestamp)
        found = self._spikes(ordered, since, now)
        checked_from = next((i for i, e in enumerate(ordered) if e.timestamp >= since),
                            len(ordered))
        for hit in expensive_calls(ordered, self.requests, checked_from):
            entry = hit.entry
            found.append(Anomaly(
                AnomalyKind.EXPENSIVE_REQUEST, entry.timestamp, f"model:{entry.model}",
                entry.cost, hit.median, hit.score,
                f"a {entry.model} call cost ${entry.cost:.4f}, {entry.cost / hit.median:.0f}x "
                f"its usual ${hit.median:.4f} ({entry.input_tokens} input tokens)",
                entry.user_id, entry.model))
        window = since - self.requests.loop_window
        for loop in runaway_loops([e for e in ordered if e.timestamp >= window], self.requests):
            first, last = loop.calls[0].timestamp, loop.calls[-1].timestamp
            if last < since:
                continue
            found.append(Anomaly(
                AnomalyKind.RUNAWAY_LOOP, first, f"user:{loop.user_id}", len(loop.calls),
                float(self.requests.loop_repeats), float(len(loop.calls)),
                f"user {loop.user_id!r} sent {len(loop.calls)} near-identical calls to "
                f"{loop.model} in {(last - first).total_seconds():.0f}s (${loop.cost:.4f})",
                loop.user_id, loop.model))
        return sorted(found, key=lambda a: (a.at, a.kind.value, a.subject))

    def _spikes(self, entries: Sequence[CostEntry], since: datetime, now: datetime
                ) -> list[Anomaly]:
        subjects: dict[tuple[str, str | None, str | None], list[CostEntry]] = defaultdict(list)
        for entry in entries:
            subjects[("all", None, None)].append(entry)
            if entry.user_id is not None:
                subjects[(f"user:{entry.user_id}", entry.user_id, None)].append(entry)
            subjects[(f"model:{entry.model}", None, entry.model)].append(entry)
        start = self.freq.floor(since) - self.lookback
        first_checked = self.freq.floor(since)
        found = []
        for (subject, user, model), rows in subjects.items():
            first, values = bucket(((e.timestamp, e.cost) for e in rows if e.timestamp >= start),
                                   self.freq, start=start, end=now + self.freq.step)
            if first is None:
                continue
            for index, value in enumerate(values):
                period = first + self.freq.step * index
                if period < first_checked or value <= 0:
                    continue
                score = score_period(values, index, self.freq.seasons[0], self.spikes)
                if score is not None and is_spike(score, self.spikes):
                    found.append(Anomaly(
                        AnomalyKind.SPEND_SPIKE, period, subject, value, score.expected,
                        score.score,
                        f"{subject} spent ${value:.4f} in the {self.freq.unit} from "
                        f"{period:%Y-%m-%d %H:%M} UTC, {score.ratio:.1f}x the usual "
                        f"${score.expected:.4f}", user, model))
        return found
