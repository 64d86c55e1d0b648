"""Calibration of a chain of three models or more: the arithmetic against the two-model
case and against itself, and the use case against a replay of the real cascade."""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from cascadeflow import CascadeAgent, ModelConfig, QualityConfig
from cascadeflow.application.calibrate_chain import CalibrateChain
from cascadeflow.application.cross_fit import cross_fit
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
from cascadeflow.domain.scoring import PreRouter
from cascadeflow.domain.trace import RecordedResponse, TraceRecord
from cascadeflow.testing import ConfiguredPricing, FakeProvider, ReplayProvider

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
    # rules only scores each model's draft by its own confidence: the strong model answers
    # only where the middle one is wrong too (a quarter of the queries)
    rules = next(c for c in report.candidates if c.name == "rules only")
    both_wrong = sum(1 for i in range(160) if f"c{i}" in test_ids and i < 80 and i % 2)
    assert rules.test.escalation_share == pytest.approx(both_wrong / len(test_ids))


async def test_a_chain_needs_three_models_and_scored_answers_from_each() -> None:
    records = chain_trace(20)
    use_case = CalibrateChain(cascade_factory(records))
    with pytest.raises(ConfigurationError, match="three different models"):
        await use_case.execute(records, CHAIN[::2], target_quality=0.95, confidence=0.9)
    unscored = [TraceRecord(r.id, r.messages, {**r.responses, "middle": RecordedResponse("x", 1, 1)})
                for r in records]
    with pytest.raises(ConfigurationError, match="every model of the chain"):
        await CalibrateChain(cascade_factory(unscored)).execute(unscored, CHAIN, target_quality=0.95,
                                                                confidence=0.9)


async def test_with_a_margin_the_chosen_bound_sits_below_its_estimate() -> None:
    records = chain_trace()
    report = await CalibrateChain(cascade_factory(records)).execute(
        records, CHAIN, target_quality=0.9, confidence=0.9, base=QualityConfig(min_confidence=0.0))
    chosen = report.chosen.calibration
    assert chosen.relative_quality_bound < chosen.relative_quality
    assert chosen.relative_quality_bound >= 0.9


async def test_drafting_a_share_is_chosen_when_drafts_cost_nearly_what_the_last_model_does() -> None:
    """Drafts right half the time, with nothing to tell which: only drafting a share of
    the queries (the rest straight to the last model) can save anything at 80%."""
    records = []
    for i in range(200):
        right = i % 2 == 0
        records.append(TraceRecord(id=f"d{i}", messages=(Message("user", f"Question {i}?"),), responses={
            "cheap": RecordedResponse(f"Cheap {i}.", 10, 10, cost_usd=0.004, correct=right),
            "middle": RecordedResponse(f"Middle {i}.", 10, 10, cost_usd=0.005, correct=right),
            "strong": RecordedResponse("Right.", 10, 10, cost_usd=0.01, correct=True)}))
    report = await CalibrateChain(cascade_factory(records)).execute(
        records, CHAIN, target_quality=0.8, confidence=0.0, base=QualityConfig(min_confidence=0.0))
    chosen = report.chosen
    assert chosen.calibration.draft_share < 1.0 and chosen.config.pre_router is not None
    assert chosen.test_at_target is not None and chosen.test_at_target.draft_share < 1.0
    # the agent with the chosen settings serves the test half as the replay reported
    agent = CascadeAgent(list(CHAIN), quality_config=chosen.config, provider=ReplayProvider(records),
                         pricing=ConfiguredPricing())
    test = [r for r in records if not in_calibration_half(r.id)]
    results = [agent.run_sync(r.messages[-1].text) for r in test]
    cascade = report.test_replay.figures("cascade")
    assert sum(r.total_cost for r in results) == pytest.approx(cascade.total_cost)
    quality = sum(records_by_id(test)[r.id].responses[res.model_used].quality or 0.0
                  for r, res in zip(test, results)) / len(test)
    assert quality == pytest.approx(cascade.quality)
    assert any(res.model_used == "strong" and len(res.calls) == 1 for res in results)


