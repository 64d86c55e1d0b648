"""Calibrate a cascade of more than two models on one half of a trace, report it on the
other: ``simulate --calibrate --models a,b,c``.

The cascade applies one acceptance threshold at every step, so a chain is calibrated as
a pair is (``calibrate``): the trace is split by a hash of each id; on the calibration
half each scorer's draft scores are taken out-of-fold (a query's drafts by every model
share a fold), the threshold curve of the whole chain is bounded, thresholds are tried
in a fixed sequence from the strictest, with a random share of queries drafted at all or
sent straight to the last model, and the cheapest point whose lower bound of quality
relative to always-last-model reaches the target wins. The chosen configuration is then
replayed through the unchanged cascade on the test half, beside random escalation and a
perfect router at the same quality. A fitted score learns from every draft of every model
but the last: one score for the chain, as the cascade uses one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from cascadeflow.application.calibrate import (
    Candidate,
    CalibrationReport,
    LabelledDraft,
    MIN_DRAFTS_TO_FIT,
    _id,
    _scored,
    predictive,
)
from cascadeflow.application.cross_fit import cross_fit
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.application.simulate import SimulateCascade
from cascadeflow.domain.calibration import (
    Point,
    auc,
    cheapest_drafted,
    cheapest_reaching,
    drafted_lines,
    in_sequence,
    split_halves,
)
from cascadeflow.domain.chain_calibration import (
    ChainOutcome,
    Step,
    chain_curve,
    chain_evaluate,
    chain_oracle,
    chain_random,
)
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.online_policy import DRAFT_SHARES
from cascadeflow.domain.quality import DraftScorer, QualityConfig, ValidationContext
from cascadeflow.domain.scoring import (
    DEFAULT_DRAFT_MODEL,
    L2_STRENGTHS,
    PreRouter,
    ScoreModel,
    features_of,
    fit_score_model,
    platt,
)
from cascadeflow.domain.trace import TraceRecord

_SEPARATOR = "\x1f"  # between a query's id and its draft's step in a draft's id


@dataclass(frozen=True, slots=True)
class _Query:
    """A query's labelled drafts (every model but the last) and its recorded outcome with
    the rules' scores."""

    drafts: tuple[LabelledDraft, ...]
    outcome: ChainOutcome


