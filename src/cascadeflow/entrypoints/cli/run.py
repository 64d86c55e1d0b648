"""`cascadeflow run`: ask real models through the cascade."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cascadeflow.entrypoints.cli.app import app, err, out, reporting_errors
from cascadeflow.entrypoints.cli.reports import calls_table

if TYPE_CHECKING:
    from cascadeflow.entrypoints.api.agent import CascadeAgent


@app.command()
def run(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    model: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--model", "-m", help="A model to cascade over (repeat, cheapest first "
                     "is not required). 'provider/name' or a bare name such as gpt-4o-mini."),
    ] = None,
    preset: Annotated[Optional[str], typer.Option(help="A preset instead of --model: a name "  # noqa: UP045
                                                  "from `cascadeflow presets` or a preset file.")] = None,
    quality: Annotated[Optional[str], typer.Option(help="online (the default: learns from "  # noqa: UP045
                                                   "agreement with the strongest model), fast, "
                                                   "balanced, strict, cost-optimized, or a file saved "
                                                   "by `simulate --calibrate --save-config` "
                                                   "(replaces a preset's).")] = None,
    user: Annotated[Optional[str], typer.Option(help="Whose budget pays for the run.")] = None,  # noqa: UP045
    tier: Annotated[Optional[str], typer.Option(help="The user's tier (presets with tiers).")] = None,  # noqa: UP045
    max_tokens: Annotated[Optional[int], typer.Option(min=1)] = None,  # noqa: UP045
    api_base: Annotated[Optional[str], typer.Option(help="Base URL of an OpenAI-compatible "  # noqa: UP045
                                                    "server (Ollama, vLLM, a proxy) for every model.")] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per model call.")] = 60.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Ask real models through LiteLLM (API keys from the environment)."""
    with reporting_errors():
        agent = _agent(model or [], preset, quality, api_base, timeout)
        with err.status("asking " + ", ".join(m.name for m in agent.models) + " …"):
            result = agent.run_sync(question, max_tokens=max_tokens, user_id=user, user_tier=tier)
    if json_output:
        print(json.dumps(asdict(result), default=str, indent=2))
        return
    out.print(result.content, markup=False, highlight=False)
    out.print()
    flag = "" if result.validation_passed else "  [yellow](no answer passed validation)[/]"
    out.print(
        f"[bold]model used[/] {result.model_used}   [bold]cost[/] ${result.total_cost:.6f}   "
        f"[bold]saved[/] ${result.cost_saved:.6f}   [bold]latency[/] {result.latency_ms:.0f} ms{flag}"
    )
    out.print(calls_table(result))


def _agent(specs: list[str], preset: str | None, quality: str | None, api_base: str | None,
           timeout: float) -> CascadeAgent:
    from cascadeflow.domain.errors import ConfigurationError
    from cascadeflow.domain.models import ModelConfig
    from cascadeflow.domain.providers import split_model_spec
    from cascadeflow.entrypoints.api.agent import CascadeAgent
    from cascadeflow.entrypoints.api.builtin_presets import get_preset

    if (preset is None) == (not specs):
        raise ConfigurationError("give the models with --model (repeat it), or --preset NAME, but not both")
    if preset is None:
        models = [ModelConfig(*split_model_spec(spec), api_base=api_base) for spec in specs]
        return CascadeAgent(models=models, timeout=timeout, quality_config=quality)
    chosen = get_preset(preset)
    if quality is not None:
        chosen = chosen.with_quality(quality)
    if api_base is not None:
        chosen = replace(chosen, models=[replace(m, api_base=api_base) for m in chosen.models])
    return CascadeAgent(**chosen.to_agent_config(), timeout=timeout)
