"""Quality–cost arithmetic of a two-model cascade over recorded outcomes.

An Outcome holds what a trace recorded for one query (each model's quality and cost)
plus the draft's score and the query's pre-routing score. A threshold escalates every
draft that broke a rule or scores below it; a pre-routing cut sends queries whose score
is below it straight to the verifier. Everything here is exact arithmetic on the
recorded figures, so a point can be checked against a replay of the real cascade.

A point also carries a one-sided lower confidence bound of its relative quality: the
calibration half is a sample, so a threshold that just reaches the target on it reaches
it on fresh traffic about half the time; choosing on the bound leaves a margin sized by
the sample's own noise.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from cascadeflow.domain.quality_bound import PairedSums, relative_quality_bound

__all__ = ["Outcome", "Point", "auc", "cheapest_drafted", "cheapest_reaching", "curve", "drafted_lines", "evaluate", "fold_of",
           "in_calibration_half", "oracle", "random_escalation", "relative_quality_bound",
           "split_halves"]

T = TypeVar("T")


def _hash(record_id: str, salt: str = "") -> int:
    return int(hashlib.sha256(f"{salt}{record_id}".encode()).hexdigest()[:16], 16)


def in_calibration_half(record_id: str, salt: str = "") -> bool:
    """Deterministic, order-free: the same id is always on the same side. Another
    ``salt`` draws another split (to measure how much a result depends on the split)."""
    return _hash(record_id, salt) % 2 == 0


def split_halves(items: Iterable[T], id_of: Callable[[T], str], salt: str = "") -> tuple[list[T], list[T]]:
    calibration: list[T] = []
    test: list[T] = []
    for item in items:
        (calibration if in_calibration_half(id_of(item), salt) else test).append(item)
    return calibration, test


def fold_of(record_id: str, folds: int, salt: str = "fold:") -> int:
    return _hash(record_id, salt) % folds


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
    # one-sided lower confidence bound of relative_quality (equal to it when no confidence is asked)
    relative_quality_bound: float = math.nan
    draft_share: float = 1.0  # share of queries drafted at all (the rest go to the verifier)
    # the paired sums and t quantile the bound was taken with (drafting() re-bounds from them)
    sums: tuple[int, float, float, float, float, float] | None = None
    quantile: float = 0.0

    def drafting(self, share: float, verifier_quality: float, verifier_cost: float) -> Point:
        """The same settings when only ``share`` of the queries (drawn at random) are drafted
        and the rest go straight to the verifier: every figure mixes linearly; the lower
        bound's margin shrinks less, since which queries are drafted is noise of its own."""
        rest = 1.0 - share
        cost = share * self.cost + rest * verifier_cost
        bound = 1.0 - share * (1.0 - self.relative_quality_bound)
        if self.sums is not None:
            bound = PairedSums(*self.sums).bound_at(self.quantile, share * self.draft_share)
        return replace(
            self,
            quality=share * self.quality + rest * verifier_quality,
            relative_quality=share * self.relative_quality + rest,
            cost=cost,
            cost_reduction=1.0 - cost / verifier_cost if verifier_cost else 0.0,
            escalation_share=share * self.escalation_share + rest,
            pre_routed_share=share * self.pre_routed_share + rest,
            relative_quality_bound=bound,
            draft_share=share * self.draft_share,
        )


@dataclass(frozen=True, slots=True)
class _Totals:
    """What every point over the same outcomes shares: their count and always-verifier's."""

    n: int
    verifier_quality: float
    verifier_cost: float

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> _Totals:
        return cls(len(outcomes), sum(o.verifier_quality for o in outcomes),
                   sum(o.verifier_cost for o in outcomes))

    def point(self, quality_sum: float, cost: float, called: float, pre_routed: int,
              threshold: float, pre_route_below: float, bound: float | None = None,
              sums: PairedSums | None = None, quantile: float = 0.0) -> Point:
        relative = quality_sum / self.verifier_quality if self.verifier_quality else 1.0
        return Point(
            threshold=threshold,
            pre_route_below=pre_route_below,
            quality=quality_sum / self.n,
            relative_quality=relative,
            cost=cost,
            cost_reduction=1.0 - cost / self.verifier_cost if self.verifier_cost else 0.0,
            escalation_share=called / self.n,
            pre_routed_share=pre_routed / self.n,
            relative_quality_bound=relative if bound is None else bound,
            sums=None if sums is None else sums.snapshot(),
            quantile=quantile,
        )