class CalibrateChain:
    def __init__(self, cascade_for: Callable[[QualityConfig], RunCascade], folds: int = 5) -> None:
        self._cascade_for = cascade_for
        self._folds = folds

    async def execute(
        self, records: Sequence[TraceRecord], chain: Sequence[ModelConfig], *,
        target_quality: float, confidence: float, base: QualityConfig | None = None,
        split_salt: str = "",
    ) -> CalibrationReport:
        if len(chain) < 3 or len({m.name for m in chain}) != len(chain):
            raise ConfigurationError("a chain to calibrate has three different models or more; two: "
                                     "CalibrateCascade")
        if not 0.0 < target_quality <= 1.5:
            raise ConfigurationError(f"target quality is a share of the verifier's, such as 0.95; got {target_quality}")
        if not 0.0 <= confidence < 1.0:
            raise ConfigurationError(f"confidence is a probability below 1, such as 0.9 (0: no margin); got {confidence}")
        rules = replace(base or QualityConfig(), scorer=None, pre_router=None).with_threshold(0.0)
        usable = [r for r in records if all(_scored(r, m.name) for m in chain)]
        cal_records, test_records = split_halves(usable, lambda r: r.id, split_salt)
        if len(cal_records) < 2 * self._folds or not test_records:
            raise ConfigurationError(
                f"calibration needs at least {2 * self._folds + 1} scored queries answered by every model "
                f"of the chain; this trace has {len(usable)}")
        cal = await self._queries(cal_records, chain, rules)
        test = await self._queries(test_records, chain, rules)
        drafts = len(cal) * (len(chain) - 1)
        can_fit = drafts >= MIN_DRAFTS_TO_FIT
        notes = () if can_fit else (
            f"the calibration half has {drafts} drafts (< {MIN_DRAFTS_TO_FIT}): "
            "nothing was fitted beyond a rescaling of the prior score",)
        margin = predictive(confidence, len(cal), len(test))
        candidates = [self._candidate(name, scorer, oof, cal, test, rules, target_quality, margin, strength)
                      for name, scorer, oof, strength in self._scorers(cal, can_fit)]
        reaching = [c for c in candidates if c.calibration.relative_quality_bound >= target_quality - 1e-12]
        chosen = (min(reaching, key=lambda c: c.calibration.cost) if reaching
                  else max(candidates, key=lambda c: c.calibration.quality))
        first, *between, last = chain
        replay = await SimulateCascade(self._cascade_for(chosen.config),
                                       pre_router=chosen.config.pre_router).execute(
            test_records, first, last, between=between)
        quality = replay.figures("cascade").quality
        outcomes = [_rescored(q, chosen.config.scorer) for q in test]
        return CalibrationReport(
            drafter=first.name, verifier=last.name, target_quality=target_quality,
            calibration_size=len(cal), test_size=len(test), reached_target=bool(reaching),
            chosen=chosen, candidates=tuple(candidates), test_replay=replay,
            random=chain_random(outcomes, quality), oracle=chain_oracle(outcomes, quality),
            test_curve=tuple(chain_curve(outcomes)), notes=notes, confidence=confidence,
            signals=_signals(cal), between=tuple(m.name for m in between),
        )

    async def _queries(self, records: Sequence[TraceRecord], chain: Sequence[ModelConfig],
                       rules: QualityConfig) -> list[_Query]:
        """Each query's recorded qualities, the real cascade's cost of each model alone, and
        whether each draft passes the rule checks (with the rules' score)."""
        cascade = self._cascade_for(rules)
        queries = []
        for record in records:
            steps, drafts = [], []
            final = record.responses[chain[-1].name]
            for index, model in enumerate(chain):
                run = await cascade.execute(CascadeRequest(models=(model,), messages=record.messages,
                                                           domain=record.domain))
                response = record.responses[model.name]
                score = run.quality_score if run.quality_score is not None else 1.0
                steps.append(Step(response.quality or 0.0, run.total_cost, run.validation_passed, score))
                if index < len(chain) - 1:
                    context = ValidationContext(query=record.messages[-1].text,
                                                finish_reason=response.finish_reason,
                                                logprobs=response.logprobs, domain=record.domain,
                                                confidence=response.confidence)
                    good = (response.correct if response.correct is not None
                            else (response.quality or 0.0) >= (final.quality or 0.0))
                    drafts.append(LabelledDraft(f"{record.id}{_SEPARATOR}{index}", response.text, context, good))
            queries.append(_Query(tuple(drafts), ChainOutcome(record.id, tuple(steps[:-1]), steps[-1])))
        return queries

    def _scorers(self, cal: Sequence[_Query], fit: bool
                 ) -> list[tuple[str, DraftScorer | None, dict[str, float], float | None]]:
        """(name, scorer fitted on the whole half, out-of-fold scores of its drafts, the L2
        strength cross-validation chose when fitted)."""
        drafts = [d for q in cal for d in q.drafts]
        labels = [d.good for d in drafts]
        rows = {d.id: features_of(d.draft, d.context) for d in drafts}
        rules = {d.id: step.score for q in cal for d, step in zip(q.drafts, q.outcome.drafts)}
        prior = platt(DEFAULT_DRAFT_MODEL, list(rows.values()), labels)
        scorers: list[tuple[str, DraftScorer | None, dict[str, float], float | None]] = [
            ("rules only", None, rules, None),
            ("prior score", prior, {d.id: prior.probability(rows[d.id]) for d in drafts}, None),
        ]
        if fit:
            def fitted(train: Sequence[LabelledDraft], strength: float) -> ScoreModel:
                return fit_score_model([rows[d.id] for d in train], [d.good for d in train], l2=strength)

            model = cross_fit(drafts, _id, labels, fitted, lambda m, d: m.probability(rows[d.id]),
                              L2_STRENGTHS, self._folds, group_of=_query_id)
            scorers.append(("fitted score", model.model, model.out_of_fold, model.strength))
        return scorers

    def _candidate(self, name: str, scorer: DraftScorer | None, oof: dict[str, float],
                   cal: Sequence[_Query], test: Sequence[_Query], rules: QualityConfig,
                   target: float, confidence: float, strength: float | None) -> Candidate:
        outcomes = [_with_scores(q, [oof[d.id] for d in q.drafts]) for q in cal]
        mean_quality, last_cost = _last_model(outcomes)
        points, reaching = [], []
        # drafting only a random share of queries: the allowance goes further per draft
        for drafted in drafted_lines(chain_curve(outcomes, confidence), DRAFT_SHARES, mean_quality, last_cost):
            points += drafted
            reaching += in_sequence(drafted, target)
        best = cheapest_reaching(reaching, target) or max(points, key=lambda p: (p.quality, -p.cost))
        config = replace(rules, scorer=scorer, min_score=best.threshold, name=f"calibrated: {name}",
                         pre_router=PreRouter(None, 0.0, best.draft_share) if best.draft_share < 1.0 else None)
        scored = [_rescored(q, scorer) for q in test]
        return Candidate(
            name, config, best, _drafted(chain_evaluate(scored, best.threshold), best.draft_share, scored),
            cheapest_drafted(chain_curve(scored), DRAFT_SHARES, *_last_model(scored), target),
            auc([s for o in outcomes for s in _passed_scores(o)], [d.good for q in cal for d in q.drafts]),
            auc([s for o in scored for s in _passed_scores(o)], [d.good for q in test for d in q.drafts]),
            regularisation=strength,
        )


def _drafted(point: Point, share: float, outcomes: Sequence[ChainOutcome]) -> Point:
    return point if share >= 1.0 else point.drafting(share, *_last_model(outcomes))


def _last_model(outcomes: Sequence[ChainOutcome]) -> tuple[float, float]:
    """Always-last-model's mean quality and total cost."""
    return sum(o.final.quality for o in outcomes) / len(outcomes), sum(o.final.cost for o in outcomes)


def _with_scores(query: _Query, scores: Sequence[float]) -> ChainOutcome:
    outcome = query.outcome
    return replace(outcome, drafts=tuple(replace(step, score=score) for step, score in zip(outcome.drafts, scores)))


def _rescored(query: _Query, scorer: DraftScorer | None) -> ChainOutcome:
    """The query's outcome under ``scorer`` (None: the rules' own scores)."""
    if scorer is None:
        return query.outcome
    return _with_scores(query, [scorer.score(d.draft, d.context) for d in query.drafts])


def _passed_scores(outcome: ChainOutcome) -> list[float]:
    """Every draft's score for an AUC, a draft that broke a rule scoring 0 (never accepted)."""
    return [step.score if step.passed else 0.0 for step in outcome.drafts]


def _signals(queries: Sequence[_Query]) -> tuple[tuple[str, float], ...]:
    drafts = [d for q in queries for d in q.drafts]
    good = [d.good for d in drafts]
    rules = [s for q in queries for s in _passed_scores(q.outcome)]
    return (("prior score", auc([DEFAULT_DRAFT_MODEL.score(d.draft, d.context) for d in drafts], good)),
            ("rules", auc(rules, good)))


def _query_id(draft: LabelledDraft) -> str:
    return draft.id.rpartition(_SEPARATOR)[0]

