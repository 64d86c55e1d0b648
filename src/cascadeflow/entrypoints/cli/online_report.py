"""How `cascadeflow simulate --online` prints its figures: a table, or JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from cascadeflow.application.simulate_online import OnlineReport
from cascadeflow.domain.online_policy import AcceptancePlan


def online_json(report: OnlineReport) -> dict[str, Any]:
    """The report as JSON: the ``online`` block first, then what it is compared with."""
    online = report.online
    return {
        "online": {
            "quality": online.quality,
            "relative_quality": online.relative_quality,
            "cost_reduction": online.cost_reduction,
            "escalation_share": online.escalation_share,
            "shadow_share": online.shadow_share,
            "labels_read": online.labels_read,
            "pre_routed_share": online.pre_routed_share,
            "accepted_share": online.accepted_share,
            "total_cost": online.cost,
            "captured": report.captured,
        },
        "models": list(report.models),
        "queries": report.queries,
        "skipped": report.skipped,
        "quality_metric": report.quality_metric,
        "target_quality": report.target_quality,
        "strategies": [asdict(b) for b in report.baselines],
        "final_plan": _plan_json(report.final_plan),
        "stream": [asdict(p) for p in report.stream],
        "draft_plans": [{"model": model, **_plan_json(plan)} for model, plan in report.draft_plans],
    }


def _plan_json(plan: AcceptancePlan) -> dict[str, Any]:
    return {
        "draft_share": plan.draft_share,
        "accepted_share": plan.accepted_share,
        "threshold": plan.threshold if plan.threshold != float("inf") else None,
        "quality_estimate": plan.quality,
        "quality_bound": plan.bound,
        "labels": plan.labelled,
        "disagreements": plan.disagreed,
        "notes": list(plan.notes),
    }


def online_tables(report: OnlineReport, title: str) -> Group:
    percent = report.quality_metric == "accuracy"
    table = Table(title=title, title_justify="left")
    table.add_column("strategy", no_wrap=True)
    table.add_column(report.quality_metric, justify="right")
    for column in ("of verifier", "cost", "cost cut", "to verifier"):
        table.add_column(column, justify="right", no_wrap=True)
    online = report.online
    rows = [("online cascade", online.quality, online.relative_quality, online.cost, online.cost_reduction,
             online.escalation_share)]
    rows += [(b.name, b.quality, b.relative_quality, b.cost, b.cost_reduction, b.escalation_share)
             for b in report.baselines]
    for name, quality, relative, cost, cut, escalated in rows:
        table.add_row(name, f"{quality:.1%}" if percent else f"{quality:.2f}", f"{relative:.1%}",
                      f"${cost:.4f}", f"{cut:.1%}", f"{escalated:.1%}")
    plans = report.draft_plans or (("", report.final_plan),)
    lines = [
        f"target {report.target_quality:.0%} of the verifier's quality, no label read: "
        f"kept {online.relative_quality:.1%} over the whole stream, warm-up and checks paid",
        f"{online.pre_routed_share:.1%} of queries skipped the draft, {online.accepted_share:.1%} were "
        f"answered by a cheaper model, {online.shadow_share:.1%} had an accepted draft checked",
        f"captured {report.captured:.1%} of what a perfect router saves over random escalation "
        f"at the same quality",
        *(line for model, plan in plans for line in _plan_lines(f"final plan{f' ({model})' if model else ''}", plan)),
    ]
    return Group(table, *(Text(line) for line in lines), _convergence(report))


def _plan_lines(label: str, plan: AcceptancePlan) -> list[str]:
    return [f"{label}: draft {plan.draft_share:.0%} of queries, accept {plan.accepted_share:.1%}, "
            f"estimated {plan.quality:.1%} of the verifier (lower bound {plan.bound:.1%}) "
            f"from {plan.labelled} labels, {plan.disagreed} disagreements",
            *(f"{label}: {note}" for note in plan.notes)]


def _convergence(report: OnlineReport) -> Table:
    """A few points of the stream: how the policy converged."""
    table = Table(title="over the stream", title_justify="left")
    for column in ("queries", "kept so far", "cost cut so far", "to verifier (window)",
                   "plan: bound", "plan: drafted", "plan: accepted"):
        table.add_column(column, justify="right", no_wrap=True)
    points = report.stream
    step = max(1, len(points) // 8)
    shown = list(points[step - 1::step])
    if points and (not shown or shown[-1] is not points[-1]):
        shown.append(points[-1])
    for p in shown:
        table.add_row(str(p.queries), f"{p.relative_quality:.1%}", f"{p.cost_reduction:.1%}",
                      f"{p.escalation_share:.1%}", f"{p.bound:.1%}", f"{p.draft_share:.0%}",
                      f"{p.accepted_share:.1%}")
    return table
