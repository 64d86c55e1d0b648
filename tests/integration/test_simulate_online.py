"""`cascadeflow simulate --online`: a trace replayed as live traffic, never reading a label."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascadeflow.bootstrap import online_simulation
from cascadeflow.entrypoints.cli.main import app

runner = CliRunner()
BUNDLED = Path(__file__).parents[2] / "src/cascadeflow/data/traces/gsm8k.jsonl.gz"


def gsm8k_rows(count: int) -> list[dict[str, object]]:
    with gzip.open(BUNDLED, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(count), handle)]


def write(rows: list[dict[str, object]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_shuffled_labels_give_the_same_decisions_and_costs(tmp_path: Path) -> None:
    rows = gsm8k_rows(400)
    shuffled = json.loads(json.dumps(rows))
    for model in ("mixtral-8x7b-instruct", "gpt-4-1106-preview"):
        labels = [r["responses"][model]["correct"] for r in rows]  # type: ignore[index]
        random.Random(7).shuffle(labels)
        for row, label in zip(shuffled, labels):
            row["responses"][model]["correct"] = label  # type: ignore[index]
    assert shuffled != rows
    reports = [asyncio.run(online_simulation(str(write(r, tmp_path / f"{name}.jsonl"))).run())
               for name, r in (("true", rows), ("shuffled", shuffled))]
    true, fake = reports
    assert true.decisions == fake.decisions and len(true.decisions) == 400
    assert true.online.cost == fake.online.cost
    assert true.online.escalation_share == fake.online.escalation_share
    assert [p.bound for p in true.stream] == [p.bound for p in fake.stream]
    assert true.online.quality != fake.online.quality  # the report did read the labels
    assert true.online.labels_read == fake.online.labels_read == 0


def test_json_block_and_baselines_on_the_bundled_trace() -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", "gsm8k", "--online", "--target-quality", "0.95",
                                  "--json"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)
    online = report["online"]
    assert {"quality", "relative_quality", "cost_reduction", "escalation_share", "shadow_share",
            "labels_read"} <= online.keys()
    assert online["labels_read"] == 0
    strategies = {s["name"]: s for s in report["strategies"]}
    verifier = strategies["always-verifier"]
    assert online["relative_quality"] == pytest.approx(online["quality"] / verifier["quality"])
    assert online["cost_reduction"] == pytest.approx(1 - online["total_cost"] / verifier["cost"])
    # the default holds the verifier's quality on GSM8K and costs less than random escalation
    assert online["relative_quality"] >= 0.95
    random_same = strategies["random escalation, same quality"]
    assert random_same["quality"] == pytest.approx(online["quality"])
    assert online["total_cost"] < random_same["cost"]
    assert strategies["perfect router, same quality"]["cost"] < online["total_cost"]
    assert report["stream"][-1]["queries"] == report["queries"] == 1307


def test_a_chain_of_three_models(tmp_path: Path) -> None:
    rows = gsm8k_rows(120)
    for row in rows:
        responses = row["responses"]
        strong = dict(responses["gpt-4-1106-preview"])  # type: ignore[index]
        strong["cost_usd"] = float(strong["cost_usd"]) * 3  # type: ignore[arg-type]
        responses["gpt-4-huge"] = strong  # type: ignore[index]
    path = write(rows, tmp_path / "chain.jsonl")
    outcome = runner.invoke(app, ["simulate", "--trace", str(path), "--online", "--json", "--models",
                                  "mixtral-8x7b-instruct,gpt-4-1106-preview,gpt-4-huge"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)
    assert report["models"] == ["mixtral-8x7b-instruct", "gpt-4-1106-preview", "gpt-4-huge"]
    assert report["online"]["relative_quality"] >= 0.9
    # each draft's plan: the middle model always agrees with the strongest (the same
    # answers), so it takes most of the chain's allowance and answers most queries
    plans = {p["model"]: p for p in report["draft_plans"]}
    assert list(plans) == ["mixtral-8x7b-instruct", "gpt-4-1106-preview"]
    assert plans["gpt-4-1106-preview"]["accepted_share"] > 0.8
    shares = [next(n for n in p["notes"] if "chain's quality allowance" in n) for p in plans.values()]
    assert [int(s.split("%")[0]) for s in shares][1] >= 50


@pytest.mark.parametrize("args,fragment", [
    (["--online", "--calibrate"], "leave out"),
    (["--online", "--models", "gpt-4-1106-preview,mixtral-8x7b-instruct"], "cheapest first"),
    (["--online", "--target-quality", "1.2"], "target_quality"),
    (["--shadow-share", "0.2"], "needs --online"),
    (["--calibrate", "--models", "mixtral-8x7b-instruct,gpt-4-1106-preview,gpt-4-1106-preview"],
     "different models"),
])
def test_bad_online_options_are_clear_errors(args: list[str], fragment: str) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", "gsm8k", *args])
    assert outcome.exit_code == 2, outcome.output
    assert fragment in outcome.output


def test_plot_of_the_stream(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "online.png"
    outcome = runner.invoke(app, ["simulate", "--trace", "mtbench", "--online", "--plot", str(path)])
    assert outcome.exit_code == 0, outcome.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "online cascade" in outcome.stdout


def test_a_recorded_confidence_is_a_signal_the_policy_uses(tmp_path: Path) -> None:
    """Drafts that say they are sure agree with the verifier; unsure ones mostly do not."""
    rng = random.Random(3)
    rows = []
    for i in range(1500):
        sure = rng.random() < 0.7
        right = rng.random() < (0.97 if sure else 0.3)
        key = "ABCD"[i % 4]
        draft = key if right else "ABCD"[(i + 1) % 4]
        query = f"Question {i}: which option?\nA. one\nB. two\nC. three\nD. four\nAnswer:"
        rows.append({"id": f"mc-{i}", "query": query, "responses": {
            "small": {"text": f"The answer is ({draft})", "cost_usd": 0.0001, "correct": right,
                      "confidence": round(rng.uniform(0.85, 0.99) if sure else rng.uniform(0.3, 0.6), 3)},
            "large": {"text": f"The answer is ({key})", "cost_usd": 0.002, "correct": True}}})
    report = asyncio.run(online_simulation(str(write(rows, tmp_path / "mc.jsonl"))).run())
    accepted = {"sure": [0, 0], "unsure": [0, 0]}
    for row, (called, _) in zip(rows[500:], report.decisions[500:]):
        kind = "sure" if row["responses"]["small"]["confidence"] > 0.8 else "unsure"  # type: ignore[index]
        accepted[kind][0] += called == ("small",)
        accepted[kind][1] += 1
    sure, unsure = (a / n for a, n in accepted.values())
    assert sure > 0.6 and unsure < 0.2
    assert report.online.relative_quality >= 0.95
    assert report.captured > 0.3


def test_plain_simulate_runs_a_chain_too(tmp_path: Path) -> None:
    rows = gsm8k_rows(60)
    for row in rows:
        strong = dict(row["responses"]["gpt-4-1106-preview"])  # type: ignore[index]
        strong["cost_usd"] = float(strong["cost_usd"]) * 3  # type: ignore[arg-type]
        row["responses"]["gpt-4-huge"] = strong  # type: ignore[index]
    path = write(rows, tmp_path / "chain.jsonl")
    outcome = runner.invoke(app, ["simulate", "--trace", str(path), "--json", "--quality", "fast", "--models",
                                  "mixtral-8x7b-instruct,gpt-4-1106-preview,gpt-4-huge"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)
    assert (report["drafter"], report["verifier"]) == ("mixtral-8x7b-instruct", "gpt-4-huge")
    figures = {s["name"]: s for s in report["strategies"]}
    assert figures["always-verifier"]["total_cost"] > figures["always-drafter"]["total_cost"]


def test_recorded_second_samples_replay_and_are_not_counted_as_checks(tmp_path: Path) -> None:
    rows = gsm8k_rows(2000)  # the whole bundled trace
    for row in rows:  # a second sample that repeats a right answer and wanders off a wrong one
        draft = row["responses"]["mixtral-8x7b-instruct"]  # type: ignore[index]
        draft["samples"] = [draft["text"] if draft["correct"] else "The answer is 123456."]
    path = write(rows, tmp_path / "samples.jsonl")
    twice = runner.invoke(app, ["simulate", "--trace", str(path), "--online", "--draft-samples", "2", "--json"])
    once = runner.invoke(app, ["simulate", "--trace", str(path), "--online", "--json"])
    assert twice.exit_code == 0 and once.exit_code == 0, twice.output + once.output
    two, one = json.loads(twice.output)["online"], json.loads(once.output)["online"]
    # a second sample is a call of the drafter, never a check by the verifier
    assert two["shadow_share"] <= 0.05
    # the signal tells right drafts from wrong ones: more quality kept, fewer escalations
    assert two["relative_quality"] > one["relative_quality"]
    assert two["escalation_share"] < one["escalation_share"]
    refused = runner.invoke(app, ["simulate", "--trace", str(path), "--draft-samples", "2"])
    assert refused.exit_code != 0 and "needs --online" in refused.output


def test_recorded_samples_change_nothing_in_plain_and_calibrated_replays(tmp_path: Path) -> None:
    rows = gsm8k_rows(120)
    plain = write(rows, tmp_path / "plain.jsonl")
    for row in rows:  # a second sample that would sink every draft if it were served as the answer
        row["responses"]["mixtral-8x7b-instruct"]["samples"] = ["I'm not sure."]  # type: ignore[index]
    sampled = write(rows, tmp_path / "sampled.jsonl")
    for args in ([], ["--calibrate"]):
        a = runner.invoke(app, ["simulate", "--trace", str(plain), "--json", *args])
        b = runner.invoke(app, ["simulate", "--trace", str(sampled), "--json", *args])
        assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
        assert json.loads(a.output) == json.loads(b.output)
