"""Rich tables for the CLI."""

from __future__ import annotations

from rich.table import Table

from cascadeflow.application.simulate import SimulationReport
from cascadeflow.domain.results import CascadeResult


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
