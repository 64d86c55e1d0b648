"""`cascadeflow simulate`: replay a trace through the unchanged cascade."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cascadeflow.entrypoints.cli_app import app, err, out, reporting_errors
from cascadeflow.entrypoints.reports import simulation_table


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
