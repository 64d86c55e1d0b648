"""Quality–cost arithmetic of a cascade of more than two models over recorded outcomes.

A chain calls its models cheapest first: each answer but the last is accepted when it
passes the rules and its score reaches the one threshold the cascade applies at every
step; the last model's answer is taken whatever it is. Every model called is paid for.
As in ``calibration`` (the two-model case), everything is exact arithmetic on recorded
figures, relative quality is measured against always-last-model on the same queries,
and each point carries a one-sided lower confidence bound of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cascadeflow.domain.calibration import Point, _Totals
from cascadeflow.domain.quality_bound import PairedSums

__all__ = ["ChainOutcome", "Step", "chain_curve", "chain_evaluate", "chain_oracle", "chain_random"]


@dataclass(frozen=True, slots=True)
class Step:
    """One model's recorded answer to one query."""

    quality: float
    cost: float
    passed: bool = True
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class ChainOutcome:
    """A query's recorded answers: ``drafts`` of every model but the last, cheapest first."""

    id: str
    drafts: tuple[Step, ...]
    final: Step

    def answering(self, threshold: float, after: int = -1) -> int:
        """Index of the first draft after ``after`` that is accepted at ``threshold``
        (``len(drafts)``: the last model answers)."""
        for i in range(after + 1, len(self.drafts)):
            step = self.drafts[i]
            if step.passed and step.score >= threshold:
                return i
        return len(self.drafts)

    def quality_of(self, answer: int) -> float:
        return self.final.quality if answer == len(self.drafts) else self.drafts[answer].quality

    def cost_to(self, answer: int) -> float:
        """What the calls up to and including ``answer`` cost."""
        cost = sum(step.cost for step in self.drafts[:answer + 1])
        return cost + self.final.cost if answer == len(self.drafts) else cost


@dataclass(slots=True)
class _Sweep:
    """Running figures of a chain while the threshold rises."""

    outcomes: Sequence[ChainOutcome]
    totals: _Totals  # always-last-model's, the same at every threshold
    answers: list[int]
    sums: PairedSums
    cost: float
    called: int  # queries the last model answers

    @classmethod
    def at(cls, outcomes: Sequence[ChainOutcome], threshold: float) -> _Sweep:
        answers = [o.answering(threshold) for o in outcomes]
        sums = PairedSums()
        for o, a in zip(outcomes, answers):
            sums.add(o.quality_of(a), o.final.quality)
        called = sum(1 for o, a in zip(outcomes, answers) if a == len(o.drafts))
        return cls(outcomes, _last_model(outcomes), answers, sums,
                   sum(o.cost_to(a) for o, a in zip(outcomes, answers)), called)

    def reject(self, row: int, step: int, threshold: float) -> None:
        """Draft ``step`` of ``row`` scores below ``threshold`` now: if it was the answer,
        the next accepted draft (or the last model) answers instead."""
        outcome, answer = self.outcomes[row], self.answers[row]
        if answer != step:
            return
        new = outcome.answering(threshold, after=step)
        self.sums.change(outcome.quality_of(answer), outcome.quality_of(new), outcome.final.quality)
        self.cost += outcome.cost_to(new) - outcome.cost_to(answer)
        self.called += new == len(outcome.drafts)
        self.answers[row] = new

    def point(self, threshold: float, confidence: float) -> Point:
        quantile = self.sums.quantile(confidence)
        return self.totals.point(self.sums.c, self.cost, self.called, 0, threshold, 0.0,
                                 self.sums.bound_at(quantile), self.sums, quantile)


def _last_model(outcomes: Sequence[ChainOutcome]) -> _Totals:
    return _Totals(len(outcomes), sum(o.final.quality for o in outcomes), sum(o.final.cost for o in outcomes))


def chain_evaluate(outcomes: Sequence[ChainOutcome], threshold: float, confidence: float = 0.0) -> Point:
    """Figures of the chain at this threshold."""
    return _Sweep.at(outcomes, threshold).point(threshold, confidence)


def chain_curve(outcomes: Sequence[ChainOutcome], confidence: float = 0.0) -> list[Point]:
    """Every distinct operating point, loosest threshold first (every rule-abiding draft
    accepted) to strictest (every draft scoring below 1 turned down, all paid for);
    each threshold halfway between neighbouring draft scores. One pass: each threshold
    rejects the drafts whose scores it passed."""
    events = sorted((step.score, row, i) for row, o in enumerate(outcomes)
                    for i, step in enumerate(o.drafts) if step.passed)
    scores = sorted({score for score, _, _ in events})
    cuts = [0.0] + [(a + b) / 2 for a, b in zip(scores, scores[1:])]
    if scores:
        cuts.append(min(1.0, scores[-1] + 1e-9) if scores[-1] < 1.0 else 1.0)
    cuts = sorted(set(cuts))
    sweep = _Sweep.at(outcomes, cuts[0])
    points, e = [], 0
    for threshold in cuts:
        while e < len(events) and events[e][0] < threshold:
            _, row, step = events[e]
            sweep.reject(row, step, threshold)
            e += 1
        points.append(sweep.point(threshold, confidence))
    return points


