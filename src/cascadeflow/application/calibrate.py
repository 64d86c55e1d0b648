"""Calibrate a drafter → verifier cascade on one half of a trace, report it on the other.

The trace is split by a hash of each id. On the calibration half every scorer asked
for is fitted (its L2 penalty chosen by cross-validation), its draft scores are taken
out-of-fold (each draft scored by a model that never saw it), and the cheapest threshold
(and pre-routing cut) is chosen whose quality relative to always-verifier reaches the
target with the asked confidence: the one-sided lower bound, not the point estimate,
must reach it, because the calibration half is only a sample of the traffic, and on a
sample as large as the test half (``predictive``). Thresholds are tried in a fixed
sequence from the strictest (``in_sequence``). The cheapest scorer wins. The chosen configuration is then replayed through the unchanged
cascade on the test half, beside random escalation and a perfect router at the same
quality.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Protocol

from cascadeflow.application.cross_fit import cross_fit
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade
from cascadeflow.application.simulate import SimulateCascade, SimulationReport
from cascadeflow.domain.calibration import (
    Outcome,
    Point,
    auc,
    cheapest_drafted,
    cheapest_reaching,
    curve,
    drafted_lines,
    in_sequence,
    evaluate,
    oracle,
    random_escalation,
    split_halves,
)
from cascadeflow.domain.draft_features import query_features
from cascadeflow.domain.online_policy import DRAFT_SHARES
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import DraftScorer, QualityConfig, ValidationContext
from cascadeflow.domain.scoring import (
    DEFAULT_DRAFT_MODEL,
    DEFAULT_QUERY_MODEL,
    L2_STRENGTHS,
    PreRouter,
    ScoreModel,
    features_of,
    fit_score_model,
    platt,
)
from cascadeflow.domain.trace import TraceRecord

PRE_ROUTE_SHARES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
# Below this many labelled drafts a fitted scorer learns noise; the prior score is kept.
MIN_DRAFTS_TO_FIT = 100
# One-sided: the chosen settings keep the target on traffic like the calibration half's
# with this probability, as far as sampling noise goes (0 chooses on the point estimate).
DEFAULT_CONFIDENCE = 0.9


@dataclass(frozen=True, slots=True)
class LabelledDraft:
    """A recorded draft and whether it was good enough (right, or no worse than the verifier)."""

    id: str
    draft: str
    context: ValidationContext
    good: bool


class ScorerTrainer(Protocol):
    """Fits a draft scorer. ``strength`` is its L2 penalty on the summed log loss
    (scikit-learn's ``1 / C``); calibration picks one of ``strengths`` by cross-validation
    on the calibration half, and None means the trainer's own default."""

    strengths: tuple[float, ...]

    @abstractmethod
    def fit(self, drafts: Sequence[LabelledDraft], strength: float | None = None) -> DraftScorer: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """One scorer: its point chosen on the calibration half, the same settings on the test
    half, and (``test_at_target``) the cheapest point of its test-half curves (every
    drafted share) that reaches the target: the scorer still fitted on the calibration
    half only, the threshold and share read off the test half, as router papers report."""

    name: str
    config: QualityConfig
    calibration: Point
    test: Point
    test_at_target: Point | None
    calibration_auc: float
    test_auc: float
    regularisation: float | None = None  # the L2 strength cross-validation chose, if fitted


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    drafter: str
    verifier: str
    target_quality: float
    calibration_size: int
    test_size: int
    reached_target: bool
    chosen: Candidate
    candidates: tuple[Candidate, ...]
    test_replay: SimulationReport
    random: Point
    oracle: Point
    test_curve: tuple[Point, ...]
    notes: tuple[str, ...] = ()
    confidence: float = 0.0
    # each raw signal's AUC against the labels on the calibration half (0.5: no signal)
    signals: tuple[tuple[str, float], ...] = ()
    between: tuple[str, ...] = ()  # a longer chain's models between drafter and verifier


@dataclass(frozen=True, slots=True)
class _Fact:
    draft: LabelledDraft
    outcome: Outcome
    rules_score: float


class CalibrateCascade:
    def __init__(self, cascade_for: Callable[[QualityConfig], RunCascade],
                 trainer: ScorerTrainer | None = None, folds: int = 5) -> None:
        if folds < 2:
            raise ConfigurationError(f"cross-validation needs at least 2 folds; got {folds}")
        self._cascade_for = cascade_for
        self._trainer = trainer
        self._folds = folds

    async def execute(
        self, records: Sequence[TraceRecord], drafter: ModelConfig, verifier: ModelConfig, *,
        target_quality: float = 0.95, base: QualityConfig | None = None,
        learned: bool = False, pre_route: bool = False, swap_halves: bool = False,
        confidence: float = DEFAULT_CONFIDENCE, split_salt: str = "",
    ) -> CalibrationReport:
        """``confidence``: how sure the chosen settings must be to reach the target (the
        lower bound of relative quality on the calibration half must reach it); 0 chooses
        on the point estimate. ``swap_halves`` calibrates on the usual test half and
        reports on the other: the second fold of a two-fold check. ``split_salt`` draws
        another split, to measure how much the result owes to one split."""
        if not 0.0 < target_quality <= 1.5:
            raise ConfigurationError(f"target quality is a share of the verifier's, such as 0.95; got {target_quality}")
        if not 0.0 <= confidence < 1.0:
            raise ConfigurationError(f"confidence is a probability below 1, such as 0.9 (0: no margin); got {confidence}")
        if learned and self._trainer is None:
            raise ConfigurationError("no scorer trainer: install scikit-learn (pip install 'cascadeflow[ml]')")
        rules = replace(base or QualityConfig(), scorer=None, pre_router=None).with_threshold(0.0)
        usable = [r for r in records if _scored(r, drafter.name) and _scored(r, verifier.name)]
        cal_records, test_records = split_halves(usable, lambda r: r.id, split_salt)
        if swap_halves:
            cal_records, test_records = test_records, cal_records
        if len(cal_records) < 2 * self._folds or not test_records:
            raise ConfigurationError(
                f"calibration needs at least {2 * self._folds + 1} scored queries answered by both models; "
                f"this trace has {len(usable)}"
            )
        cal = await self._facts(cal_records, drafter, verifier, rules)
        test = await self._facts(test_records, drafter, verifier, rules)
        can_fit = len(cal) >= MIN_DRAFTS_TO_FIT
        notes = () if can_fit else (
            f"the calibration half has {len(cal)} drafts (< {MIN_DRAFTS_TO_FIT}): "
            "nothing was fitted beyond a rescaling of the prior score",)
        query_cuts: list[tuple[ScoreModel | None, dict[str, float]]] = [(None, {})]
        if pre_route and can_fit:
            query_cuts.append(self._query_model(cal))
        margin = predictive(confidence, len(cal), len(test))
        candidates = [
            replace(self._candidate(name, scorer, oof, qmodel, qoof, cal, test, rules, target_quality,
                                    margin), regularisation=strength)
            for name, scorer, oof, strength in self._scorers(cal, learned and can_fit, fit=can_fit)
            for qmodel, qoof in query_cuts
        ]
        reaching = [c for c in candidates
                    if c.calibration.relative_quality_bound >= target_quality - 1e-12]
        chosen = (min(reaching, key=lambda c: c.calibration.cost) if reaching
                  else max(candidates, key=lambda c: c.calibration.quality))
        replay = await SimulateCascade(self._cascade_for(chosen.config),
                                       pre_router=chosen.config.pre_router).execute(
            test_records, drafter, verifier)
        quality = replay.figures("cascade").quality
        outcomes = [self._rescore(f, chosen.config) for f in test]
        return CalibrationReport(
            drafter=drafter.name, verifier=verifier.name, target_quality=target_quality,
            calibration_size=len(cal), test_size=len(test), reached_target=bool(reaching),
            chosen=chosen, candidates=tuple(candidates), test_replay=replay,
            random=random_escalation(outcomes, quality), oracle=oracle(outcomes, quality),
            test_curve=tuple(curve(outcomes, chosen.calibration.pre_route_below)), notes=notes,
            confidence=confidence, signals=_signals(cal),
        )

    async def _facts(self, records: Sequence[TraceRecord], drafter: ModelConfig,
                     verifier: ModelConfig, rules: QualityConfig) -> list[_Fact]:
        """Each query's recorded qualities, the real cascade's cost of each model, and
        whether the draft passes the rule checks."""
        cascade = self._cascade_for(rules)
        facts = []
        for record in records:
            runs = [await cascade.execute(CascadeRequest(models=(m,), messages=record.messages,
                                                         domain=record.domain))
                    for m in (drafter, verifier)]
            draft, strong = record.responses[drafter.name], record.responses[verifier.name]
            context = ValidationContext(query=record.messages[-1].text, finish_reason=draft.finish_reason,
                                        logprobs=draft.logprobs, domain=record.domain,
                                        confidence=draft.confidence)
            good = draft.correct if draft.correct is not None else (draft.quality or 0.0) >= (strong.quality or 0.0)
            facts.append(_Fact(
                LabelledDraft(record.id, draft.text, context, good),
                Outcome(record.id, draft.quality or 0.0, strong.quality or 0.0, runs[0].total_cost,
                        runs[1].total_cost, runs[0].validation_passed),
                runs[0].quality_score if runs[0].quality_score is not None else 1.0,
            ))
        return facts

    def _scorers(self, cal: list[_Fact], learned: bool, fit: bool
                 ) -> list[tuple[str, DraftScorer | None, dict[str, float], float | None]]:
        """(name, scorer fitted on the whole half, out-of-fold scores of the half, the L2
        strength cross-validation chose when the scorer is fitted)."""
        drafts = [f.draft for f in cal]
        labels = [d.good for d in drafts]
        rows = {d.id: features_of(d.draft, d.context) for d in drafts}
        prior = platt(DEFAULT_DRAFT_MODEL, list(rows.values()), labels)
        scorers: list[tuple[str, DraftScorer | None, dict[str, float], float | None]] = [
            ("rules only", None, {f.draft.id: f.rules_score for f in cal}, None),
            # a monotone rescaling: thresholds chosen on it select the same drafts as the prior's
            ("prior score", prior, {d.id: prior.probability(rows[d.id]) for d in drafts}, None),
        ]

        if fit:
            def fitted(train: Sequence[LabelledDraft], strength: float) -> ScoreModel:
                return fit_score_model([rows[d.id] for d in train], [d.good for d in train], l2=strength)

            model = cross_fit(drafts, _id, labels, fitted, lambda m, d: m.probability(rows[d.id]),
                              L2_STRENGTHS, self._folds)
            scorers.append(("fitted score", model.model, model.out_of_fold, model.strength))
        if learned and self._trainer is not None:
            trained = cross_fit(drafts, _id, labels, self._trainer.fit, _score, self._trainer.strengths,
                                self._folds)
            scorers.append(("learned scorer", trained.model, trained.out_of_fold, trained.strength))
        return scorers

    def _query_model(self, cal: list[_Fact]) -> tuple[ScoreModel, dict[str, float]]:
        rows = {f.draft.id: query_features(f.draft.context.query) for f in cal}
        drafts = [f.draft for f in cal]

        def train(part: Sequence[LabelledDraft], strength: float) -> ScoreModel:
            return fit_score_model([rows[d.id] for d in part], [d.good for d in part], kind="query",
                                   l2=strength)

        result = cross_fit(drafts, _id, [d.good for d in drafts], train,
                           lambda model, d: model.probability(rows[d.id]), L2_STRENGTHS, self._folds)
        return result.model, result.out_of_fold

    def _candidate(self, name: str, scorer: DraftScorer | None, oof: dict[str, float],
                   qmodel: ScoreModel | None, qoof: dict[str, float], cal: list[_Fact],
                   test: list[_Fact], rules: QualityConfig, target: float,
                   confidence: float) -> Candidate:
        outcomes = [replace(f.outcome, score=oof[f.draft.id], query_score=qoof.get(f.draft.id, 1.0))
                    for f in cal]
        cuts = [0.0]
        if qmodel is not None:
            ranked = sorted(qoof.values())
            cuts += [ranked[int(share * len(ranked))] for share in PRE_ROUTE_SHARES]
        mean_quality = sum(o.verifier_quality for o in outcomes) / len(outcomes)
        verifier_cost = sum(o.verifier_cost for o in outcomes)
        points, reaching = [], []
        for cut in cuts:
            # drafting only a random share of queries: the allowance goes further per draft
            for drafted in drafted_lines(curve(outcomes, cut, confidence), DRAFT_SHARES, mean_quality,
                                         verifier_cost):
                points += drafted
                reaching += in_sequence(drafted, target)
        best = cheapest_reaching(reaching, target) or max(points, key=lambda p: (p.quality, -p.cost))
        routed = qmodel is not None and best.pre_route_below > 0
        config = replace(rules, scorer=scorer, min_score=best.threshold, name=f"calibrated: {name}",
                         pre_router=PreRouter(qmodel if routed else None,
                                              best.pre_route_below if routed else 0.0, best.draft_share)
                         if routed or best.draft_share < 1.0 else None)
        scored = [self._rescore(f, config) for f in test]
        label = name + (" + pre-routing" if qmodel is not None else "")
        return Candidate(
            label, config, best, _evaluate_config(scored, config),
            _cheapest_on(curve(scored, best.pre_route_below), scored, target),
            auc([o.score for o in outcomes], [f.draft.good for f in cal]),
            auc([o.score for o in scored], [f.draft.good for f in test]),
        )

    @staticmethod
    def _rescore(fact: _Fact, config: QualityConfig) -> Outcome:
        draft = fact.draft
        score = fact.rules_score if config.scorer is None else config.scorer.score(draft.draft, draft.context)
        router = config.pre_router
        query_score = router.query_score(draft.context.query) if isinstance(router, PreRouter) else 1.0
        return replace(fact.outcome, score=score, query_score=query_score)


def _cheapest_on(line: list[Point], outcomes: Sequence[Outcome], target: float) -> Point | None:
    """The cheapest point of a test-half curve, at any drafted share, that reaches the
    target: the threshold and share read off the test half itself (hindsight)."""
    quality = sum(o.verifier_quality for o in outcomes) / len(outcomes)
    return cheapest_drafted(line, DRAFT_SHARES, quality, sum(o.verifier_cost for o in outcomes), target)


def predictive(confidence: float, calibration: int, test: int) -> float:
    """The confidence of a bound on the calibration half that makes the settings reach the
    target on the test half with ``confidence``: both halves are samples, so the margin
    widens by sqrt(1 + calibration / test) (a prediction bound; for traffic much larger
    than the calibration half it is the confidence bound itself)."""
    if confidence <= 0.0 or test <= 0:
        return confidence
    normal = NormalDist()
    return min(MAX_CONFIDENCE, normal.cdf(normal.inv_cdf(confidence) * math.sqrt(1.0 + calibration / test)))


MAX_CONFIDENCE = 0.999999  # a cdf of exactly 1 has no quantile


def _evaluate_config(outcomes: list[Outcome], config: QualityConfig) -> Point:
    router = config.pre_router
    if not isinstance(router, PreRouter):
        return evaluate(outcomes, config.min_score, 0.0)
    point = evaluate(outcomes, config.min_score, router.min_probability)
    if router.draft_share >= 1.0:
        return point
    mean_quality = sum(o.verifier_quality for o in outcomes) / len(outcomes)
    return point.drafting(router.draft_share, mean_quality, sum(o.verifier_cost for o in outcomes))


def _signals(facts: Sequence[_Fact]) -> tuple[tuple[str, float], ...]:
    """AUC of each signal the drafts carry: their own confidence (reported or from
    logprobs, when every draft has one), the prior score, and the query-only prior."""
    good = [f.draft.good for f in facts]
    found = []
    confidences = [f.draft.context.known_confidence for f in facts]
    if confidences and all(c is not None for c in confidences):
        found.append(("confidence", auc([c or 0.0 for c in confidences], good)))
    found.append(("prior score", auc([DEFAULT_DRAFT_MODEL.score(f.draft.draft, f.draft.context)
                                      for f in facts], good)))
    found.append(("query prior (pre-routing)", auc([DEFAULT_QUERY_MODEL.score_query(f.draft.context.query)
                                                    for f in facts], good)))
    found.append(("rules", auc([f.rules_score for f in facts], good)))
    return tuple(found)


def _id(draft: LabelledDraft) -> str:
    return draft.id


def _score(scorer: DraftScorer, draft: LabelledDraft) -> float:
    return scorer.score(draft.draft, draft.context)


def _scored(record: TraceRecord, model: str) -> bool:
    response = record.responses.get(model)
    return response is not None and response.quality is not None