def records_by_id(records: list[TraceRecord]) -> dict[str, TraceRecord]:
    return {r.id: r for r in records}


def test_the_agent_sends_a_query_left_undrafted_straight_to_the_last_model() -> None:
    fake = FakeProvider({"cheap": ["A."], "middle": ["B."], "strong": ["C."]})
    nothing_drafted = QualityConfig(pre_router=PreRouter(None, 0.0, 0.0))
    agent = CascadeAgent(list(CHAIN), quality_config=nothing_drafted, provider=fake, pricing=ConfiguredPricing())
    result = agent.run_sync("Which one?")
    assert result.model_used == "strong" and [c.model for c in result.calls] == ["strong"]


def test_a_draft_as_good_as_the_last_models_answer_counts_as_good() -> None:
    records = [TraceRecord(id=f"g{i}", messages=(Message("user", f"Q{i}?"),), responses={
        "cheap": RecordedResponse("a", 1, 1, cost_usd=0.001, score=0.5),
        "middle": RecordedResponse("b", 1, 1, cost_usd=0.002, score=0.4),
        "strong": RecordedResponse("c", 1, 1, cost_usd=0.01, score=0.5)}) for i in range(3)]
    queries = asyncio.run(CalibrateChain(cascade_factory(records))._queries(records, CHAIN, QualityConfig()))
    assert [tuple(d.good for d in q.drafts) for q in queries] == [(True, False)] * 3


def test_a_query_s_drafts_share_a_fold() -> None:
    items = [f"q{i}\x1f{step}" for i in range(40) for step in range(3)]

    def fit(train: list[str], strength: float) -> set[str]:
        return {item.split("\x1f")[0] for item in train}

    def score(trained: set[str], item: str) -> float:
        assert item.split("\x1f")[0] not in trained  # no query seen in training is scored
        return 0.5

    cross_fit(items, lambda i: i, [True, False] * 60, fit, score, (1.0,), 5,
              group_of=lambda i: i.split("\x1f")[0])


def test_random_escalation_takes_the_cheapest_rate_even_where_a_middle_model_is_best() -> None:
    # every query alike: drafts of quality 0.6 and 1.0, the last model 0.65. Quality at
    # acceptance a, 0.6a + a(1-a) + 0.65(1-a)^2, rises then falls: 0.7 is reached for a
    # between 0.2265 and 0.6306, and the largest rate is the cheapest
    outcomes = [ChainOutcome(f"q{i}", (Step(0.6, 1.0), Step(1.0, 2.0)), Step(0.65, 10.0)) for i in range(10)]
    point = chain_random(outcomes, 0.7)
    accept = (0.3 + math.sqrt(0.09 - 0.07)) / 0.7
    assert point.quality == pytest.approx(0.7, abs=1e-6)
    assert point.escalation_share == pytest.approx((1 - accept) ** 2, abs=1e-6)
    assert point.cost == pytest.approx(10 * (1.0 + (1 - accept) * 2.0 + (1 - accept) ** 2 * 10.0), rel=1e-6)
    # out of reach: the best quality any rate gives
    assert chain_random(outcomes, 0.9).quality == pytest.approx(max(
        0.6 * a + a * (1 - a) + 0.65 * (1 - a) ** 2 for a in (i / 200 for i in range(201))))


def test_the_perfect_router_reaches_a_graded_quality_a_single_move_would_miss() -> None:
    # the middle model gains most per dollar, the last one gains most: asking for more than
    # the middle model gives takes some queries on to the last
    outcomes = [ChainOutcome(f"q{i}", (Step(0.2, 1.0), Step(0.6, 2.0)), Step(1.0, 10.0)) for i in range(10)]
    point = chain_oracle(outcomes, 0.8)
    assert point.quality >= 0.8 - 1e-9
    assert point.escalation_share == pytest.approx(0.5)  # half the queries moved on to the last model
