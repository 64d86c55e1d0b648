"""What online calibration knows, route by route: for the CLI and the gateway."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table
from rich.text import Text

from cascadeflow.application.ports import CalibrationStore
from cascadeflow.domain.online_policy import AcceptancePlan


def status_rows(store: CalibrationStore) -> list[dict[str, Any]]:
    """One row per route with a fitted plan, most labelled first."""
    rows = [_row(route, plan) for route, plan in store.plans().items()]
    return sorted(rows, key=lambda r: (-r["labels"], r["route"]))


def _row(route: str, plan: AcceptancePlan) -> dict[str, Any]:
    draft, _, reference = route.partition(" -> ")
    return {
        "route": route,
        "draft_model": draft,
        "reference_model": reference.split(" [")[0],
        "queries_drafted": plan.seen,
        "labels": plan.labelled,
        "disagreements": plan.disagreed,
        "draft_share": plan.draft_share,
        "accepted_share": plan.accepted_share,
        "quality_estimate": plan.quality,
        "quality_bound": plan.bound,
        "threshold": None if math.isinf(plan.threshold) else plan.threshold,
        "notes": list(plan.notes),
    }


def status_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="online calibration: what each draft model has shown against the strongest",
                  title_justify="left", caption="quality: share of the strongest model's kept, "
                  "estimated from agreement; bound: its one-sided lower confidence bound",
                  caption_justify="left")
    for column in ("route", "labels", "disagree", "drafted", "accepted", "quality", "bound",
                   "from score", "state"):
        table.add_column(column, justify="left" if column in ("route", "state") else "right")
    for r in rows:
        table.add_row(  # the route as Text: "[domain math]" is no markup
            Text(r["route"]), str(r["labels"]), str(r["disagreements"]), f"{r['draft_share']:.0%}",
            f"{r['accepted_share']:.1%}", f"{r['quality_estimate']:.1%}", f"{r['quality_bound']:.1%}",
            "-" if r["threshold"] is None else f"{r['threshold']:.2f}",
            "; ".join(r["notes"]) or ("accepting drafts" if r["accepted_share"] else "escalating"),
        )
    return table