def _random_figures(outcomes: Sequence[ChainOutcome], accept: float) -> tuple[float, float]:
    """Mean quality and total cost when every step accepts its answer with probability
    ``accept`` whatever it says (the last model always answers)."""
    quality = cost = 0.0
    for o in outcomes:
        reach = 1.0  # chance the query gets this far
        for step in o.drafts:
            cost += reach * step.cost
            quality += reach * accept * step.quality
            reach *= 1.0 - accept
        cost += reach * o.final.cost
        quality += reach * o.final.quality
    return quality / len(outcomes), cost


def chain_random(outcomes: Sequence[ChainOutcome], quality: float) -> Point:
    """Random escalation at ``quality``: each step passes a query on at random, as often as
    it takes for the mean quality to reach ``quality``, the cheapest such rate (with two
    models, the two-model ``random_escalation``). Quality need not fall steadily as more
    is accepted (a middle model may beat the last): the rates are scanned on a grid, then
    the highest that reaches the quality is refined; if none reaches it, the best rate."""
    grid = [i / 200 for i in range(201)]
    reached = [a for a in grid if _random_figures(outcomes, a)[0] >= quality - 1e-12]
    if not reached:
        accept = max(grid, key=lambda a: _random_figures(outcomes, a)[0])
    else:
        accept = max(reached)
        low, high = accept, min(1.0, accept + 1 / 200)
        if high > low and _random_figures(outcomes, high)[0] < quality:
            for _ in range(50):
                middle = (low + high) / 2
                low, high = (middle, high) if _random_figures(outcomes, middle)[0] >= quality else (low, middle)
            accept = low
    mean, cost = _random_figures(outcomes, accept)
    return _point(outcomes, mean * len(outcomes), cost, (1.0 - accept) ** len(outcomes[0].drafts))


def chain_oracle(outcomes: Sequence[ChainOutcome], quality: float) -> Point:
    """A perfect router: one call per query, each starting at the cheapest model and moved
    to the model that gains most per dollar it costs, best gains first, until ``quality``
    is met (with two models, the two-model ``oracle``); should that fall short (graded
    qualities), queries then move on to their best model, best gains per extra dollar
    first."""
    n = len(outcomes)
    at = [0] * n  # the model each query is routed to (len(drafts): the last)
    steps = [(*o.drafts, o.final) for o in outcomes]
    total = sum(o.drafts[0].quality for o in outcomes)
    cost = sum(o.drafts[0].cost for o in outcomes)
    moves = []
    for row, options in enumerate(steps):
        first = options[0]
        better = [(gain / max(s.cost, 1e-12), -s.cost, row, j) for j, s in enumerate(options)
                  if j and (gain := s.quality - first.quality) > 0]
        if better:
            moves.append(max(better))
    finals = []
    for row, options in enumerate(steps):
        best = max(range(len(options)), key=lambda j: (options[j].quality, -options[j].cost))
        if best:
            gain, extra = options[best].quality - options[0].quality, options[best].cost - options[0].cost
            finals.append((gain / max(extra, 1e-12), row, best))
    for _, _, row, j in sorted(moves, key=lambda m: -m[0]):
        if total / n >= quality - 1e-12:
            break
        total, cost, at[row] = _move(steps[row], at[row], j, total, cost)
    for _, row, j in sorted(finals, key=lambda m: -m[0]):
        if total / n >= quality - 1e-12:
            break
        if steps[row][j].quality > steps[row][at[row]].quality:
            total, cost, at[row] = _move(steps[row], at[row], j, total, cost)
    last = len(outcomes[0].drafts)
    return _point(outcomes, total, cost, sum(1 for a in at if a == last) / n)


def _move(options: Sequence[Step], old: int, new: int, total: float, cost: float) -> tuple[float, float, int]:
    return (total + options[new].quality - options[old].quality,
            cost + options[new].cost - options[old].cost, new)


def _point(outcomes: Sequence[ChainOutcome], quality_sum: float, cost: float, escalated: float) -> Point:
    return _last_model(outcomes).point(quality_sum, cost, escalated * len(outcomes), 0, math.nan, 0.0)
