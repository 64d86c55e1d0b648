"""`cascadeflow run`: ask real models through the cascade."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Optional

import typer

from cascadeflow.entrypoints.cli_app import app, err, out, reporting_errors
from cascadeflow.entrypoints.reports import calls_table


@app.command()
def run(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    model: Annotated[
        list[str],
        typer.Option("--model", "-m", help="A model to cascade over (repeat, cheapest first "
                     "is not required). 'provider/name' or a bare name such as gpt-4o-mini."),
    ],
    max_tokens: Annotated[Optional[int], typer.Option(min=1)] = None,  # noqa: UP045
    api_base: Annotated[Optional[str], typer.Option(help="Base URL of an OpenAI-compatible "  # noqa: UP045
                                                    "server (Ollama, vLLM, a proxy) for every model.")] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per model call.")] = 60.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Ask real models through LiteLLM (API keys from the environment)."""
    from cascadeflow.domain.models import ModelConfig
    from cascadeflow.domain.providers import split_model_spec
    from cascadeflow.entrypoints.agent import CascadeAgent

    with reporting_errors():
        models = [ModelConfig(*split_model_spec(spec), api_base=api_base) for spec in model]
    with reporting_errors():
        agent = CascadeAgent(models=models, timeout=timeout)
        with err.status("asking " + ", ".join(m.name for m in agent.models) + " …"):
            result = agent.run_sync(question, max_tokens=max_tokens)
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
