"""The ``cascadeflow`` command line."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cascadeflow.domain.errors import CascadeflowError
from cascadeflow.entrypoints.exit_codes import exit_code_for
from cascadeflow.entrypoints.reports import calls_table, simulation_table, usage_tables

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Answer with the cheapest model that is good enough.",
)
out = Console()
err = Console(stderr=True)


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


@app.command()
def simulate(
    trace: Annotated[str, typer.Option(help="A trace file (JSON Lines, .gz allowed) or a "
                                       "bundled trace: gsm8k, mtbench.")],
    drafter: Annotated[Optional[str], typer.Option(help="Cheap model (default: the cheaper "  # noqa: UP045
                                                   "of the trace's two models).")] = None,
    verifier: Annotated[Optional[str], typer.Option(help="Strong model (default: the dearer "  # noqa: UP045
                                                    "of the trace's two models).")] = None,
    threshold: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="Quality "  # noqa: UP045
                                                       "score a draft needs to be accepted.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Use only the first N records.")] = None,  # noqa: UP045
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Replay recorded answers through the cascade: no keys, no network."""
    from cascadeflow.bootstrap import simulation

    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with reporting_errors():
        sim = simulation(trace, drafter=drafter, verifier=verifier, threshold=threshold, limit=limit)
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("replay", total=sim.size)
            report = asyncio.run(sim.run(lambda n: progress.advance(task, n)))
    if json_output:
        print(json.dumps(asdict(report), indent=2))
        return
    out.print(simulation_table(report, sim.title))


DatabaseOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--database", help="Database URL (default: CASCADEFLOW_DATABASE_URL or "
                 "sqlite:///./cascadeflow.db)."),
]


@app.command()
def usage(
    user: Annotated[Optional[str], typer.Option(help="Only this user's spend.")] = None,  # noqa: UP045
    database: DatabaseOption = None,
) -> None:
    """Spend per window, model and provider."""
    from cascadeflow.entrypoints.cost_tracker import CostTracker

    with reporting_errors():
        tracker = CostTracker(store=database)
        out.print(usage_tables(tracker, user))


@app.command()
def export(
    format: Annotated[str, typer.Option(help="csv, json or sqlite.")],
    out_path: Annotated[str, typer.Option("--out", help="File to write.")],
    user: Annotated[Optional[str], typer.Option(help="Only this user's entries.")] = None,  # noqa: UP045
    since: Annotated[Optional[datetime], typer.Option(help="Only entries from this date "  # noqa: UP045
                                                      "(UTC) on, e.g. 2026-11-01.")] = None,
    database: DatabaseOption = None,
) -> None:
    """Write stored cost entries to a CSV, JSON or standalone SQLite file."""
    from cascadeflow.entrypoints.cost_tracker import CostTracker

    with reporting_errors():
        start = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
        count = CostTracker(store=database).export(out_path, format=format, user_id=user, since=start)
    err.print(f"wrote {count} entries to {out_path}")


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Our own errors become one line on stderr and an exit code, not a traceback."""
    try:
        yield
    except CascadeflowError as exc:
        code, message = exit_code_for(exc)
        err.print(f"[red]error:[/] {message}", highlight=False)
        sys.exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
