"""Calibration of a chain of three models or more: the arithmetic against the two-model
case and against itself, and the use case against a replay of the real cascade."""

from __future__ import annotations

import math
import random

import pytest

from cascadeflow import ModelConfig, QualityConfig
from cascadeflow.application.calibrate_chain import CalibrateChain
from cascadeflow.domain.calibration import Outcome, curve, in_calibration_half, oracle, random_escalation
from cascadeflow.domain.chain_calibration import (
    ChainOutcome,
    Step,
    chain_curve,
    chain_evaluate,
    chain_oracle,
    chain_random,
)
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.messages import Message
from cascadeflow.domain.trace import RecordedResponse, TraceRecord

from .test_calibration import cascade_factory

CHAIN = (ModelConfig(name="cheap", provider="together_ai", cost=0.001),
         ModelConfig(name="middle", provider="together_ai", cost=0.003),
         ModelConfig(name="strong", provider="openai", cost=0.01))


def random_outcomes(steps: int, n: int = 300, seed: int = 7) -> list[ChainOutcome]:
    draw = random.Random(seed)

    def step(cost: float) -> Step:
        return Step(float(draw.random() < 0.6), cost * draw.uniform(0.5, 1.5), draw.random() < 0.9,
                    round(draw.uniform(0.0, 0.99), 2))  # rounded: ties between scores happen

    return [ChainOutcome(f"q{i}", tuple(step(0.001 * 3 ** s) for s in range(steps)),
                         Step(float(draw.random() < 0.85), 0.03 * draw.uniform(0.5, 1.5)))
            for i in range(n)]


def as_pair(o: ChainOutcome) -> Outcome:
    draft = o.drafts[0]
    return Outcome(o.id, draft.quality, o.final.quality, draft.cost, o.final.cost, draft.passed, draft.score)


def same_figures(a: object, b: object) -> None:
    for field in ("threshold", "quality", "relative_quality", "cost", "escalation_share",
                  "relative_quality_bound"):
        x, y = getattr(a, field), getattr(b, field)
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-12), field


def test_with_one_draft_a_chain_is_the_two_model_cascade() -> None:
    outcomes = random_outcomes(steps=1)
    pairs = [as_pair(o) for o in outcomes]
    for chained, paired in zip(chain_curve(outcomes, 0.9), curve(pairs, confidence=0.9), strict=True):
        same_figures(chained, paired)
    for quality in (0.55, 0.7, 0.8):
        same_figures(chain_random(outcomes, quality), random_escalation(pairs, quality))
        same_figures(chain_oracle(outcomes, quality), oracle(pairs, quality))


def test_the_one_pass_curve_agrees_with_each_threshold_on_its_own() -> None:
    outcomes = random_outcomes(steps=3)
    line = chain_curve(outcomes, confidence=0.9)
    assert len(line) > 50
    for point in line:
        same_figures(point, chain_evaluate(outcomes, point.threshold, confidence=0.9))
    # from every rule-abiding first draft accepted to every query at the last model
    assert line[-1].escalation_share == 1.0 and line[-1].relative_quality == pytest.approx(1.0)
    assert line[-1].cost == pytest.approx(sum(sum(s.cost for s in o.drafts) + o.final.cost for o in outcomes))
    assert [p.escalation_share for p in line] == sorted(p.escalation_share for p in line)


def test_a_middle_model_answers_when_the_first_is_turned_down() -> None:
    outcome = ChainOutcome("q", (Step(0.0, 1.0, True, 0.3), Step(1.0, 2.0, True, 0.8)), Step(1.0, 10.0))
    assert outcome.answering(0.2) == 0 and outcome.cost_to(0) == 1.0
    assert outcome.answering(0.5) == 1 and outcome.cost_to(1) == 3.0
    assert outcome.answering(0.9) == 2 and outcome.cost_to(2) == 13.0
    broken = ChainOutcome("q", (Step(1.0, 1.0, False, 0.9), Step(1.0, 2.0, True, 0.8)), Step(1.0, 10.0))
    assert broken.answering(0.0) == 1  # a draft that broke a rule is never accepted


def test_random_escalation_and_the_perfect_router_reach_the_quality_asked() -> None:
    outcomes = random_outcomes(steps=2)
    for quality in (0.65, 0.75, 0.8):
        assert chain_random(outcomes, quality).quality == pytest.approx(quality, abs=1e-6)
        best = chain_oracle(outcomes, quality)
        assert best.quality >= quality - 1e-9
        assert best.cost <= chain_random(outcomes, quality).cost


def chain_trace(n: int = 160) -> list[TraceRecord]:
    """The cheap model is right on half the queries (its drafts 0.7-0.95 sure of
    themselves, the wrong ones 0.1-0.5), the middle one on half of the rest (0.75 sure
    when right, 0.35 when wrong), the strong one always. Drafts carry their confidence as
    token log-probabilities, which the rules read: a threshold between 0.5 and 0.7 takes
    every right draft and no wrong one."""

    def answer(text: str, confidence: float, right: bool, cost: float) -> RecordedResponse:
        lp = math.log(confidence)
        return RecordedResponse(text, 10, 10, cost_usd=cost, logprobs=(lp, lp), correct=right)

    records = []
    for i in range(n):
        right = i >= n // 2
        cheap = 0.7 + 0.25 * (i - n // 2) / n if right else 0.1 + 0.4 * i / n
        middle_right = right or i % 2 == 0
        records.append(TraceRecord(id=f"c{i}", messages=(Message("user", f"Question number {i}?"),),
                                   responses={"cheap": answer(f"Cheap {i}.", cheap, right, 0.001),
                                              "middle": answer(f"Middle {i}.", 0.75 if middle_right else 0.35,
                                                               middle_right, 0.003),
                                              "strong": RecordedResponse("Right.", 10, 10, cost_usd=0.01,
                                                                         correct=True)}))
    return records


async def test_chain_calibration_holds_the_target_and_agrees_with_the_replay() -> None:
    records = chain_trace()
    report = await CalibrateChain(cascade_factory(records)).execute(
        records, CHAIN, target_quality=1.0, confidence=0.0, base=QualityConfig(min_confidence=0.0))
    assert report.between == ("middle",) and (report.drafter, report.verifier) == ("cheap", "strong")
    cascade = report.test_replay.figures("cascade")
    assert report.reached_target and cascade.quality == 1.0
    # the replay through the real cascade agrees with the arithmetic of the chosen point
    assert report.chosen.test.cost == pytest.approx(cascade.total_cost)
    assert report.chosen.test.escalation_share == pytest.approx(cascade.escalation_rate)
    # cheaper than always-strong: the middle model answers what the cheap one cannot
    assert cascade.total_cost < report.test_replay.figures("always-verifier").total_cost
    test_ids = [r.id for r in records if not in_calibration_half(r.id)]
    assert report.test_size == len(test_ids) and report.calibration_size + report.test_size == len(records)
    assert report.oracle.cost <= cascade.total_cost <= report.random.cost


async def test_a_chain_needs_three_models_and_scored_answers_from_each() -> None:
    records = chain_trace(20)
    use_case = CalibrateChain(cascade_factory(records))
    with pytest.raises(ConfigurationError, match="three models"):
        await use_case.execute(records, CHAIN[::2], target_quality=0.95, confidence=0.9)
    unscored = [TraceRecord(r.id, r.messages, {**r.responses, "middle": RecordedResponse("x", 1, 1)})
                for r in records]
    with pytest.raises(ConfigurationError, match="every model of the chain"):
        await CalibrateChain(cascade_factory(unscored)).execute(unscored, CHAIN, target_quality=0.95,
                                                                confidence=0.9)
