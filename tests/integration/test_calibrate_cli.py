"""`cascadeflow simulate --calibrate` end to end: a trace on disk, the CLI, the JSON, the
plot, and a saved config that the agent and the simulator load back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.bootstrap import load_trace, simulation
from cascadeflow.domain.calibration import in_calibration_half
from cascadeflow.entrypoints.cli.main import app
from cascadeflow.quality import load_quality_config
from cascadeflow.testing import ConfiguredPricing, FakeProvider

runner = CliRunner()


def response(text: str, correct: bool, cost: float) -> dict[str, object]:
    return {"text": text, "input_tokens": 20, "output_tokens": 30, "cost_usd": cost, "correct": correct}


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 distinct word problems (replay finds answers by query): the small model's wrong
    drafts show wrong arithmetic or guess."""
    rows = []
    for i in range(240):
        a, b = i % 11 + 2, i % 13 + 3
        query = f"Order {i}: Ann buys {a} packs of {b} pens. How many pens does she have?"
        kind = i % 4
        if kind == 0:
            draft = response(f"{a} * {b} = {a * b + 1} pens.\n#### {a * b + 1}", False, 0.0001)
        elif kind == 1 and i % 8 == 1:
            draft = response(f"Roughly {a * b + 2} pens, I guess.", False, 0.0001)
        else:
            draft = response(f"{a} packs of {b}: {a} * {b} = {a * b} pens.\n#### {a * b}", True, 0.0001)
        strong = response(f"#### {a * b}", True, 0.01)
        rows.append({"id": f"p{i}", "query": query, "responses": {"small": draft, "large": strong}})
    path = tmp_path_factory.mktemp("traces") / "pens.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def calibrated(trace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path]:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("out")
    config, plot = folder / "calibrated.json", folder / "curve.png"
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--calibrate", "--learned",
                                  "--pre-route", "--target-quality", "1.0", "--json",
                                  "--save-config", str(config), "--plot", str(plot)])
    assert outcome.exit_code == 0, outcome.output
    return json.loads(outcome.stdout), config, plot


def test_reports_the_test_half_beside_random_and_oracle(calibrated: tuple) -> None:  # type: ignore[type-arg]
    report = calibrated[0]
    assert report["calibration_size"] + report["test_size"] == 240
    assert report["reached_target_on_calibration"]
    names = {c["name"] for c in report["candidates"]}
    assert {"rules only", "prior score", "fitted score", "learned scorer",
            "learned scorer + pre-routing"} <= names
    cascade, verifier = report["test"]["cascade"], report["test"]["always-verifier"]
    # every wrong draft shows wrong arithmetic or a guess: nothing wrong needs to get through
    assert cascade["quality"] / verifier["quality"] == 1.0
    assert cascade["savings_vs_verifier"] > report["random_same_quality"]["cost_reduction"]
    assert report["oracle_same_quality"]["cost_reduction"] >= cascade["savings_vs_verifier"]
    assert 0 < report["captured_share_of_oracle_saving"] <= 1
    assert 0.5 < report["signals_auc_calibration_half"]["prior score"] <= 1


def test_plot_is_a_png(calibrated: tuple) -> None:  # type: ignore[type-arg]
    assert calibrated[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_saved_config_replays_to_the_reported_test_figures(calibrated: tuple, trace: Path) -> None:  # type: ignore[type-arg]
    report, path, _ = calibrated
    config = load_quality_config(path)
    assert config.min_score == pytest.approx(report["chosen"]["threshold"])
    sim = simulation(str(trace), quality=config)
    test_half = [r for r in load_trace(str(trace)) if not in_calibration_half(r.id)]
    again = asyncio.run(sim.use_case.execute(test_half, sim.drafter, sim.verifier))
    assert again.figures("cascade").escalation_rate == pytest.approx(
        report["test"]["cascade"]["escalation_rate"])
    assert json.loads(path.read_text())["about"]["trace"] == str(trace)


def test_saved_config_loads_into_the_agent_and_the_simulator(calibrated: tuple, trace: Path) -> None:  # type: ignore[type-arg]
    path = calibrated[1]
    fake = FakeProvider({"small": ["3 * 4 = 13 pens.\n#### 13"], "large": ["#### 12"]})
    agent = CascadeAgent([ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)],
                         quality_config=str(path), provider=fake, pricing=ConfiguredPricing())
    question = "Order 7: Ann buys 3 packs of 4 pens. How many pens does she have?"
    assert agent.run_sync(question).model_used == "large"
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--quality", str(path), "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout)["queries"] == 240


def test_table_output_names_every_strategy(trace: Path) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--calibrate"],
                            env={"COLUMNS": "200"})
    assert outcome.exit_code == 0, outcome.output
    for text in ("always-drafter", "cascade (chosen)", "random escalation", "perfect router",
                 "prior score", "test half"):
        assert text in outcome.stdout


def test_calibration_options_need_calibrate(trace: Path) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--plot", "x.png"])
    assert outcome.exit_code == 2 and "--calibrate" in outcome.output


