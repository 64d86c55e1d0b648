"""`cascadeflow presets`: the five built-in presets with what they are for, their models
and their budgets; one in detail."""

from __future__ import annotations

from typer.testing import CliRunner

from cascadeflow.entrypoints.cli.main import app
from cascadeflow.utils.presets_v2 import BUILTIN_PRESETS

runner = CliRunner()


def test_lists_the_five_with_description_models_and_budgets() -> None:
    outcome = runner.invoke(app, ["presets"])
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    for preset in BUILTIN_PRESETS.values():
        assert f"{preset.name}  {preset.description}" in lines
        for model in preset.models:
            assert model.name in outcome.stdout
    assert "  models   gpt-4o-mini -> claude-haiku-4-5 -> gpt-4o" in lines  # cheapest first
    assert "  budgets  $10.00/day per user" in lines
    assert ("  budgets  $1.00/day per user, free $0.10/day, pro $1.00/day, enterprise $10.00/day"
            in lines)


def test_one_preset_in_detail() -> None:
    outcome = runner.invoke(app, ["presets", "medical-ai"])
    assert outcome.exit_code == 0, outcome.output
    assert "  features quality strict + ML score, domain routing, multi-step medical" in outcome.stdout
    assert "  strategy medical (pipeline):" in outcome.stdout
    assert "    2. medlm-large, else gpt-4o; checked by citation_validator" in outcome.stdout
    tiers = runner.invoke(app, ["presets", "enterprise_grade"]).stdout
    assert "  tier free: deepseek-coder, llama-3.3-70b-versatile, at most $0.005 a query" in tiers


def test_unknown_preset_lists_the_known_ones() -> None:
    outcome = runner.invoke(app, ["presets", "cheapest"])
    assert outcome.exit_code == 2
    assert "unknown preset 'cheapest'" in outcome.output and "production_ready" in outcome.output