@dataclass(slots=True)
class _Cascade:
    """The running figures of the cascade while drafts are escalated one by one."""

    totals: _Totals
    sums: PairedSums
    cost: float = 0.0
    called: int = 0
    pre_routed: int = 0

    @classmethod
    def start(cls, outcomes: Sequence[Outcome], pre_route_below: float,
              escalated: Callable[[Outcome], bool]) -> _Cascade:
        state = cls(_Totals.of(outcomes), PairedSums())
        for o in outcomes:
            if o.query_score < pre_route_below:
                state.pre_routed += 1
                state.called += 1
                state.sums.add(o.verifier_quality, o.verifier_quality)
                state.cost += o.verifier_cost
            elif escalated(o):
                state.called += 1
                state.sums.add(o.verifier_quality, o.verifier_quality)
                state.cost += o.draft_cost + o.verifier_cost
            else:
                state.sums.add(o.draft_quality, o.verifier_quality)
                state.cost += o.draft_cost
        return state

    def escalate(self, o: Outcome) -> None:
        self.called += 1
        self.cost += o.verifier_cost
        self.sums.change(o.draft_quality, o.verifier_quality, o.verifier_quality)

    def point(self, threshold: float, pre_route_below: float, confidence: float) -> Point:
        quantile = self.sums.quantile(confidence)
        return self.totals.point(self.sums.c, self.cost, self.called, self.pre_routed, threshold,
                                 pre_route_below, self.sums.bound_at(quantile), self.sums, quantile)


def evaluate(outcomes: Sequence[Outcome], threshold: float, pre_route_below: float = 0.0,
             confidence: float = 0.0) -> Point:
    """Figures of the cascade at this threshold (and pre-routing cut); with ``confidence``
    (such as 0.9) the point also carries that lower bound of its relative quality."""
    state = _Cascade.start(outcomes, pre_route_below,
                           lambda o: not o.rules_passed or o.score < threshold)
    return state.point(threshold, pre_route_below, confidence)


def curve(outcomes: Sequence[Outcome], pre_route_below: float = 0.0, confidence: float = 0.0) -> list[Point]:
    """Every distinct operating point, from escalating only rule failures to escalating
    all; each threshold sits halfway between the last escalated and first kept score.
    One pass over the drafts sorted by score: each threshold escalates a few more."""
    scores = sorted({o.score for o in outcomes if o.rules_passed})
    cuts = [0.0] + [(a + b) / 2 for a, b in zip(scores, scores[1:])]
    if scores:
        cuts.append(min(1.0, scores[-1] + 1e-9) if scores[-1] < 1.0 else 1.0)
    cuts.sort()
    state = _Cascade.start(outcomes, pre_route_below, lambda o: not o.rules_passed or o.score < cuts[0])
    kept = sorted((o for o in outcomes if o.query_score >= pre_route_below and o.rules_passed
                   and o.score >= cuts[0]), key=lambda o: o.score)
    points, i = [], 0
    for threshold in cuts:
        while i < len(kept) and kept[i].score < threshold:
            state.escalate(kept[i])
            i += 1
        points.append(state.point(threshold, pre_route_below, confidence))
    return points


def in_sequence(line: Sequence[Point], target: float) -> list[Point]:
    """The points of one curve (``curve``'s order: loosest threshold first) that reach the
    target in a fixed sequence: from escalating every draft towards escalating fewer,
    up to the first whose bound falls short. Among the hundreds of thresholds of a
    curve, some beyond that first shortfall reach the target only by the luck of the
    sample; testing them in a fixed order keeps the bound's confidence within the curve,
    which picking the cheapest of all that reach does not. (The cheapest of several
    curves, one per draft share, pre-routing cut and scorer, is still taken: a far
    smaller choice than among every point of them.)"""
    found = []
    for point in reversed(line):
        if point.relative_quality_bound < target - 1e-12:
            break
        found.append(point)
    return found


def drafted_lines(line: Sequence[Point], shares: Sequence[float], verifier_quality: float,
                  verifier_cost: float) -> list[list[Point]]:
    """The curve as it is, and as it becomes when only each of ``shares`` of the queries
    (drawn at random) is drafted, the rest going straight to the verifier."""
    return [list(line) if share == 1.0 else [p.drafting(share, verifier_quality, verifier_cost) for p in line]
            for share in shares]


def cheapest_drafted(line: Sequence[Point], shares: Sequence[float], verifier_quality: float,
                     verifier_cost: float, target: float) -> Point | None:
    """The cheapest point reaching the target of the curve at any of ``shares`` drafted."""
    return cheapest_reaching([p for drafted in drafted_lines(line, shares, verifier_quality, verifier_cost)
                              for p in drafted], target)


def cheapest_reaching(points: Iterable[Point], target: float) -> Point | None:
    """The cheapest point whose relative quality bound (the relative quality itself when
    the points were taken without a confidence) reaches the target (ties: better quality)."""
    reaching = [p for p in points if p.relative_quality_bound >= target - 1e-12]
    return min(reaching, key=lambda p: (p.cost, -p.quality)) if reaching else None


def random_escalation(outcomes: Sequence[Outcome], quality: float) -> Point:
    """Expected figures when drafts are escalated at random, as often as it takes to reach
    ``quality`` on average (every draft is still paid for)."""
    n = len(outcomes)
    drafter = sum(o.draft_quality for o in outcomes) / n
    verifier = sum(o.verifier_quality for o in outcomes) / n
    share = 0.0 if verifier == drafter else min(1.0, max(0.0, (quality - drafter) / (verifier - drafter)))
    cost = sum(o.draft_cost for o in outcomes) + share * sum(o.verifier_cost for o in outcomes)
    return _Totals.of(outcomes).point(n * (drafter + share * (verifier - drafter)), cost, share * n, 0,
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
    return _Totals.of(outcomes).point(total, cost, called, 0, float("nan"), 0.0)


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
