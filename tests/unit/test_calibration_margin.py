"""The confidence margin of calibration, and the regularisation chosen by cross-validation:
a threshold that just reaches the target on the calibration half misses it on the other
half as often as not; one whose lower confidence bound reaches it holds."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from cascadeflow import ConfigurationError, QualityConfig
from cascadeflow.application.calibrate import DEFAULT_CONFIDENCE, CalibrateCascade, predictive
from cascadeflow.application.cross_fit import cross_fit, log_loss
from cascadeflow.domain.calibration import (
    Outcome,
    cheapest_reaching,
    curve,
    evaluate,
    in_calibration_half,
    in_sequence,
    relative_quality_bound,
)
from cascadeflow.domain.messages import Message
from cascadeflow.domain.scoring import L2_STRENGTHS, fit_score_model
from cascadeflow.domain.trace import RecordedResponse, TraceRecord

from .test_calibration import DRAFTER, VERIFIER, cascade_factory


def test_bound_is_the_ratio_minus_a_t_quantile_times_its_standard_error() -> None:
    cascade, verifier = [1.0] * 90 + [0.0] * 10, [1.0] * 100
    assert relative_quality_bound(cascade, verifier, 0.0) == 0.9
    # residual variance (90 * 0.1² + 10 * 0.9²) / 99; t(0.9, 99 dof) = 1.2902
    standard_error = math.sqrt((90 * 0.01 + 10 * 0.81) / 99 / 100)
    assert relative_quality_bound(cascade, verifier, 0.9) == pytest.approx(0.9 - 1.2902 * standard_error, abs=1e-4)
    assert relative_quality_bound(cascade, verifier, 0.95) < relative_quality_bound(cascade, verifier, 0.9)
    # four times the queries, half the margin
    assert 0.9 - relative_quality_bound(cascade * 4, verifier * 4, 0.9) == pytest.approx(
        (0.9 - relative_quality_bound(cascade, verifier, 0.9)) / 2, rel=0.02)
    # escalating everything is the verifier itself: no noise left, nothing to bound
    assert relative_quality_bound(verifier, verifier, 0.9) == 1.0


def test_the_cheapest_point_is_judged_by_its_bound() -> None:
    # drafts right exactly when their score is >= 0.2: 2 of 40 wrong
    outcomes = [Outcome(f"o{i}", float(i >= 2), 1.0, 1.0, 10.0, True, i / 40) for i in range(40)]
    plain = cheapest_reaching(curve(outcomes), 0.95)
    assert plain is not None and plain.escalation_share == 0.0  # 38 / 40 = 0.95 exactly
    assert evaluate(outcomes, plain.threshold, confidence=0.9).relative_quality_bound < 0.95
    sure = cheapest_reaching(curve(outcomes, confidence=0.9), 0.95)
    assert sure is not None and sure.escalation_share > 0.0 and sure.relative_quality_bound >= 0.95
    assert evaluate(outcomes, 0.0).relative_quality_bound == evaluate(outcomes, 0.0).relative_quality


def shifted_trace(n: int = 180) -> list[TraceRecord]:
    """Draft i has token confidence c_i in [0.3, 0.98] and is right with probability
    3 c_i - 0.6 (sure from c = 0.53); on the test half that probability is 5 points
    lower: the kind of gap two halves of a real trace can show by chance (GSM8K's differ
    by 6.5 points). Rightness is drawn with a fixed low-discrepancy sequence, so the
    trace is the same every run."""
    records = []
    for i in range(n):
        confidence = 0.3 + 0.68 * ((i * 0.6180339887) % 1)
        chance = min(1.0, 3 * confidence - 0.6) - (0.0 if in_calibration_half(f"s{i}") else 0.05)
        logprob = math.log(confidence)
        records.append(TraceRecord(
            id=f"s{i}", messages=(Message("user", f"Question number {i}?"),),
            responses={
                "cheap": RecordedResponse(f"Answer {i}.", 10, 10, cost_usd=0.001, logprobs=(logprob, logprob),
                                          correct=(i * 0.7548776662) % 1 < chance),
                "strong": RecordedResponse("Right answer.", 10, 10, cost_usd=0.01, correct=True),
            }))
    return records


async def test_no_margin_misses_the_target_held_out_and_the_margin_holds_it() -> None:
    records = shifted_trace()
    use_case = CalibrateCascade(cascade_factory(records))
    runs = {
        confidence: await use_case.execute(records, DRAFTER, VERIFIER, target_quality=0.95,
                                           confidence=confidence, base=QualityConfig(min_confidence=0.0))
        for confidence in (0.0, DEFAULT_CONFIDENCE)
    }
    held_out = {c: r.test_replay.figures("cascade").quality for c, r in runs.items()}  # verifier: 1.0
    bare, sure = runs[0.0].chosen.calibration, runs[DEFAULT_CONFIDENCE].chosen.calibration
    assert bare.relative_quality == pytest.approx(0.95, abs=0.005)  # just at the target: no margin
    assert held_out[0.0] < 0.95
    assert sure.relative_quality_bound >= 0.95 and sure.relative_quality > 0.97
    assert held_out[DEFAULT_CONFIDENCE] >= 0.95
    # the honest price: more drafts escalated, a smaller saving
    figures = {c: r.test_replay.figures("cascade") for c, r in runs.items()}
    assert figures[DEFAULT_CONFIDENCE].escalation_rate > figures[0.0].escalation_rate
    assert figures[DEFAULT_CONFIDENCE].savings_vs_verifier < figures[0.0].savings_vs_verifier
    assert runs[DEFAULT_CONFIDENCE].confidence == DEFAULT_CONFIDENCE


async def test_confidence_must_be_below_one() -> None:
    records = shifted_trace()
    with pytest.raises(ConfigurationError, match="confidence"):
        await CalibrateCascade(cascade_factory(records)).execute(records, DRAFTER, VERIFIER, confidence=1.0)


def test_another_salt_draws_another_split() -> None:
    ids = [f"q{i}" for i in range(200)]
    usual = {i for i in ids if in_calibration_half(i)}
    other = {i for i in ids if in_calibration_half(i, salt="split1:")}
    # independent halves share about a quarter of the ids
    assert usual != other and 30 < len(usual & other) < 70


def items(n: int, signal: bool) -> list[tuple[str, dict[str, float], bool]]:
    """One feature; labels follow it exactly (signal) or a pattern it cannot see (noise)."""
    rows = []
    for i in range(n):
        x = (i * 0.6180339887) % 1
        label = x > 0.5 if signal else (i * 0.7548776662) % 1 > 0.5
        rows.append((f"i{i}", {"steps": x}, label))
    return rows


@pytest.mark.parametrize(("signal", "expected"), [(True, min(L2_STRENGTHS)), (False, max(L2_STRENGTHS))])
def test_cross_validation_picks_a_weak_penalty_for_signal_and_a_strong_one_for_noise(
        signal: bool, expected: float) -> None:
    data = items(120, signal)
    result = cross_fit(
        data, lambda item: item[0], [item[2] for item in data],
        lambda part, l2: fit_score_model([p[1] for p in part], [p[2] for p in part], l2=l2),
        lambda model, item: model.probability(item[1]), L2_STRENGTHS, folds=5)
    assert result.strength == expected
    assert set(result.out_of_fold) == {item[0] for item in data}
    assert result.log_loss == pytest.approx(
        log_loss([result.out_of_fold[item[0]] for item in data], [item[2] for item in data]))


def test_the_one_pass_curve_agrees_with_evaluating_each_threshold() -> None:
    outcomes = [Outcome(f"o{i}", float(i % 3 != 0), float(i % 7 != 0), 1.0 + i % 4, 10.0 + i % 5,
                        i % 11 != 0, ((i * 0.6180339887) % 1) // 0.05 * 0.05, query_score=(i * 0.7548776662) % 1)
                for i in range(120)]
    for cut in (0.0, 0.3):
        points = curve(outcomes, cut, confidence=0.9)
        assert len(points) == len({o.score for o in outcomes if o.rules_passed}) + 1
        for point in points:
            again = evaluate(outcomes, point.threshold, cut, confidence=0.9)
            for name in ("quality", "relative_quality", "relative_quality_bound", "cost", "escalation_share",
                         "pre_routed_share"):
                assert getattr(point, name) == pytest.approx(getattr(again, name), abs=1e-9), name


def test_thresholds_are_tested_in_a_fixed_sequence_from_the_strictest() -> None:
    # by score: good drafts on top, drafts that beat a wrong verifier in the middle, bad
    # drafts at the bottom; quality over the thresholds is not monotone
    outcomes = ([Outcome(f"t{i}", 1.0, 1.0, 0.1, 1.0, score=0.9) for i in range(60)]
                + [Outcome(f"m{i}", 1.0, 0.0, 0.1, 1.0, score=0.5) for i in range(10)]
                + [Outcome(f"b{i}", 0.0, 1.0, 0.1, 1.0, score=0.1) for i in range(30)])
    line = curve(outcomes, confidence=0.0)
    assert [round(p.relative_quality, 2) for p in line] == [0.78, 1.11, 1.0, 1.0]
    assert [p.threshold for p in in_sequence(line, 0.95)] == [line[3].threshold, 0.7, 0.3]
    # a point past the first shortfall is never picked, however good it looks
    assert in_sequence(line, 1.05) == [] and cheapest_reaching(line, 1.05) is line[1]


def test_the_bound_covers_the_test_half_as_well_as_the_calibration_half() -> None:
    assert predictive(0.0, 400, 400) == 0.0
    assert predictive(0.9, 400, 400) == pytest.approx(NormalDist().cdf(1.2816 * math.sqrt(2)), abs=1e-4)
    assert 0.9 < predictive(0.9, 400, 40_000) < predictive(0.9, 400, 400)
