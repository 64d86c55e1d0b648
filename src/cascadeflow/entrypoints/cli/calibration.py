"""`cascadeflow calibration status`: the online policy's evidence and plans, from the store."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from cascadeflow.entrypoints.cli.app import app, out, reporting_errors, wide
from cascadeflow.entrypoints.cli.usage import DatabaseOption

calibration_app = typer.Typer(help="Online calibration: what the cascade has learnt without labels.",
                              no_args_is_help=True)
app.add_typer(calibration_app, name="calibration")


@calibration_app.command()
def status(
    database: DatabaseOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the routes as JSON.")] = False,
    route: Annotated[Optional[str], typer.Option(help="Only routes whose name contains this.")] = None,  # noqa: UP045
) -> None:
    """Per draft model and strongest model: labels, disagreements, the share of queries
    drafted and accepted, and the quality kept (estimate and lower bound)."""
    from cascadeflow.bootstrap import calibration_store
    from cascadeflow.entrypoints.api.calibration_status import status_rows, status_table

    with reporting_errors():
        rows = status_rows(calibration_store(database))
    rows = [r for r in rows if route is None or route in r["route"]]
    if json_output:
        print(json.dumps({"routes": rows}, indent=2))
        return
    if not rows:
        out.print("no online calibration evidence yet: routes appear after the first cascaded query")
        return
    wide(130).print(status_table(rows))
