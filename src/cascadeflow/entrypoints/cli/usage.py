"""`cascadeflow usage` and `cascadeflow export`: what was spent, from the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Optional

import typer

from cascadeflow.entrypoints.cli.app import app, err, out, reporting_errors
from cascadeflow.entrypoints.cli.reports import usage_tables

DatabaseOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--database", help="Database URL (default: CASCADEFLOW_DATABASE_URL or "
                 "sqlite:///./cascadeflow.db)."),
]


@app.command()
def usage(
    user: Annotated[Optional[str], typer.Option(help="Only this user's spend.")] = None,  # noqa: UP045
    database: DatabaseOption = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Check the running totals budgets read against the stored entries "
        "(exit 1 if any differ).")] = False,
    rebuild_totals: Annotated[bool, typer.Option(
        "--rebuild-totals", help="Recompute the running totals from the stored entries.")] = False,
) -> None:
    """Spend per window, model and provider."""
    from cascadeflow.entrypoints.api.cost_tracker import CostTracker

    with reporting_errors():
        if verify or rebuild_totals:
            _check_totals(database, rebuild_totals)
            return
        tracker = CostTracker(store=database)
        out.print(usage_tables(tracker, user))


def _check_totals(database: str | None, rebuild: bool) -> None:
    from cascadeflow.bootstrap import usage_ledger

    store = usage_ledger(database)
    if rebuild:
        rows = store.rebuild_totals()
        err.print(f"rebuilt {rows} totals rows from the entries in {store.url}")
    wrong = store.verify_totals()
    entries = store.count(None)
    if not wrong:
        out.print(f"running totals match the {entries} stored entries ({store.url})")
        return
    for m in wrong[:20]:
        out.print(f"{m.scope} {m.window} {m.period:%Y-%m-%d}: stored ${m.stored[0]:.6f} in "
                  f"{m.stored[1]} calls, entries add up to ${m.expected[0]:.6f} in {m.expected[1]}")
    err.print(f"[red]{len(wrong)} totals rows differ from the entries[/]: "
              "run `cascadeflow usage --rebuild-totals` to recompute them", highlight=False)
    raise typer.Exit(1)


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
    from cascadeflow.entrypoints.api.cost_tracker import CostTracker

    with reporting_errors():
        start = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
        count = CostTracker(store=database).export(out_path, format=format, user_id=user, since=start)
    err.print(f"wrote {count} entries to {out_path}")
