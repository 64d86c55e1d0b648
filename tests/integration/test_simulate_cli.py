"""`cascadeflow simulate` end to end: a trace on disk, the CLI, the printed figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascadeflow.entrypoints.cli.main import app

runner = CliRunner()


def response(text: str, correct: bool, cost: float) -> dict[str, object]:
    return {"text": text, "input_tokens": 10, "output_tokens": 10, "cost_usd": cost, "correct": correct}


@pytest.fixture
def trace(tmp_path: Path) -> Path:
    """Four queries with known right answers: the cascade keeps 2 drafts and escalates 2."""
    rows = [
        ("7 + 0?", response("The answer is 7.", True, 0.001), response("7", True, 0.01)),
        ("7 + 1?", response("The answer is 9.", False, 0.001), response("8", True, 0.01)),
        ("7 + 2?", response("I'm not sure.", False, 0.001), response("9", True, 0.01)),
        ("7 + 3?", response("", False, 0.001), response("11", False, 0.01)),
    ]
    path = tmp_path / "known.jsonl"
    path.write_text("".join(
        json.dumps({"id": f"k{i}", "query": q, "responses": {"small": d, "large": v}}) + "\n"
        for i, (q, d, v) in enumerate(rows)))
    return path


def test_json_figures_for_a_trace_with_known_answers(trace: Path) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--json"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)
    figures = {s["name"]: s for s in report["strategies"]}
    assert report["drafter"] == "small" and report["verifier"] == "large"
    assert figures["always-drafter"]["quality"] == 0.25
    assert figures["always-verifier"]["quality"] == 0.75
    assert figures["cascade"]["quality"] == 0.5
    assert figures["cascade"]["escalation_rate"] == 0.5
    assert figures["cascade"]["total_cost"] == pytest.approx(0.024)
    assert figures["cascade"]["savings_vs_verifier"] == pytest.approx(0.4)


def test_table_output(trace: Path) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--drafter", "small",
                                  "--verifier", "large"])
    assert outcome.exit_code == 0, outcome.output
    for text in ("always-drafter", "always-verifier", "cascade", "50.0%", "40.0%"):
        assert text in outcome.stdout


def test_threshold_escalates_more(trace: Path, tmp_path: Path) -> None:
    # with logprobs in the draft, a threshold above its confidence forces escalation
    rows = [json.loads(line) for line in trace.read_text().splitlines()]
    rows[0]["responses"]["small"]["logprobs"] = [-0.5, -0.5]  # confidence 0.61
    trace.write_text("".join(json.dumps(r) + "\n" for r in rows))
    loose = json.loads(runner.invoke(app, ["simulate", "--trace", str(trace), "--json"]).stdout)
    strict = json.loads(runner.invoke(app, ["simulate", "--trace", str(trace), "--json",
                                            "--threshold", "0.9"]).stdout)
    rate = {r: next(s for s in rep["strategies"] if s["name"] == "cascade")["escalation_rate"]
            for r, rep in (("loose", loose), ("strict", strict))}
    assert rate == {"loose": 0.5, "strict": 0.75}


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--drafter", "nobody"], "has no answers in this trace"),
        (["--drafter", "large", "--verifier", "small"], "swap them"),
    ],
)
def test_bad_model_names_give_a_clear_error(trace: Path, args: list[str], fragment: str) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), *args])
    assert outcome.exit_code == 2
    assert fragment in outcome.output


def test_missing_trace_is_a_clear_error() -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", "no/such/file.jsonl"])
    assert outcome.exit_code == 2 and "not found" in outcome.output


def test_installed_command_replays_the_bundled_trace_offline() -> None:
    """The console script itself, in a fresh process, with no network configured."""
    env = {**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    command = [sys.executable, "-m", "cascadeflow.entrypoints.cli.main", "simulate", "--trace", "gsm8k",
               "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["queries"] == 1307
    figures = {s["name"]: s for s in report["strategies"]}
    assert figures["always-verifier"]["quality"] == pytest.approx(0.858, abs=0.0005)
    assert figures["always-drafter"]["quality"] == pytest.approx(0.637, abs=0.0005)
    assert 0 < figures["cascade"]["savings_vs_verifier"] < 1


def test_recorded_costs_need_no_price_for_models_unknown_to_litellm(tmp_path: Path) -> None:
    """Every answer carries its cost and no tokens: the costs are used as recorded, and
    neither model needs a price in LiteLLM's map."""
    small, large = "mistralai/mixtral-8x7b-chat", "acme/unlisted-large-v9"
    rows = [
        {"id": "u0", "query": "2 + 2?", "responses": {
            small: {"text": "4", "cost_usd": 0.0002, "correct": True},
            large: {"text": "4", "cost_usd": 0.003, "correct": True}}},
        {"id": "u1", "query": "3 + 5?", "responses": {
            small: {"text": "I'm not sure.", "cost_usd": 0.0004, "correct": False},
            large: {"text": "8", "cost_usd": 0.005, "correct": True}}},
    ]
    path = tmp_path / "unlisted.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    outcome = runner.invoke(app, ["simulate", "--trace", str(path), "--json"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)
    assert (report["drafter"], report["verifier"]) == (small, large)
    figures = {s["name"]: s for s in report["strategies"]}
    assert figures["always-drafter"]["total_cost"] == pytest.approx(0.0006)
    assert figures["always-verifier"]["total_cost"] == pytest.approx(0.008)
    # the hedging draft is escalated: both its calls are paid, at their recorded costs
    assert figures["cascade"]["total_cost"] == pytest.approx(0.0002 + 0.0004 + 0.005)
    assert figures["cascade"]["quality"] == 1.0


def test_an_answer_with_tokens_and_no_cost_still_needs_a_price(tmp_path: Path) -> None:
    rows = [{"id": "t0", "query": "2 + 2?", "responses": {
        "acme/unlisted-small": {"text": "4", "input_tokens": 5, "output_tokens": 1, "correct": True},
        "acme/unlisted-large": {"text": "4", "input_tokens": 5, "output_tokens": 1, "correct": True}}}]
    path = tmp_path / "tokens-only.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    outcome = runner.invoke(app, ["simulate", "--trace", str(path), "--json"])
    assert outcome.exit_code == 2
    assert "no price for model" in outcome.output