def test_a_preset_can_be_simulated(trace: Path) -> None:
    loose = json.loads(runner.invoke(app, ["simulate", "--trace", str(trace), "--json",
                                           "--quality", "fast"]).stdout)
    strict = json.loads(runner.invoke(app, ["simulate", "--trace", str(trace), "--json",
                                            "--quality", "strict"]).stdout)
    rate = {n: next(s for s in r["strategies"] if s["name"] == "cascade")["escalation_rate"]
            for n, r in (("fast", loose), ("strict", strict))}
    assert rate["fast"] < rate["strict"]


@pytest.mark.parametrize("confidence", ["0.8", "0"])
def test_the_confidence_margin_round_trips_in_the_saved_config(trace: Path, tmp_path: Path,
                                                               confidence: str) -> None:
    path = tmp_path / "calibrated.json"
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--calibrate", "--json",
                                  "--target-quality", "0.95", "--confidence", confidence,
                                  "--save-config", str(path)])
    assert outcome.exit_code == 0, outcome.output
    report, about = json.loads(outcome.stdout), json.loads(path.read_text())["about"]
    assert report["confidence"] == about["confidence"] == float(confidence)
    chosen = about["chosen"]
    assert chosen == report["chosen"]
    assert chosen["calibration"]["relative_quality_bound"] >= 0.95
    if float(confidence) == 0:
        assert chosen["calibration"]["relative_quality_bound"] == chosen["calibration"]["relative_quality"]
    assert load_quality_config(path).min_score == pytest.approx(chosen["threshold"])


def test_fitted_scorers_report_the_penalty_cross_validation_chose(calibrated: tuple) -> None:  # type: ignore[type-arg]
    from cascadeflow.adapters.learned_scorer import SklearnScorerTrainer
    from cascadeflow.domain.scoring import L2_STRENGTHS

    penalties = {c["name"]: c["regularisation"] for c in calibrated[0]["candidates"]}
    assert penalties["rules only"] is None and penalties["prior score"] is None
    assert penalties["fitted score"] in L2_STRENGTHS
    assert penalties["learned scorer"] in SklearnScorerTrainer().strengths


def test_confidence_needs_calibrate(trace: Path) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--confidence", "0.5"])
    assert outcome.exit_code == 2 and "--calibrate" in outcome.output


def test_models_name_the_drafter_and_the_verifier_of_a_calibration(trace: Path) -> None:
    def calibrate(*models: str) -> dict:  # type: ignore[type-arg]
        outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--calibrate", "--json", *models])
        assert outcome.exit_code == 0, outcome.output
        return json.loads(outcome.stdout)  # type: ignore[no-any-return]

    named = calibrate("--models", "small,large")
    assert named == calibrate("--drafter", "small", "--verifier", "large")
    assert (named["drafter"], named["between"], named["verifier"]) == ("small", [], "large")
    for wrong, why in ((["--models", "small,large,small"], "different models"),
                       (["--models", "small,large", "--drafter", "small"], "not both")):
        outcome = runner.invoke(app, ["simulate", "--trace", str(trace), "--calibrate", *wrong],
                                env={"COLUMNS": "200"})
        assert outcome.exit_code != 0 and why in outcome.output


@pytest.fixture(scope="module")
def chain_trace(trace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pens trace with a middle model between small and large: right wherever small
    is, and on half of the rest."""
    rows = [json.loads(line) for line in trace.read_text().splitlines()]
    for i, row in enumerate(rows):
        small, large = row["responses"]["small"], row["responses"]["large"]
        middle = dict(small if small["correct"] or i % 2 else large, cost_usd=0.001)
        row["responses"]["medium"] = middle
    path = tmp_path_factory.mktemp("traces") / "pens3.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_chain_of_three_models_is_calibrated_and_replayed(chain_trace: Path) -> None:
    outcome = runner.invoke(app, ["simulate", "--trace", str(chain_trace), "--calibrate", "--json",
                                  "--models", "small,medium,large", "--target-quality", "1.0"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.stdout)
    assert (report["drafter"], report["between"], report["verifier"]) == ("small", ["medium"], "large")
    cascade = report["test"]["cascade"]
    assert cascade["total_cost"] == pytest.approx(report["chosen"]["test"]["cost"])
    assert cascade["total_cost"] < report["test"]["always-verifier"]["total_cost"]
    assert report["reached_target_on_calibration"] and cascade["quality"] == 1.0
    table = runner.invoke(app, ["simulate", "--trace", str(chain_trace), "--calibrate",
                                "--models", "small,medium,large"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "a chain: small → medium → large" in table.output
    refused = runner.invoke(app, ["simulate", "--trace", str(chain_trace), "--calibrate", "--learned",
                                  "--models", "small,medium,large"], env={"COLUMNS": "200"})
    assert refused.exit_code == 2 and "--models DRAFTER,VERIFIER" in refused.output
