"""Simulation over an in-memory trace whose right answers are known."""

from __future__ import annotations

import pytest

from cascadeflow import ModelConfig
from cascadeflow.application.simulate import SimulateCascade
from cascadeflow.bootstrap import bootstrap
from cascadeflow.domain.messages import Message
from cascadeflow.domain.trace import RecordedResponse, TraceRecord
from cascadeflow.testing import ConfiguredPricing, ReplayProvider

DRAFTER = ModelConfig(name="cheap", provider="together_ai", cost=0.001)
VERIFIER = ModelConfig(name="strong", provider="openai", cost=0.01)


def record(i: int, draft: str, draft_ok: bool, strong_ok: bool = True) -> TraceRecord:
    return TraceRecord(
        id=f"q{i}",
        messages=(Message("user", f"question {i}"),),
        responses={
            "cheap": RecordedResponse(draft, 10, 10, cost_usd=0.001, correct=draft_ok),
            "strong": RecordedResponse("The answer is 7.", 10, 10, cost_usd=0.01, correct=strong_ok),
        },
    )


TRACE = [
    record(0, "The answer is 7.", True),
    record(1, "The answer is 8.", False),  # wrong but confident: accepted, counted wrong
    record(2, "I'm not sure, maybe 3.", False),  # hedging: escalated
    record(3, "", False, strong_ok=False),  # empty: escalated, verifier also wrong
]


async def test_three_way_figures() -> None:
    container = bootstrap(provider=ReplayProvider(TRACE), pricing=ConfiguredPricing())
    report = await SimulateCascade(container.run_cascade()).execute(TRACE, DRAFTER, VERIFIER)
    drafter, verifier, cascade = (report.figures(n) for n in ("always-drafter", "always-verifier", "cascade"))
    assert report.queries == 4 and report.quality_metric == "accuracy"
    assert drafter.quality == 0.25 and drafter.total_cost == pytest.approx(0.004)
    assert verifier.quality == 0.75 and verifier.total_cost == pytest.approx(0.04)
    # cascade: q0 draft right, q1 draft wrong, q2 and q3 escalated (q3 verifier wrong)
    assert cascade.quality == 0.5
    assert cascade.escalation_rate == 0.5
    assert cascade.total_cost == pytest.approx(4 * 0.001 + 2 * 0.01)
    assert cascade.savings_vs_verifier == pytest.approx(1 - 0.024 / 0.04)
    assert drafter.escalation_rate == 0.0 and verifier.savings_vs_verifier == 0.0


async def test_records_missing_a_model_are_skipped_and_counted() -> None:
    partial = TraceRecord(id="p", messages=(Message("user", "other"),),
                          responses={"cheap": RecordedResponse("x", correct=True)})
    records = [*TRACE, partial]
    container = bootstrap(provider=ReplayProvider(records), pricing=ConfiguredPricing())
    report = await SimulateCascade(container.run_cascade()).execute(records, DRAFTER, VERIFIER)
    assert report.queries == 4 and report.skipped == 1


async def test_scores_give_mean_score() -> None:
    scored = [
        TraceRecord(id=f"s{i}", messages=(Message("user", f"s{i}"),), responses={
            "cheap": RecordedResponse("fine answer", cost_usd=0.001, score=s),
            "strong": RecordedResponse("great answer", cost_usd=0.01, score=9.0)})
        for i, s in enumerate((6.0, 8.0))
    ]
    container = bootstrap(provider=ReplayProvider(scored), pricing=ConfiguredPricing())
    progress: list[int] = []
    report = await SimulateCascade(container.run_cascade()).execute(
        scored, DRAFTER, VERIFIER, on_progress=progress.append)
    assert report.quality_metric == "mean score"
    assert report.figures("always-drafter").quality == 7.0
    assert report.figures("always-verifier").quality == 9.0
    assert progress == [1, 1]


async def test_a_model_asked_again_answers_with_its_recorded_samples_in_turn() -> None:
    from cascadeflow.domain.messages import CompletionRequest

    record = TraceRecord("q", (Message("user", "2+2?"),),
                         {"m": RecordedResponse("4", samples=("four", "5"))})
    replay = ReplayProvider([record], samples=True)
    ask = CompletionRequest(model=ModelConfig(name="m", cost=0.001), messages=record.messages, max_tokens=10)
    assert [(await replay.complete(ask)).text for _ in range(4)] == ["4", "four", "5", "4"]
    # a plain replay (baselines share one provider) always answers with the answer
    assert [(await ReplayProvider([record]).complete(ask)).text for _ in range(2)] == ["4", "4"]
    plain = ReplayProvider([TraceRecord("p", (Message("user", "3+3?"),), {"m": RecordedResponse("6")})])
    again = CompletionRequest(model=ModelConfig(name="m", cost=0.001), messages=(Message("user", "3+3?"),),
                              max_tokens=10)
    assert [(await plain.complete(again)).text for _ in range(2)] == ["6", "6"]  # no samples: the answer


def test_a_trace_file_carries_samples(tmp_path: object) -> None:
    import json
    from pathlib import Path

    from cascadeflow.bootstrap import load_trace

    path = Path(str(tmp_path)) / "t.jsonl"
    path.write_text(json.dumps({"id": "a", "query": "2+2?", "responses": {
        "m": {"text": "4", "correct": True, "samples": ["four"]}}}) + "\n")
    (record,) = load_trace(str(path))
    assert record.responses["m"].samples == ("four",)
