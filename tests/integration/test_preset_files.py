"""Presets as files in the gateway's config format: saved and loaded back (TOML and
YAML), served by the gateway, with a calibration applied on top, and run from the CLI
against an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cascadeflow import CascadeAgent, CascadePreset, ModelConfig
from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.entrypoints.rest.config import load_config
from cascadeflow.entrypoints.cli.main import app
from cascadeflow.entrypoints.rest.gateway import Gateway
from cascadeflow.entrypoints.rest.setup import resolve_setup
from cascadeflow.quality import load_quality_config
from cascadeflow.routing import CODE_DOMAIN_STRATEGY, CascadeStep, DomainCascadeStrategy
from cascadeflow.telemetry import CostTracker
from cascadeflow.utils.presets_v2 import (
    BUILTIN_PRESETS,
    PRESET_COST_OPTIMIZED_SAAS,
    PRESET_ENTERPRISE_GRADE,
    PRESET_PRODUCTION_READY,
    load_preset,
    save_preset,
)

from .openai_server import OpenAIServer, Reply

runner = CliRunner()


@pytest.fixture(autouse=True)
def _database_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/usage.db"
    monkeypatch.setenv("CASCADEFLOW_DATABASE_URL", url)
    return url


def settings(preset: CascadePreset) -> dict[str, Any]:
    """What a file keeps of a preset: everything but tier descriptions."""
    strategies = {
        domain: (s.mode, s.description, [(st.model, st.provider, st.validation, st.max_retries,
                                          st.fallback_model, st.description, st.cost) for st in s.steps])
        for domain, s in (preset.domain_strategies or {}).items()
    }
    tiers = {t: (p.allowed_models, p.max_cost_per_query)
             for t, p in preset.resolved_tier_policies().items()} if preset.enable_user_tiers else {}
    return {
        "fields": replace(preset, domain_strategies=None, tier_policies=None),
        "strategies": strategies,
        "tiers": tiers,
    }


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
@pytest.mark.parametrize("preset", BUILTIN_PRESETS.values(), ids=list(BUILTIN_PRESETS))
def test_save_and_load_keep_the_whole_preset(preset: CascadePreset, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"preset{suffix}"
    save_preset(preset, path)
    loaded = load_preset(path)
    assert settings(loaded) == settings(preset)


def test_a_saved_preset_is_a_config_the_gateway_serves(tmp_path: Path) -> None:
    path = tmp_path / "enterprise.toml"
    save_preset(BUILTIN_PRESETS["enterprise_grade"], path)

    gateway = Gateway(resolve_setup(path, None, {"CASCADEFLOW_GATEWAY_KEY": "cf-admin"}))

    assert "enterprise_grade" in gateway.model_ids()
    assert gateway.config.presets["enterprise_grade"] == [m.name for m in BUILTIN_PRESETS["enterprise_grade"].models]
    assert gateway.config.tiers["free"].max_cost_per_query == 0.005
    assert gateway.config.default_budget is not None and gateway.config.default_budget.daily == 100.0


def test_any_gateway_config_loads_as_a_preset(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text("""
database_url = "memory"
[quality]
threshold = 0.7
[[models]]
name = "gpt-4o-mini"
api_key = "${UPSTREAM_KEY}"
[[models]]
name = "gpt-4o"
[domains]
code = ["gpt-4o"]
[tiers.free]
models = ["gpt-4o-mini"]
max_cost_per_query = 0.002
[tiers.pro]
[default_budget]
daily = 0.5
""")
    preset = load_preset(path, {"UPSTREAM_KEY": "sk-up"})

    assert preset.name == "gateway" and preset.database_url == "memory"
    assert [m.name for m in preset.models] == ["gpt-4o-mini", "gpt-4o"]
    assert preset.models[0].api_key == "sk-up" and preset.models[1].domains == ("code",)
    assert preset.default_budget_daily == 0.5 and preset.quality_threshold == 0.7
    assert preset.enable_user_tiers and preset.resolved_tier_policies()["pro"].allowed_models == (
        "gpt-4o-mini", "gpt-4o")
    agent = CascadeAgent(**preset.to_agent_config())
    assert agent.quality_config.min_score == 0.7 and agent.tier_router is not None


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
@pytest.mark.parametrize("preset", [PRESET_COST_OPTIMIZED_SAAS, PRESET_ENTERPRISE_GRADE],
                         ids=["cost_optimized_saas", "enterprise_grade"])
def test_tier_budgets_are_saved_in_the_gateways_tiers(
    preset: CascadePreset, suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"preset{suffix}"
    save_preset(preset, path)

    config = load_config(path, {})  # still a gateway config, which enforces the budgets
    assert config.tier_budgets() == dict(preset.tier_budgets or {})
    assert {t: s.budget.daily for t, s in config.tiers.items() if s.budget} == {
        t: b.daily for t, b in (preset.tier_budgets or {}).items()}
    assert "tier_budgets" not in (config.preset or {})  # written once, under [tiers]
    assert load_preset(path).tier_budgets == preset.tier_budgets


def test_a_gateway_tier_budget_is_the_presets_tier_budget(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text("""
[[models]]
name = "gpt-4o-mini"
[tiers.free]
models = ["gpt-4o-mini"]
[tiers.free.budget]
daily = 0.1
[tiers.pro]
""")
    preset = load_preset(path)

    assert preset.tier_budgets == {"free": BudgetConfig(daily=0.1)}
    assert preset.enable_user_tiers and set(preset.resolved_tier_policies()) == {"free", "pro"}
    agent = CascadeAgent(**preset.to_agent_config(store="memory"))
    assert agent.tier_router is not None


def test_older_files_with_tier_budgets_in_the_preset_section_still_load(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text("""
[[models]]
name = "gpt-4o-mini"
[tiers.free]
[tiers.pro.budget]
weekly = 5.0
[preset]
name = "old"
enable_user_tiers = true
[preset.tier_budgets.free]
daily = 0.5
[preset.tier_budgets.pro]
daily = 9.0
""")
    preset = load_preset(path)  # a tier's own budget wins, as in the gateway
    assert preset.tier_budgets == {"free": BudgetConfig(daily=0.5), "pro": BudgetConfig(weekly=5.0)}

    save_preset(preset, tmp_path / "new.toml")  # saved again: the budgets move to [tiers]
    resaved = load_config(tmp_path / "new.toml", {})
    assert "tier_budgets" not in (resaved.preset or {})
    assert resaved.tier_budgets() == preset.tier_budgets
    assert load_preset(tmp_path / "new.toml").tier_budgets == preset.tier_budgets


def test_tier_budgets_without_user_tiers_round_trip(tmp_path: Path) -> None:
    preset = CascadePreset("budgets_only", "d", [ModelConfig("gpt-4o-mini"), ModelConfig("gpt-4o")],
                           tier_budgets={"free": BudgetConfig(daily=0.2, total=3.0)})
    path = tmp_path / "budgets.yaml"
    save_preset(preset, path)

    config = load_config(path, {})
    assert config.tiers["free"].models is None and config.tiers["free"].max_cost_per_query is None
    assert load_preset(path) == preset  # budget-only tiers are no tier policies


def test_a_calibration_applies_on_top_of_a_preset(tmp_path: Path) -> None:
    calibrated = tmp_path / "calibrated.json"
    outcome = runner.invoke(app, ["simulate", "--trace", "gsm8k", "--calibrate",
                                  "--save-config", str(calibrated)])
    assert outcome.exit_code == 0, outcome.output
    expected = load_quality_config(calibrated)

    in_code = PRESET_PRODUCTION_READY.with_quality(str(calibrated))
    assert CascadeAgent(**in_code.to_agent_config(store="memory")).quality_config == expected

    path = tmp_path / "production.toml"
    save_preset(replace(PRESET_PRODUCTION_READY, quality_validation_mode="calibrated.json"), path)
    from_file = load_preset(path)  # the calibration is found next to the preset file
    assert from_file.quality_validation_mode == str(calibrated)
    assert from_file.quality_config() == expected


def test_python_validators_cannot_be_saved(tmp_path: Path) -> None:
    def mine(text: str) -> bool:
        return "def " in text

    custom = DomainCascadeStrategy("code", (CascadeStep("gpt-4o-mini", validation=mine),))
    preset = CascadePreset("custom", "d", [ModelConfig("gpt-4o-mini")],
                           domain_strategies={"code": custom, "builtin": CODE_DOMAIN_STRATEGY})
    with pytest.raises(ConfigurationError, match="code step 1: its validation .* is Python code"):
        save_preset(preset, tmp_path / "custom.toml")
    assert not (tmp_path / "custom.toml").exists()


def test_bad_preset_sections_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[models]]\nname = "gpt-4o-mini"\n[preset]\nname = "x"\nenable_user_tier = true\n')
    with pytest.raises(ConfigurationError, match="preset.enable_user_tier: Extra inputs"):
        load_preset(path)
    path.write_text('[[models]]\nname = "gpt-4o-mini"\n[preset]\nname = "x"\n'
                    'quality_validation_mode = "relaxed"\n')
    with pytest.raises(ConfigurationError, match="unknown quality_validation_mode 'relaxed'"):
        load_preset(path)


def test_cli_saves_a_preset_and_runs_it(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _database_in_tmp: str,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    path = tmp_path / "production.toml"
    saved = runner.invoke(app, ["presets", "production_ready", "--save", str(path)])
    assert saved.exit_code == 0, saved.output
    assert load_preset(path).models == PRESET_PRODUCTION_READY.models

    openai_server.script("gpt-4o-mini", Reply("Paris is the capital of France.", prompt_tokens=12,
                                              completion_tokens=8))
    outcome = runner.invoke(app, ["run", "What is the capital of France?", "--preset", str(path),
                                  "--quality", "fast", "--user", "alice",
                                  "--api-base", openai_server.base_url, "--json"])

    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout)
    assert result["content"] == "Paris is the capital of France." and result["model_used"] == "gpt-4o-mini"
    assert [r["model"] for r in openai_server.requests] == ["gpt-4o-mini"]
    summary = CostTracker(store=_database_in_tmp).get_user_summary("alice")
    assert result["total_cost"] > 0 and summary["total_cost"] == pytest.approx(result["total_cost"])

    openai_server.script("gpt-4o-mini", Reply("Paris.", prompt_tokens=12, completion_tokens=2))
    by_name = runner.invoke(app, ["run", "What is the capital of France?", "--preset",
                                  "production-ready", "--quality", "fast",
                                  "--api-base", openai_server.base_url])
    assert by_name.exit_code == 0, by_name.output
    assert "model used gpt-4o-mini" in by_name.stdout


def test_cli_run_needs_models_or_a_preset() -> None:
    neither = runner.invoke(app, ["run", "Hi"])
    both = runner.invoke(app, ["run", "Hi", "-m", "gpt-4o", "--preset", "production_ready"])
    assert neither.exit_code == both.exit_code == 2
    assert "--model (repeat it), or --preset NAME" in neither.output
