"""Presets as config files in the gateway's format (TOML or YAML).

A saved preset is a valid ``cascadeflow serve --config`` file: its models, default
budget, tiers (with each tier's budget in ``[tiers.<t>.budget]``), quality threshold,
database and telemetry endpoint are the gateway's own sections, and the preset's models
are a gateway preset of its name. What only a CascadePreset has (its switches, domain
strategies, quality scores) goes in a ``[preset]`` section the gateway does not read.
Any gateway config loads as a preset; API keys are never written (use
``api_key = "${OPENAI_API_KEY}"`` in the file).

Tier budgets are written in one place only, ``[tiers.<t>.budget]``, which the gateway
enforces as it is. Files saved before kept them as ``[preset] tier_budgets``; those still
load, and a tier's own ``budget`` wins over them, as in the gateway
(``GatewayConfig.tier_budgets()``). A preset without user tiers gets budget-only tiers
(every model, no cap), which load back as no tier policies, so it round-trips unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cascadeflow.domain.budgets import BudgetConfig, Window
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.presets import is_quality_file
from cascadeflow.domain.strategies import CascadeStep, DomainCascadeStrategy
from cascadeflow.domain.tiers import TierModelPolicy
from cascadeflow.domain.validator_names import validation_by_name, validation_name
from cascadeflow.domain.validators import JudgeValidator
from cascadeflow.entrypoints.api.cascade_preset import CascadePreset
from cascadeflow.entrypoints.rest.config import GatewayConfig, load_config, parse_config
from cascadeflow.entrypoints.api.preset_settings import JudgeSettings, PresetSettings, StrategySettings


def load_preset(path: str | Path, environ: Mapping[str, str] | None = None) -> CascadePreset:
    """A preset from a config file; a calibration file it names is found relative to it."""
    path = Path(path)
    config = load_config(path, environ)
    return preset_from_config(config, name=path.stem, base=path.parent, source=str(path))


def save_preset(preset: CascadePreset, path: str | Path) -> None:
    """Write ``preset`` as TOML (*.toml) or YAML (*.yaml, *.yml)."""
    path = Path(path)
    raw = preset_to_raw(preset)
    parse_config(raw, {}, source=f"preset {preset.name!r}")  # what we write must load
    suffix = path.suffix.lower()
    if suffix == ".toml":
        import tomli_w

        text = f"# cascadeflow preset {preset.name!r}: cascadeflow run --preset {path.name}\n"
        text += tomli_w.dumps(raw)
    elif suffix in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    else:
        raise ConfigurationError(f"{path}: name the preset file *.toml, *.yaml or *.yml")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot write {path}: {exc.strerror or exc}") from exc


def preset_to_raw(preset: CascadePreset) -> dict[str, Any]:
    """The file's content as plain data (no None: TOML has no null)."""
    raw: dict[str, Any] = {}
    if preset.database_url is not None:
        raw["database_url"] = preset.database_url
    if preset.otel_endpoint is not None:
        raw["otel_endpoint"] = preset.otel_endpoint
    if preset.quality_threshold is not None:
        raw["quality"] = {"threshold": preset.quality_threshold}
    raw["models"] = [_model_raw(m) for m in preset.models]
    raw["presets"] = {preset.name: [m.name for m in preset.models]}
    domains: dict[str, list[str]] = {}
    for model in preset.models:
        for domain in model.domains:
            domains.setdefault(domain, []).append(model.name)
    if domains:
        raw["domains"] = domains
    budgets = {tier: _budget_raw(b) for tier, b in (preset.tier_budgets or {}).items()}
    if preset.enable_user_tiers or preset.tier_policies is not None:
        raw["tiers"] = {tier: _clean({"models": list(p.allowed_models),
                                      "max_cost_per_query": p.max_cost_per_query,
                                      "budget": budgets.get(tier)})
                        for tier, p in preset.resolved_tier_policies().items()}
    elif budgets:  # tiers that only give their users a budget, as the preset routes by none
        raw["tiers"] = {tier: {"budget": budget} for tier, budget in budgets.items()}
    if preset.default_budget_daily is not None:
        raw["default_budget"] = {"daily": preset.default_budget_daily}
    raw["preset"] = _preset_raw(preset)
    return raw


