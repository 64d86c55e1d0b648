"""Replay a trace through the cascade and compare it with always-drafter and
always-verifier, on the same recorded answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import QueryRouter
from cascadeflow.domain.trace import TraceRecord


@dataclass(frozen=True, slots=True)
class StrategyFigures:
    name: str
    quality: float
    total_cost: float
    cost_per_query: float
    escalation_rate: float
    savings_vs_verifier: float


@dataclass(frozen=True, slots=True)
class SimulationReport:
    drafter: str
    verifier: str
    queries: int
    skipped: int
    quality_metric: str
    strategies: tuple[StrategyFigures, ...]

    def figures(self, name: str) -> StrategyFigures:
        return next(s for s in self.strategies if s.name == name)


@dataclass(slots=True)
class _Tally:
    quality: float = 0.0
    cost: float = 0.0
    escalated: int = 0


class SimulateCascade:
    """Runs the unchanged cascade engine three ways over every usable trace record.

    With a ``pre_router``, the cascade sends the queries it judges too hard straight to
    the verifier, as CascadeAgent does.
    """

    def __init__(self, run_cascade: RunCascade, pre_router: QueryRouter | None = None) -> None:
        self._run = run_cascade
        self._pre_router = pre_router

    async def execute(
        self,
        records: Sequence[TraceRecord],
        drafter: ModelConfig,
        verifier: ModelConfig,
        on_progress: Callable[[int], None] | None = None,
        between: Sequence[ModelConfig] = (),
    ) -> SimulationReport:
        """``between``: models of a longer chain, between the drafter and the verifier."""
        chain = (drafter, *between, verifier)
        usable = [r for r in records if {m.name for m in chain} <= r.responses.keys()]
        if not usable:
            raise ConfigurationError(
                f"no trace record has answers from all of {', '.join(repr(m.name) for m in chain)}"
            )
        plans = {
            "always-drafter": (drafter,),
            "always-verifier": (verifier,),
            "cascade": chain,
        }
        tallies = {name: _Tally() for name in plans}
        scored = all(r.responses[m].correct is not None for r in usable for m in (drafter.name, verifier.name))
        for record in usable:
            for name, models in plans.items():
                if name == "cascade" and self._pre_router is not None and (
                    self._pre_router.skip_draft(record.messages[-1].text)
                ):
                    models = (verifier,)
                result = await self._run.execute(
                    CascadeRequest(models=models, messages=record.messages, domain=record.domain)
                )
                truth = record.responses[result.model_used].quality
                tally = tallies[name]
                tally.quality += truth or 0.0
                tally.cost += result.total_cost
                tally.escalated += result.model_used == verifier.name
            if on_progress is not None:
                on_progress(1)
        count = len(usable)
        verifier_cost = tallies["always-verifier"].cost
        strategies = tuple(
            StrategyFigures(
                name=name,
                quality=t.quality / count,
                total_cost=t.cost,
                cost_per_query=t.cost / count,
                escalation_rate=t.escalated / count,
                savings_vs_verifier=1.0 - t.cost / verifier_cost if verifier_cost else 0.0,
            )
            for name, t in tallies.items()
        )
        return SimulationReport(
            drafter=drafter.name,
            verifier=verifier.name,
            queries=count,
            skipped=len(records) - count,
            quality_metric="accuracy" if scored else "mean score",
            strategies=strategies,
        )
