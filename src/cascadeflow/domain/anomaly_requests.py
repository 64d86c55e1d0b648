"""Anomalies in single requests: a call far dearer than its model's usual ones, and
runaway loops (a burst of near-identical calls from one user)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from cascadeflow.domain.anomaly_spikes import MAD_TO_SIGMA
from cascadeflow.domain.budgets import CostEntry


@dataclass(frozen=True, slots=True)
class RequestRule:
    """``expensive_multiple``: a call costing this many times its model's median call,
    and ``expensive_threshold`` robust sigmas above it on a log scale, after at least
    ``min_calls`` earlier calls of that model. ``loop_repeats`` calls of one user to one
    model within ``loop_window``, with input sizes within ``loop_tolerance`` of each
    other (or the same ``metadata["query_hash"]``), are a runaway loop."""

    expensive_multiple: float = 10.0
    expensive_threshold: float = 3.5
    min_calls: int = 20
    history_calls: int = 1000
    loop_repeats: int = 20
    loop_window: timedelta = timedelta(minutes=5)
    loop_tolerance: float = 0.05


@dataclass(frozen=True, slots=True)
class Expensive:
    entry: CostEntry
    median: float
    score: float


def expensive_calls(entries: Sequence[CostEntry], rule: RequestRule, checked_from: int = 0
                    ) -> list[Expensive]:
    """Calls at or after position ``checked_from`` (entries oldest first) that cost far
    more than the same model's earlier calls."""
    earlier: dict[str, list[float]] = defaultdict(list)
    found = []
    for position, entry in enumerate(entries):
        past = earlier[entry.model]
        if position >= checked_from and len(past) >= rule.min_calls:
            verdict = _expensive(entry, past[-rule.history_calls:], rule)
            if verdict is not None:
                found.append(verdict)
        past.append(entry.cost)
    return found


def _expensive(entry: CostEntry, past: Sequence[float], rule: RequestRule) -> Expensive | None:
    median = statistics.median(past)
    if median <= 0 or entry.cost < rule.expensive_multiple * median:
        return None
    logs = [math.log(c + median * 0.01) for c in past]
    center = statistics.median(logs)
    spread = max(MAD_TO_SIGMA * statistics.median(abs(v - center) for v in logs), 0.1)
    score = (math.log(entry.cost + median * 0.01) - center) / spread
    return Expensive(entry, median, score) if score >= rule.expensive_threshold else None


@dataclass(frozen=True, slots=True)
class Loop:
    user_id: str
    model: str
    calls: tuple[CostEntry, ...]

    @property
    def cost(self) -> float:
        return sum(e.cost for e in self.calls)


def runaway_loops(entries: Sequence[CostEntry], rule: RequestRule) -> list[Loop]:
    """Bursts of near-identical calls per (user, model); one Loop per burst."""
    streams: dict[tuple[str, str], list[CostEntry]] = defaultdict(list)
    counted: set[tuple[str, str, str]] = set()
    for entry in entries:
        if entry.user_id is None:
            continue
        if entry.query_id is not None:  # one request's calls of a model (a second sample) count once
            key = (entry.user_id, entry.model, entry.query_id)
            if key in counted:
                continue
            counted.add(key)
        streams[(entry.user_id, entry.model)].append(entry)
    loops: list[Loop] = []
    for (user, model), calls in streams.items():
        for group in _similar_groups(calls, rule):
            loops.extend(Loop(user, model, burst) for burst in _bursts(group, rule))
    return sorted(loops, key=lambda loop: loop.calls[0].timestamp)


def _similar_groups(calls: Sequence[CostEntry], rule: RequestRule) -> list[list[CostEntry]]:
    """Calls with the same query hash, else with input sizes within the tolerance."""
    by_hash: dict[object, list[CostEntry]] = defaultdict(list)
    for call in calls:
        digest = call.metadata.get("query_hash")
        key = ("hash", digest) if digest else ("tokens", _size_bucket(call.input_tokens, rule))
        by_hash[key].append(call)
    return [sorted(group, key=lambda e: e.timestamp) for group in by_hash.values()
            if len(group) >= rule.loop_repeats]


def _size_bucket(tokens: int, rule: RequestRule) -> int:
    # log-spaced buckets as wide as the tolerance: near-identical prompts share one
    return round(math.log(tokens + 1) / math.log1p(rule.loop_tolerance))


def _bursts(calls: Sequence[CostEntry], rule: RequestRule) -> list[tuple[CostEntry, ...]]:
    """Maximal runs in which ``loop_repeats`` calls fit inside ``loop_window``."""
    bursts: list[tuple[CostEntry, ...]] = []
    start, current = 0, -1
    for end in range(len(calls)):
        while calls[end].timestamp - calls[start].timestamp > rule.loop_window:
            start += 1
        if end - start + 1 >= rule.loop_repeats:
            if bursts and current >= start:  # still the same burst: extend it
                first = calls.index(bursts[-1][0])
                bursts[-1] = tuple(calls[first:end + 1])
            else:
                bursts.append(tuple(calls[start:end + 1]))
            current = end
    return bursts
