"""Rich tables for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table

from cascadeflow.application.simulate import SimulationReport
from cascadeflow.domain.budgets import Window, window_start
from cascadeflow.domain.errors import UnknownUserError
from cascadeflow.domain.results import CascadeResult

if TYPE_CHECKING:
    from cascadeflow.entrypoints.api.cost_tracker import CostTracker


def calls_table(result: CascadeResult) -> Table:
    table = Table(title="model calls", title_justify="left")
    for column in ("model", "verdict", "reason", "tokens in/out", "cost", "latency"):
        table.add_column(column, justify="right" if column in {"cost", "latency"} else "left")
    for call in result.calls:
        table.add_row(
            call.model,
            call.verdict.value,
            call.reason,
            f"{call.input_tokens}/{call.output_tokens}",
            f"${call.cost:.6f}",
            f"{call.latency_ms:.0f} ms",
        )
    return table


def simulation_table(report: SimulationReport, title: str) -> Table:
    table = Table(title=title, title_justify="left", caption="savings: cost cut against "
                  "always-verifier", caption_justify="left")
    table.add_column("strategy", no_wrap=True, min_width=15)
    table.add_column(report.quality_metric, justify="right")
    for column in ("total cost", "cost/query", "escalated", "savings"):
        table.add_column(column, justify="right", no_wrap=True)
    percent = report.quality_metric == "accuracy"
    for s in report.strategies:
        table.add_row(
            s.name,
            f"{s.quality:.1%}" if percent else f"{s.quality:.2f}",
            f"${s.total_cost:.4f}",
            f"${s.cost_per_query:.6f}",
            f"{s.escalation_rate:.1%}",
            f"{s.savings_vs_verifier:.1%}",
        )
    return table


def usage_tables(tracker: CostTracker, user: str | None) -> Group:
    """Spend per window (with the user's limits), then per model and per provider."""
    now = tracker.clock.now()
    windows = Table(title=f"spend of {user or 'all users'}", title_justify="left")
    for column in ("window", "spent", "limit", "remaining"):
        windows.add_column(column, justify="left" if column == "window" else "right")
    limits: Mapping[Window, float] = {}
    if user is not None:
        summary = tracker.get_user_summary(user)
        if not summary["entries"] and user not in tracker.user_budgets and tracker.default_budget is None:
            # on the command line a user nobody knows is most likely a typo: say so
            raise UnknownUserError(
                f"user {user!r} has no budget and no recorded spend; users with spend or a budget: "
                f"{', '.join(sorted(set(tracker.user_budgets) | set(tracker.by_user))) or 'none'}")
        limits = summary["budget"].limits if summary["budget"] is not None else {}
    for window in Window:
        spent = tracker.store.spent(user, window_start(window, now))
        limit = limits.get(window)
        windows.add_row(
            window.value,
            f"${spent:.6f}",
            "-" if limit is None else f"${limit:.2f}",
            "-" if limit is None else f"${max(limit - spent, 0.0):.6f}",
        )
    entries = tracker.entries(user)
    groups = []
    for key in ("model", "provider"):
        table = Table(title=f"by {key}", title_justify="left")
        for column in (key, "calls", "tokens", "cost"):
            table.add_column(column, justify="left" if column == key else "right")
        totals: dict[str, tuple[int, int, float]] = {}
        for entry in entries:
            calls, tokens, cost = totals.get(getattr(entry, key), (0, 0, 0.0))
            totals[getattr(entry, key)] = (calls + 1, tokens + entry.tokens, cost + entry.cost)
        for name, (calls, tokens, cost) in sorted(totals.items(), key=lambda kv: -kv[1][2]):
            table.add_row(name, str(calls), str(tokens), f"${cost:.6f}")
        groups.append(table)
    return Group(windows, *groups)
