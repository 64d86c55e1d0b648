"""`cascadeflow usage` and `cascadeflow export`: what was spent, from the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Optional

import typer

from cascadeflow.entrypoints.cli_app import app, err, out, reporting_errors
from cascadeflow.entrypoints.reports import usage_tables

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
