"""Replay a trace in file order as live traffic through the online policy.

The cascade that runs is the live one (RunCascade with OnlineCalibration); it is served
answers whose labels were stripped, so no decision can read ``correct`` or ``score``.
The labels are read afterwards, for the report only: quality of what the cascade
returned, against always-drafter, always-verifier, random escalation at the same
quality (every draft paid) and a perfect router at the same quality.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from cascadeflow.application.online_calibration import OnlineCalibration
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.domain.calibration import Outcome, Point, oracle, random_escalation
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.online_policy import AcceptancePlan
from cascadeflow.domain.results import CascadeResult
from cascadeflow.domain.trace import TraceRecord


@dataclass(frozen=True, slots=True)
class StreamPoint:
    """The stream so far, after ``queries`` queries."""

    queries: int
    relative_quality: float
    cost_reduction: float
    escalation_share: float  # of the last window: queries the strongest model answered
    bound: float  # the plan's lower bound of kept quality at that point
    draft_share: float
    accepted_share: float


@dataclass(frozen=True, slots=True)
class OnlineFigures:
    quality: float
    relative_quality: float
    cost: float
    cost_reduction: float
    escalation_share: float  # queries the strongest model answered (escalated, shadowed or skipped to)
    shadow_share: float
    pre_routed_share: float  # queries that skipped the draft
    accepted_share: float
    labels_read: int = 0


@dataclass(frozen=True, slots=True)
class Baseline:
    name: str
    quality: float
    relative_quality: float
    cost: float
    cost_reduction: float
    escalation_share: float


@dataclass(frozen=True, slots=True)
class OnlineReport:
    models: tuple[str, ...]
    queries: int
    skipped: int
    quality_metric: str
    target_quality: float
    online: OnlineFigures
    baselines: tuple[Baseline, ...]
    captured: float  # share of the perfect router's saving over random escalation, at the same quality
    final_plan: AcceptancePlan
    stream: tuple[StreamPoint, ...]
    # per query, in trace order: the models called and what they cost (no label involved)
    decisions: tuple[tuple[tuple[str, ...], float], ...] = ()
    # a chain's: each draft model's final plan, cheapest first (``final_plan`` is the first's)
    draft_plans: tuple[tuple[str, AcceptancePlan], ...] = ()

    def baseline(self, name: str) -> Baseline:
        return next(b for b in self.baselines if b.name == name)


@dataclass(slots=True)
class _Run:
    record: TraceRecord
    result: CascadeResult


class SimulateOnline:
    """``cascade`` is the live cascade with online calibration over label-free answers;
    ``single`` a plain cascade that prices each model alone (the baselines)."""

    def __init__(self, cascade: RunCascade, online: OnlineCalibration, single: RunCascade,
                 stream_points: int = 50) -> None:
        self._cascade = cascade
        self._online = online
        self._single = single
        self._points = stream_points

    async def execute(self, records: Sequence[TraceRecord], labelled: Sequence[TraceRecord],
                      chain: Sequence[ModelConfig], on_progress: Callable[[int], None] | None = None,
                      ) -> OnlineReport:
        """``records``: the trace without labels, in file order; ``labelled``: the same
        records with their labels, read only once every decision is taken."""
        if len(chain) < 2:
            raise ConfigurationError("an online simulation needs at least two models")
        names = {m.name for m in chain}
        usable = [r for r in records if names <= r.responses.keys()]
        if not usable:
            raise ConfigurationError(f"no trace record has answers from all of {', '.join(sorted(names))}")
        routes = self._online.chain_routes([m.name for m in chain])  # each draft's, cheapest first
        runs: list[_Run] = []
        marks: list[tuple[int, AcceptancePlan]] = []
        every = max(1, len(usable) // self._points)
        for count, record in enumerate(usable, start=1):
            result = await self._cascade.execute(CascadeRequest(
                models=tuple(chain), messages=record.messages, domain=record.domain, query_id=record.id))
            runs.append(_Run(record, result))
            if count % every == 0 or count == len(usable):
                marks.append((count, self._online.plan(routes[0], len(chain))))
            if on_progress is not None:
                on_progress(1)
        report = await self._report(runs, labelled, chain, marks, len(records) - len(usable))
        if len(chain) < 3:
            return report
        return replace(report, draft_plans=tuple((m.name, self._online.plan(r, len(chain)))
                                                 for m, r in zip(chain, routes)))

    async def _report(self, runs: list[_Run], labelled: Sequence[TraceRecord], chain: Sequence[ModelConfig],
                      marks: list[tuple[int, AcceptancePlan]], skipped: int) -> OnlineReport:
        truth = {r.id: r for r in labelled}
        drafter, verifier = chain[0], chain[-1]
        outcomes: list[Outcome] = []
        qualities: list[float] = []
        for run in runs:
            record = truth[run.record.id]
            costs = [(await self._single.execute(CascadeRequest(models=(m,), messages=record.messages,
                                                                query_id=record.id))).total_cost
                     for m in (drafter, verifier)]
            outcomes.append(Outcome(record.id, _quality(record, drafter.name), _quality(record, verifier.name),
                                    costs[0], costs[1]))
            qualities.append(_quality(record, run.result.model_used))
        n = len(runs)
        verifier_quality = sum(o.verifier_quality for o in outcomes)
        verifier_cost = sum(o.verifier_cost for o in outcomes)
        cost = sum(run.result.total_cost for run in runs)
        quality = sum(qualities) / n
        strongest = [run.result.model_used == verifier.name for run in runs]
        figures = OnlineFigures(
            quality=quality,
            relative_quality=sum(qualities) / verifier_quality if verifier_quality else 1.0,
            cost=cost,
            cost_reduction=1.0 - cost / verifier_cost if verifier_cost else 0.0,
            escalation_share=sum(strongest) / n,
            shadow_share=sum(_shadowed(run.result) for run in runs) / n,
            pre_routed_share=sum(drafter.name not in run.result.models_called for run in runs) / n,
            accepted_share=sum(not s for s in strongest) / n,
        )
        random, perfect = random_escalation(outcomes, quality), oracle(outcomes, quality)
        gap = random.cost - perfect.cost
        baselines = (
            _baseline("always-drafter", [o.draft_quality for o in outcomes], sum(o.draft_cost for o in outcomes),
                      0.0, verifier_quality, verifier_cost),
            _baseline("always-verifier", [o.verifier_quality for o in outcomes], verifier_cost, 1.0,
                      verifier_quality, verifier_cost),
            _from_point("random escalation, same quality", random),
            _from_point("perfect router, same quality", perfect),
        )
        labels = [run.record.responses[m.name] for run in runs for m in chain]
        scored = all(truth[run.record.id].responses[m.name].correct is not None for run in runs for m in chain)
        assert all(r.correct is None and r.score is None for r in labels), "a decision saw a label"
        return OnlineReport(
            models=tuple(m.name for m in chain),
            queries=n,
            skipped=skipped,
            quality_metric="accuracy" if scored else "mean score",
            target_quality=self._online.settings.target_quality,
            online=figures,
            baselines=baselines,
            captured=(random.cost - cost) / gap if gap > 1e-12 else 0.0,
            final_plan=marks[-1][1],
            stream=tuple(_stream(runs, qualities, outcomes, marks, verifier.name)),
            decisions=tuple((run.result.models_called, run.result.total_cost) for run in runs),
        )


def _quality(record: TraceRecord, model: str) -> float:
    return record.responses[model].quality or 0.0


def _shadowed(result: CascadeResult) -> bool:
    """An accepted draft checked by the strongest model, which then answered (a draft's
    second sample is a call too, but no check)."""
    first = result.calls[0] if result.calls else None
    return first is not None and first.verdict.value == "accepted" and result.model_used != first.model


def _baseline(name: str, qualities: list[float], cost: float, escalated: float,
              verifier_quality: float, verifier_cost: float) -> Baseline:
    return Baseline(name, sum(qualities) / len(qualities),
                    sum(qualities) / verifier_quality if verifier_quality else 1.0, cost,
                    1.0 - cost / verifier_cost if verifier_cost else 0.0, escalated)


def _from_point(name: str, point: Point) -> Baseline:
    return Baseline(name, point.quality, point.relative_quality, point.cost, point.cost_reduction,
                    point.escalation_share)


def _stream(runs: list[_Run], qualities: list[float], outcomes: list[Outcome],
            marks: list[tuple[int, AcceptancePlan]], verifier: str) -> list[StreamPoint]:
    points = []
    quality = verifier_quality = cost = verifier_cost = 0.0
    done = 0
    window_start = 0
    for count, plan in marks:
        for i in range(done, count):
            quality += qualities[i]
            verifier_quality += outcomes[i].verifier_quality
            cost += runs[i].result.total_cost
            verifier_cost += outcomes[i].verifier_cost
        window = runs[window_start:count]
        done = window_start = count
        points.append(StreamPoint(
            queries=count,
            relative_quality=quality / verifier_quality if verifier_quality else 1.0,
            cost_reduction=1.0 - cost / verifier_cost if verifier_cost else 0.0,
            escalation_share=sum(r.result.model_used == verifier for r in window) / max(1, len(window)),
            bound=plan.bound,
            draft_share=plan.draft_share,
            accepted_share=plan.accepted_share,
        ))
    return points
