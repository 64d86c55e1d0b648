"""Spend spikes: a period far above what its own history says to expect.

Robust statistics on a log scale: the expected value is the median of the reference
periods and the spread their median absolute deviation, so past spikes neither raise
the bar nor hide a new one, and a doubling means the same for $1 and for $1000. The
references are the most recent periods and the same phase of the cycle (the same hour
of past days, the same weekday of past weeks); a spike must stand out against both, so
a busy Monday morning is compared with Monday mornings, and a level that has been rising
for days is not called a spike.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAD_TO_SIGMA = 1.4826
MIN_PHASE_SAMPLES = 4


@dataclass(frozen=True, slots=True)
class SpikeRule:
    """``threshold``: robust z-score on the log scale; ``min_ratio``: the period must
    also be this multiple of the expected value; ``min_excess``: and exceed it by this
    much (USD for spend); ``recent``: how many recent periods form the plain reference;
    ``history``: how far back same-phase periods are looked for."""

    threshold: float = 3.5
    min_ratio: float = 2.0
    min_excess: float = 0.0
    recent: int = 24
    history: int = 28 * 24
    min_history: int = 7
    min_spread: float = 0.15


@dataclass(frozen=True, slots=True)
class SpikeScore:
    value: float
    expected: float
    score: float
    ratio: float


def score_period(values: Sequence[float], index: int, season: int, rule: SpikeRule
                 ) -> SpikeScore | None:
    """How far ``values[index]`` stands out; None with too little history before it."""
    past = values[max(0, index - rule.history):index]
    if len(past) < rule.min_history:
        return None
    # Periods without usage are left out: a user active a few hours a day is judged by
    # what an active hour costs, not by a median of zeros.
    candidates = [past[-rule.recent:]]
    if season > 1:
        candidates.append(past[len(past) - season::-season])
    references = [[v for v in c if v > 0] for c in candidates]
    references = [r for r in references if len(r) >= MIN_PHASE_SAMPLES]
    if not references:
        return None
    offset = 0.05 * statistics.fmean(v for r in references for v in r)
    value = values[index]
    scored = [_against(value, reference, offset, rule) for reference in references]
    return min(scored, key=lambda s: s.score)


def _against(value: float, reference: Sequence[float], offset: float, rule: SpikeRule
             ) -> SpikeScore:
    logs = [math.log(v + offset) for v in reference]
    center = statistics.median(logs)
    spread = max(MAD_TO_SIGMA * statistics.median(abs(v - center) for v in logs), rule.min_spread)
    expected = math.exp(center) - offset
    score = (math.log(value + offset) - center) / spread
    return SpikeScore(value, max(expected, 0.0), score, (value + offset) / (expected + offset))


def is_spike(score: SpikeScore | None, rule: SpikeRule) -> bool:
    return (
        score is not None
        and score.score >= rule.threshold
        and score.ratio >= rule.min_ratio
        and score.value - score.expected >= rule.min_excess
    )


def spikes(values: Sequence[float], season: int, rule: SpikeRule, start: int = 0
           ) -> list[tuple[int, SpikeScore]]:
    """Every spike at or after ``start``."""
    found = []
    for index in range(start, len(values)):
        score = score_period(values, index, season, rule)
        if score is not None and is_spike(score, rule):
            found.append((index, score))
    return found
