"""`cascadeflow presets`: the built-in presets, one in detail, or one saved to a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cascadeflow.entrypoints.cli.app import app, err, out, reporting_errors

if TYPE_CHECKING:  # presets load when the command runs, not at CLI start-up
    from cascadeflow.domain.budgets import BudgetConfig
    from cascadeflow.entrypoints.api.cascade_preset import CascadePreset

_PER = {"daily": "day", "weekly": "week", "monthly": "month", "total": "in total"}


@app.command()
def presets(
    name: Annotated[Optional[str], typer.Argument(  # noqa: UP045
        help="A preset to show in detail (a built-in name or a preset file).")] = None,
    save: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        help="Write the preset to this file (*.toml or *.yaml, the gateway's config format).")] = None,
) -> None:
    """List the built-in presets: what each is for, its models and its budgets."""
    from cascadeflow.entrypoints.api.builtin_presets import BUILTIN_PRESETS, get_preset
    from cascadeflow.entrypoints.api.preset_files import save_preset

    with reporting_errors():
        if name is None:
            if save is not None:
                raise typer.BadParameter("name the preset to save: cascadeflow presets NAME --save FILE")
            for preset in BUILTIN_PRESETS.values():
                out.print("\n".join(summary(preset)), markup=False, highlight=False, soft_wrap=True)
                out.print()
            out.print("cascadeflow presets NAME shows one in detail; cascadeflow run --preset NAME "
                      '"question" uses it.', markup=False, highlight=False, soft_wrap=True)
            return
        preset = get_preset(name)
        if save is not None:
            save_preset(preset, save)
            err.print(f"wrote preset {preset.name!r} to {save}", markup=False, highlight=False)
            return
        out.print("\n".join(summary(preset) + details(preset)), markup=False, highlight=False,
                  soft_wrap=True)


def summary(preset: CascadePreset) -> list[str]:
    """The preset's name and description, models cheapest first, budgets and features."""
    models = sorted(preset.models, key=lambda m: m.configured_price.blended_per_1k
                    if m.configured_price else float("inf"))
    lines = [f"{preset.name}  {preset.description}",
             "  models   " + " -> ".join(m.name for m in models)]
    budgets = [f"${preset.default_budget_daily:.2f}/day per user"] if preset.default_budget_daily else []
    budgets += [f"{tier} {_budget(b)}" for tier, b in (preset.tier_budgets or {}).items()]
    lines.append("  budgets  " + (", ".join(budgets) if budgets else
                                  "none (spend tracked)" if preset.enable_cost_tracking else "none"))
    features = [f"quality {preset.quality_validation_mode}" + (" + ML score" if preset.enable_ml_quality else "")]
    if preset.enable_cost_forecasting:
        features.append("forecasting")
    if preset.enable_domain_routing:
        features.append("domain routing")
    if preset.enable_multi_step_cascade and preset.domain_strategies:
        features.append("multi-step " + "/".join(preset.domain_strategies))
    if preset.enable_user_tiers:
        features.append("tiers " + "/".join(preset.resolved_tier_policies()))
    lines.append("  features " + ", ".join(features))
    return lines


def details(preset: CascadePreset) -> list[str]:
    lines: list[str] = []
    for domain, strategy in (preset.domain_strategies or {}).items():
        lines.append(f"  strategy {domain} ({strategy.mode}):")
        for i, step in enumerate(strategy.steps, start=1):
            fallback = f", else {step.fallback_model}" if step.fallback_model else ""
            check = getattr(step.validation, "name", getattr(step.validation, "__name__", "none"))
            lines.append(f"    {i}. {step.model}{fallback}; checked by {check}")
    if preset.enable_user_tiers:
        for tier, policy in preset.resolved_tier_policies().items():
            cap = f", at most ${policy.max_cost_per_query:g} a query" if policy.max_cost_per_query else ""
            lines.append(f"  tier {tier}: {', '.join(policy.allowed_models)}{cap}")
    return lines


def _budget(budget: BudgetConfig) -> str:
    return ", ".join(f"${amount:.2f}/{_PER[window.value]}" for window, amount in budget.limits.items())
