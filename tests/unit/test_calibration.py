"""Calibration: the split, the quality–cost arithmetic, and a synthetic trace whose best
threshold is known, calibrated through bootstrap with the replay provider."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from cascadeflow import ModelConfig, QualityConfig
from cascadeflow.application.calibrate import CalibrateCascade
from cascadeflow.application.run_cascade import RunCascade
from cascadeflow.bootstrap import bootstrap
from cascadeflow.domain.calibration import (
    Outcome,
    auc,
    cheapest_reaching,
    curve,
    evaluate,
    in_calibration_half,
    oracle,
    random_escalation,
    split_halves,
)
from cascadeflow.domain.messages import Message
from cascadeflow.domain.quality_bound import t_quantile
from cascadeflow.domain.quality_presets import quality_config_from_dict, quality_config_to_dict
from cascadeflow.domain.scoring import DEFAULT_DRAFT_MODEL, PreRouter, ScoreModel, fit_score_model, platt
from cascadeflow.domain.trace import RecordedResponse, TraceRecord
from cascadeflow.quality import DEFAULT_QUERY_MODEL, quality_preset
from cascadeflow.testing import ConfiguredPricing, ReplayProvider

DRAFTER = ModelConfig(name="cheap", provider="together_ai", cost=0.001)
VERIFIER = ModelConfig(name="strong", provider="openai", cost=0.01)


def test_split_is_deterministic_and_order_free() -> None:
    ids = [f"q{i}" for i in range(1000)]
    first = split_halves(ids, str)
    again = split_halves(list(reversed(ids)), str)
    assert set(first[0]) == set(again[0]) and set(first[1]) == set(again[1])
    assert 450 < len(first[0]) < 550
    # pinned: changing the split silently would move every published figure
    assert [in_calibration_half(f"gsm8k-{i}") for i in range(8)] == [True, False, True, True, True, True, False, True]


def outcome(i: int, score: float, draft_ok: bool, verifier_ok: bool = True) -> Outcome:
    return Outcome(f"o{i}", float(draft_ok), float(verifier_ok), 1.0, 10.0, True, score)


def test_cheapest_threshold_reaching_the_target_is_found() -> None:
    # drafts right exactly when their score is >= 0.5
    outcomes = [outcome(i, i / 10, i >= 5) for i in range(10)]
    best = cheapest_reaching(curve(outcomes), 1.0)
    assert best is not None and 0.4 < best.threshold <= 0.5
    assert best.escalation_share == 0.5 and best.relative_quality == 1.0
    assert best.cost == pytest.approx(10 * 1.0 + 5 * 10.0)
    assert best.cost_reduction == pytest.approx(1 - 60 / 100)
    # a lower target needs fewer escalations: 0.8 of verifier quality = 8 right answers
    lower = cheapest_reaching(curve(outcomes), 0.8)
    assert lower is not None and lower.escalation_share == 0.3


def test_pre_routing_saves_the_draft_of_queries_sent_straight_to_the_verifier() -> None:
    outcomes = [Outcome("a", 0.0, 1.0, 1.0, 10.0, True, 0.1, query_score=0.1),
                Outcome("b", 1.0, 1.0, 1.0, 10.0, True, 0.9, query_score=0.9)]
    plain, routed = evaluate(outcomes, 0.5), evaluate(outcomes, 0.5, pre_route_below=0.5)
    assert plain.cost == 12.0 and routed.cost == 11.0
    assert routed.pre_routed_share == 0.5 and routed.quality == plain.quality == 1.0


def test_random_escalation_and_oracle_at_the_same_quality() -> None:
    outcomes = [outcome(i, 0.5, i < 6, verifier_ok=i != 9) for i in range(10)]
    # drafter 0.6, verifier 0.9: reaching 0.8 at random takes 2/3 of the drafts escalated
    rand = random_escalation(outcomes, 0.8)
    assert rand.escalation_share == pytest.approx(2 / 3)
    assert rand.cost == pytest.approx(10 + 2 / 3 * 100)
    best = oracle(outcomes, 0.8)
    assert best.escalation_share == 0.2 and best.quality == pytest.approx(0.8)
    assert best.cost == pytest.approx(8 * 1.0 + 2 * 10.0)  # a router pays one model per query


def test_auc() -> None:
    assert auc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert auc([0.5, 0.5], [False, True]) == 0.5
    assert math.isnan(auc([0.1], [True]))


def test_fitted_score_learns_the_signal_and_platt_keeps_the_ranking() -> None:
    rows = [{"arithmetic_errors": float(i % 3 == 0), "steps": (i % 7) / 7} for i in range(90)]
    labels = [row["arithmetic_errors"] == 0.0 for row in rows]
    model = fit_score_model(rows, labels)
    assert model.weights["arithmetic_errors"] < 0
    assert auc([model.probability(r) for r in rows], labels) == 1.0
    rescaled = platt(DEFAULT_DRAFT_MODEL, rows, labels)
    before = [DEFAULT_DRAFT_MODEL.probability(r) for r in rows]
    after = [rescaled.probability(r) for r in rows]
    assert sorted(range(90), key=before.__getitem__) == sorted(range(90), key=after.__getitem__)


def test_saved_config_round_trips() -> None:
    config = QualityConfig(min_words=2, scorer=DEFAULT_DRAFT_MODEL, min_score=0.62,
                           pre_router=PreRouter(DEFAULT_QUERY_MODEL, 0.25), name="calibrated")
    data = quality_config_to_dict(config, trace="gsm8k")
    back = quality_config_from_dict(data)
    assert back == config and data["about"] == {"trace": "gsm8k"}
    for name in ("balanced", "strict", "cost-optimized", "fast"):
        assert quality_config_from_dict(quality_config_to_dict(quality_preset(name))) == quality_preset(name)


def test_a_file_of_another_kind_is_rejected() -> None:
    from cascadeflow import ConfigurationError

    with pytest.raises(ConfigurationError, match="not a cascadeflow quality config"):
        quality_config_from_dict({"min_score": 0.5})
    with pytest.raises(ConfigurationError, match="unknown draft features"):
        ScoreModel(weights={"vibes": 1.0}, bias=0.0)


def confidence_of(i: int, n: int = 80) -> float:
    """Wrong drafts are 0.2-0.5 sure of themselves, right ones 0.7-0.95."""
    half = n // 2
    return 0.2 + 0.3 * i / (half - 1) if i < half else 0.7 + 0.25 * (i - half) / (half - 1)


def synthetic_trace(n: int = 80) -> list[TraceRecord]:
    """Draft i has token confidence c_i and is right exactly when c_i >= 0.6. The verifier
    is always right and ten times dearer, so the best threshold lies between 0.5 and 0.7."""
    records = []
    for i in range(n):
        confidence = confidence_of(i, n)
        logprob = math.log(confidence)
        records.append(TraceRecord(
            id=f"s{i}", messages=(Message("user", f"Question number {i}?"),),
            responses={
                "cheap": RecordedResponse(f"Answer {i}.", 10, 10, cost_usd=0.001,
                                          logprobs=(logprob, logprob), correct=confidence >= 0.6),
                "strong": RecordedResponse("Right answer.", 10, 10, cost_usd=0.01, correct=True),
            }))
    return records


def cascade_factory(records: list[TraceRecord]):  # type: ignore[no-untyped-def]
    def cascade_for(config: QualityConfig) -> RunCascade:
        return bootstrap(provider=ReplayProvider(records), pricing=ConfiguredPricing(),
                         quality_config=config).run_cascade()
    return cascade_for


async def test_calibration_finds_the_known_best_threshold() -> None:
    records = synthetic_trace()
    use_case = CalibrateCascade(cascade_factory(records))
    report = await use_case.execute(records, DRAFTER, VERIFIER, target_quality=1.0,
                                    base=QualityConfig(min_confidence=0.0))
    rules = next(c for c in report.candidates if c.name == "rules only")
    # halfway between the calibration half's last wrong and first right draft
    confidences = [confidence_of(i) for i in range(80) if in_calibration_half(f"s{i}")]
    below = max(c for c in confidences if c < 0.6)
    above = min(c for c in confidences if c >= 0.6)
    assert rules.config.min_score == pytest.approx((below + above) / 2)
    assert 0.5 < rules.config.min_score < 0.7
    test_ids = {r.id for r in records if not in_calibration_half(r.id)}
    wrong_in_test = sum(1 for r in records if r.id in test_ids and not r.responses["cheap"].correct)
    cascade = report.test_replay.figures("cascade")
    assert report.reached_target and cascade.quality == 1.0
    assert cascade.escalation_rate == pytest.approx(wrong_in_test / len(test_ids))
    # the replay through the real cascade agrees with the arithmetic of the chosen point
    assert report.chosen.test.escalation_share == pytest.approx(cascade.escalation_rate)
    assert report.chosen.test.cost == pytest.approx(cascade.total_cost)
    assert report.oracle.escalation_share == pytest.approx(cascade.escalation_rate)
    assert report.random.escalation_share == 1.0
    assert report.calibration_size + report.test_size == 80
    assert report.notes  # 40 drafts are too few to fit a scorer on


async def test_lower_target_escalates_less() -> None:
    records = synthetic_trace()
    use_case = CalibrateCascade(cascade_factory(records))
    strict = await use_case.execute(records, DRAFTER, VERIFIER, target_quality=1.0)
    loose = await use_case.execute(records, DRAFTER, VERIFIER, target_quality=0.8)
    assert (loose.test_replay.figures("cascade").escalation_rate
            < strict.test_replay.figures("cascade").escalation_rate)


def test_drafting_a_share_mixes_figures_linearly_and_bounds_the_draw_too() -> None:
    outcomes = [Outcome(f"q{i}", float(i % 2), 1.0, 0.2, 1.0) for i in range(100)]  # half wrong
    point = evaluate(outcomes, 0.0, 0.0, confidence=0.9)  # accept every draft
    mixed = point.drafting(0.1, 1.0, 100.0)
    assert mixed.relative_quality == pytest.approx(0.1 * 0.5 + 0.9)
    assert mixed.cost == pytest.approx(0.1 * point.cost + 0.9 * 100.0)
    assert mixed.draft_share == 0.1 and mixed.escalation_share == pytest.approx(0.9)
    assert point.drafting(1.0, 1.0, 100.0).relative_quality_bound == pytest.approx(point.relative_quality_bound)
    # which queries are drafted is noise of its own: the margin shrinks less than the share
    margin = mixed.relative_quality - mixed.relative_quality_bound
    assert margin > 0.1 * (point.relative_quality - point.relative_quality_bound) * 1.5
    # and it is the noise there is: over samples of 100 queries like these, each query
    # drafted with probability 0.1, the ratio spreads by the standard error the margin uses
    draw = random.Random(5)
    ratios = [sum(float(draw.random() < 0.5) if draw.random() < 0.1 else 1.0 for _ in range(100)) / 100
              for _ in range(4000)]
    spread = statistics.stdev(ratios)
    assert margin / t_quantile(0.9, 99) == pytest.approx(spread, rel=0.1)


async def test_without_a_signal_calibration_drafts_only_the_share_that_pays() -> None:
    """Drafts are right half the time and nothing tells which: accepting any draft is a
    coin flip, so the cheapest way to 95% is to draft few queries and accept those."""
    records = [TraceRecord(
        id=f"n{i}", messages=(Message("user", f"Question number {i}?"),),
        responses={"cheap": RecordedResponse("An answer.", 10, 10, cost_usd=0.002, correct=i % 2 == 0),
                   "strong": RecordedResponse("Right answer.", 10, 10, cost_usd=0.01, correct=True)})
        for i in range(600)]
    report = await CalibrateCascade(cascade_factory(records)).execute(records, DRAFTER, VERIFIER,
                                                                      target_quality=0.95)
    router = report.chosen.config.pre_router
    assert isinstance(router, PreRouter) and router.scorer is None and 0 < router.draft_share < 0.3
    # read off the test half too, the cheapest way to 95% drafts only a share
    hindsight = report.chosen.test_at_target
    assert hindsight is not None and hindsight.draft_share < 1.0 and hindsight.relative_quality >= 0.95
    replay = report.test_replay
    drafter_calls = replay.figures("cascade").total_cost < replay.figures("always-verifier").total_cost
    assert drafter_calls, "drafting a share must cost less than the verifier alone"
    assert replay.figures("cascade").quality >= 0.9
    back = quality_config_from_dict(quality_config_to_dict(report.chosen.config))
    assert back.pre_router == router