def preset_from_config(
    config: GatewayConfig, *, name: str, base: Path | None = None, source: str = "config"
) -> CascadePreset:
    """The preset a gateway config describes; ``name`` when it has no [preset] section."""
    try:
        settings = PresetSettings.model_validate(config.preset or {"name": name})
    except ValidationError as exc:
        lines = [f"  preset.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ConfigurationError(f"{source} is not a valid preset:\n" + "\n".join(lines)) from None
    tags: dict[str, list[str]] = {}
    for domain, names in config.domains.items():
        for model_name in names:
            tags.setdefault(model_name, []).append(domain)
    models = [
        replace(m.to_model_config(), domains=tuple(tags.get(m.name, ())),
                quality_score=settings.quality_scores.get(m.name))
        for m in config.models
    ]
    budget = config.default_budget.to_budget() if config.default_budget else None
    if budget is not None and set(budget.limits) - {Window.DAILY}:
        raise ConfigurationError(
            f"{source}: a preset's default budget is daily only; move weekly, monthly and "
            "total limits to [users] budgets, or drop them"
        )
    mode = settings.quality_validation_mode
    if base is not None and is_quality_file(mode) and not Path(mode).is_absolute():
        mode = str(base / mode)
    policies = {tier: TierModelPolicy(tier, tuple(t.models or [m.name for m in models]),
                                      t.max_cost_per_query)
                for tier, t in config.tiers.items()}
    if config.preset and not settings.enable_user_tiers and all(
            t.models is None and t.max_cost_per_query is None for t in config.tiers.values()):
        policies = {}  # budget-only tiers, as save_preset writes them for a preset without tiers
    tier_budgets = config.tier_budgets()  # [tiers.<t>.budget], else [preset] tier_budgets
    return CascadePreset(
        name=settings.name,
        description=settings.description,
        models=models,
        enable_cost_tracking=settings.enable_cost_tracking,
        default_budget_daily=budget.daily if budget is not None else None,
        enable_cost_forecasting=settings.enable_cost_forecasting,
        quality_validation_mode=mode,
        enable_ml_quality=settings.enable_ml_quality,
        enable_domain_routing=settings.enable_domain_routing,
        domain_strategies=None if settings.domain_strategies is None else {
            domain: _strategy(domain, s) for domain, s in settings.domain_strategies.items()},
        enable_user_tiers=settings.enable_user_tiers if config.preset else bool(policies),
        tier_budgets=tier_budgets or None,
        enable_multi_step_cascade=settings.enable_multi_step_cascade,
        tier_policies=policies or None,
        quality_threshold=config.quality.threshold,
        database_url=config.database_url.get_secret_value() if config.database_url else None,
        otel_endpoint=config.otel_endpoint,
    )


def _model_raw(model: ModelConfig) -> dict[str, Any]:
    return _clean({
        "name": model.name, "provider": model.provider, "cost": model.cost,
        "input_cost_per_token": model.input_cost_per_token,
        "output_cost_per_token": model.output_cost_per_token,
        "max_tokens": model.max_tokens, "api_base": model.api_base,
        "supports_logprobs": model.supports_logprobs or None,
    })


def _preset_raw(preset: CascadePreset) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "name": preset.name, "description": preset.description,
        "enable_cost_tracking": preset.enable_cost_tracking,
        "enable_cost_forecasting": preset.enable_cost_forecasting,
        "quality_validation_mode": preset.quality_validation_mode,
        "enable_ml_quality": preset.enable_ml_quality,
        "enable_domain_routing": preset.enable_domain_routing,
        "enable_user_tiers": preset.enable_user_tiers,
        "enable_multi_step_cascade": preset.enable_multi_step_cascade,
    }
    if preset.domain_strategies is not None:
        raw["domain_strategies"] = {d: _strategy_raw(s) for d, s in preset.domain_strategies.items()}
    scores = {m.name: m.quality_score for m in preset.models if m.quality_score is not None}
    if scores:
        raw["quality_scores"] = scores
    return raw


def _budget_raw(budget: BudgetConfig) -> dict[str, float]:
    return {window.value: limit for window, limit in budget.limits.items()}


def _strategy_raw(strategy: DomainCascadeStrategy) -> dict[str, Any]:
    return {
        "mode": strategy.mode, "description": strategy.description,
        "expected_cost_range": strategy.expected_cost_range,
        "steps": [_clean({
            "model": s.model, "provider": s.provider,
            "validation": validation_name(s.validation, f"{strategy.domain} step {i}"),
            "max_retries": s.max_retries, "fallback_model": s.fallback_model,
            "description": s.description, "cost": s.cost,
        }) for i, s in enumerate(strategy.steps, start=1)],
    }


def _strategy(domain: str, settings: StrategySettings) -> DomainCascadeStrategy:
    steps = tuple(
        CascadeStep(
            model=s.model, provider=s.provider,
            validation=validation_by_name(
                s.validation if not isinstance(s.validation, JudgeSettings)
                else JudgeValidator(s.validation.judge, s.validation.criteria, s.validation.name)
            ),
            max_retries=s.max_retries, fallback_model=s.fallback_model,
            description=s.description, cost=s.cost,
        )
        for s in settings.steps
    )
    return DomainCascadeStrategy(domain=domain, steps=steps, description=settings.description,
                                 expected_cost_range=settings.expected_cost_range, mode=settings.mode)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}
