"""Quality–cost arithmetic of a two-model cascade over recorded outcomes.

An Outcome holds what a trace recorded for one query (each model's quality and cost)
plus the draft's score and the query's pre-routing score. A threshold escalates every
draft that broke a rule or scores below it; a pre-routing cut sends queries whose score
is below it straight to the verifier. Everything here is exact arithmetic on the
recorded figures, so a point can be checked against a replay of the real cascade.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def _hash(record_id: str, salt: str = "") -> int:
    return int(hashlib.sha256(f"{salt}{record_id}".encode()).hexdigest()[:16], 16)


def in_calibration_half(record_id: str) -> bool:
    """Deterministic, order-free: the same id is always on the same side."""
    return _hash(record_id) % 2 == 0


def split_halves(items: Iterable[T], id_of: Callable[[T], str]) -> tuple[list[T], list[T]]:
    calibration: list[T] = []
    test: list[T] = []
    for item in items:
        (calibration if in_calibration_half(id_of(item)) else test).append(item)
    return calibration, test


def fold_of(record_id: str, folds: int) -> int:
    return _hash(record_id, "fold:") % folds


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    draft_quality: float
    verifier_quality: float
    draft_cost: float
    verifier_cost: float
    rules_passed: bool = True
    score: float = 1.0
    query_score: float = 1.0


@dataclass(frozen=True, slots=True)
class Point:
    """One operating point: figures over a set of outcomes."""

    threshold: float
    pre_route_below: float
    quality: float
    relative_quality: float
    cost: float
    cost_reduction: float
    escalation_share: float
    pre_routed_share: float = 0.0


def _point(outcomes: Sequence[Outcome], quality_sum: float, cost: float, called: float,
           pre_routed: int, threshold: float, pre_route_below: float) -> Point:
    n = len(outcomes)
    verifier_quality = sum(o.verifier_quality for o in outcomes) / n
    verifier_cost = sum(o.verifier_cost for o in outcomes)
    return Point(
        threshold=threshold,
        pre_route_below=pre_route_below,
        quality=quality_sum / n,
        relative_quality=quality_sum / n / verifier_quality if verifier_quality else 1.0,
        cost=cost,
        cost_reduction=1.0 - cost / verifier_cost if verifier_cost else 0.0,
        escalation_share=called / n,
        pre_routed_share=pre_routed / n,
    )


def evaluate(outcomes: Sequence[Outcome], threshold: float, pre_route_below: float = 0.0) -> Point:
    """Figures of the cascade at this threshold (and pre-routing cut)."""
    quality = cost = 0.0
    called = pre_routed = 0
    for o in outcomes:
        if o.query_score < pre_route_below:
            pre_routed += 1
            called += 1
            quality += o.verifier_quality
            cost += o.verifier_cost
        elif not o.rules_passed or o.score < threshold:
            called += 1
            quality += o.verifier_quality
            cost += o.draft_cost + o.verifier_cost
        else:
            quality += o.draft_quality
            cost += o.draft_cost
    return _point(outcomes, quality, cost, called, pre_routed, threshold, pre_route_below)


def curve(outcomes: Sequence[Outcome], pre_route_below: float = 0.0) -> list[Point]:
    """Every distinct operating point, from escalating only rule failures to escalating
    all; each threshold sits halfway between the last escalated and first kept score."""
    scores = sorted({o.score for o in outcomes if o.rules_passed})
    cuts = [0.0] + [(a + b) / 2 for a, b in zip(scores, scores[1:])]
    if scores:
        cuts.append(min(1.0, scores[-1] + 1e-9) if scores[-1] < 1.0 else 1.0)
    return [evaluate(outcomes, t, pre_route_below) for t in cuts]


def cheapest_reaching(points: Iterable[Point], target: float) -> Point | None:
    """The cheapest point whose relative quality reaches the target (ties: better quality)."""
    reaching = [p for p in points if p.relative_quality >= target - 1e-12]
    return min(reaching, key=lambda p: (p.cost, -p.quality)) if reaching else None


def random_escalation(outcomes: Sequence[Outcome], quality: float) -> Point:
    """Expected figures when drafts are escalated at random, as often as it takes to reach
    ``quality`` on average (every draft is still paid for)."""
    n = len(outcomes)
    drafter = sum(o.draft_quality for o in outcomes) / n
    verifier = sum(o.verifier_quality for o in outcomes) / n
    share = 0.0 if verifier == drafter else min(1.0, max(0.0, (quality - drafter) / (verifier - drafter)))
    cost = sum(o.draft_cost for o in outcomes) + share * sum(o.verifier_cost for o in outcomes)
    return _point(outcomes, n * (drafter + share * (verifier - drafter)), cost, share * n, 0,
                  float("nan"), 0.0)


def oracle(outcomes: Sequence[Outcome], quality: float) -> Point:
    """A perfect router: knows both answers' quality, calls one model per query, and sends
    to the verifier only the queries that gain most per dollar until ``quality`` is met."""
    n = len(outcomes)
    total = sum(o.draft_quality for o in outcomes)
    cost = sum(o.draft_cost for o in outcomes)
    called = 0
    gains = sorted((o for o in outcomes if o.verifier_quality > o.draft_quality),
                   key=lambda o: -(o.verifier_quality - o.draft_quality) / max(o.verifier_cost, 1e-12))
    for o in gains:
        if total / n >= quality - 1e-12:
            break
        total += o.verifier_quality - o.draft_quality
        cost += o.verifier_cost - o.draft_cost
        called += 1
    return _point(outcomes, total, cost, called, 0, float("nan"), 0.0)


def auc(scores: Sequence[float], good: Sequence[bool]) -> float:
    """Chance that a good draft outscores a bad one (ties count half): 0.5 is no signal."""
    ranked = sorted(zip(scores, good), key=lambda sg: sg[0])
    positives = sum(good)
    negatives = len(good) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += sum(1 for _, g in ranked[i:j] if g) * (i + j + 1) / 2
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
