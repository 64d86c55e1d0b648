"""What `cascadeflow simulate --calibrate` prints: rich tables, or a JSON document."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from rich.console import Group
from rich.table import Table

from cascadeflow.application.calibrate import CalibrationReport, Candidate
from cascadeflow.domain.calibration import Point


def _percent(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1%}"


def captured(report: CalibrationReport) -> float:
    """Share of the saving a perfect router makes over random escalation (both at the
    cascade's quality) that the cascade makes: 0 is no better than chance, 1 perfect."""
    cascade = report.test_replay.figures("cascade").total_cost
    gap = report.random.cost - report.oracle.cost
    return (report.random.cost - cascade) / gap if gap > 1e-12 else float("nan")


def calibration_tables(report: CalibrationReport, title: str) -> Group:
    replay = report.test_replay
    verifier = replay.figures("always-verifier")
    metric = replay.quality_metric
    at_target = report.chosen.test_at_target
    chosen = report.chosen.calibration
    caption = (f"chosen: {report.chosen.name}, threshold {report.chosen.config.min_score:.3f}; "
               f"captured {_percent(captured(report))} of what a perfect router saves over random "
               "escalation\n"
               f"{_margin(report)}: calibration half at {_percent(chosen.relative_quality)} of "
               f"the verifier, lower bound {_percent(chosen.relative_quality_bound)}")
    if at_target is not None:
        caption += ("\n* the chosen scorer (fitted on the calibration half) with the threshold and "
                    "the share of queries drafted read off the test half, as router papers report")
    if report.chosen.config.pre_router is not None and report.chosen.calibration.draft_share < 1.0:
        caption += (f"\ndrafts only {report.chosen.calibration.draft_share:.0%} of queries (drawn by a "
                    "hash of the query): the rest go straight to the verifier")
    if report.signals:
        caption += "\nsignals on the calibration half, AUC (0.5: none): " + ", ".join(
            f"{name} {value:.2f}" for name, value in report.signals if value == value)
    if report.between:
        caption += (f"\na chain: {' → '.join((report.drafter, *report.between, report.verifier))}, one "
                    "threshold at every step; random escalation passes a query on at every step alike, "
                    "the perfect router calls one model per query")
    caption += "".join(f"\nnote: {n}" for n in report.notes)
    main = Table(title=f"{title}\ncalibrated on {report.calibration_size} queries, reported on the "
                 f"{report.test_size} others (test half); target {report.target_quality:.0%} of "
                 f"always-{report.verifier}", title_justify="left",
                 caption=caption, caption_justify="left")
    for column in ("test half", metric, "of verifier", "cost", "cost cut", "to verifier"):
        main.add_column(column, justify="left" if column == "test half" else "right", no_wrap=True)

    def row(name: str, quality: float, cost: float, cut: float, share: float) -> None:
        relative = quality / verifier.quality if verifier.quality else float("nan")
        shown = f"{quality:.1%}" if metric == "accuracy" else f"{quality:.2f}"
        main.add_row(name, shown, _percent(relative), f"${cost:.4f}", _percent(cut), _percent(share))

    for s in replay.strategies:
        label = "cascade (chosen)" if s.name == "cascade" else s.name
        row(label, s.quality, s.total_cost, s.savings_vs_verifier, s.escalation_rate)
    for name, p in (("random escalation", report.random), ("perfect router", report.oracle)):
        row(f"{name}, same quality", p.quality, p.cost, p.cost_reduction, p.escalation_share)
    if at_target is not None:
        row(f"cascade at {report.target_quality:.0%}*", at_target.quality, at_target.cost,
            at_target.cost_reduction, at_target.escalation_share)
    scorers = Table(title="every scorer tried: chosen on the calibration half (out-of-fold "
                    "scores), then the same settings on the test half", title_justify="left")
    for column in ("scorer", "L2", "cal: bound", "cal: to verifier", "cal: cost cut",
                   "test: of verifier", "test: to verifier", "test: cost cut", "test AUC"):
        scorers.add_column(column, justify="left" if column == "scorer" else "right", no_wrap=True)
    for c in report.candidates:
        scorers.add_row(c.name, "-" if c.regularisation is None else f"{c.regularisation:g}",
                        _percent(c.calibration.relative_quality_bound),
                        _percent(c.calibration.escalation_share),
                        _percent(c.calibration.cost_reduction), _percent(c.test.relative_quality),
                        _percent(c.test.escalation_share), _percent(c.test.cost_reduction),
                        "-" if math.isnan(c.test_auc) else f"{c.test_auc:.3f}")
    return Group(main, scorers)


def _margin(report: CalibrationReport) -> str:
    if report.confidence <= 0:
        return "no margin (--confidence 0)"
    return (f"chosen so that its {report.confidence:.0%} one-sided bound reaches the target on a "
            "sample the size of the test half (thresholds tried from the strictest, up to the "
            "first that falls short)")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _point(point: Point | None) -> Any:
    if point is None:
        return None
    figures = asdict(point)
    for internal in ("sums", "quantile"):  # what the bound was computed from, not a figure
        figures.pop(internal, None)
    return _clean(figures)


def _candidate(c: Candidate) -> dict[str, Any]:
    return {"name": c.name, "threshold": c.config.min_score, "regularisation": c.regularisation,
            "calibration": _point(c.calibration), "test": _point(c.test),
            "test_at_target": _point(c.test_at_target),
            "calibration_auc": _clean(c.calibration_auc), "test_auc": _clean(c.test_auc)}


def calibration_json(report: CalibrationReport) -> dict[str, Any]:
    replay = report.test_replay
    return {
        "drafter": report.drafter, "between": list(report.between), "verifier": report.verifier,
        "target_quality": report.target_quality, "confidence": report.confidence,
        "quality_metric": replay.quality_metric,
        "calibration_size": report.calibration_size, "test_size": report.test_size,
        "reached_target_on_calibration": report.reached_target,
        "chosen": _candidate(report.chosen),
        "test": {s.name: _clean(asdict(s)) for s in replay.strategies},
        "random_same_quality": _point(report.random), "oracle_same_quality": _point(report.oracle),
        "captured_share_of_oracle_saving": _clean(captured(report)),
        "signals_auc_calibration_half": {name: _clean(value) for name, value in report.signals},
        "candidates": [_candidate(c) for c in report.candidates],
        "notes": list(report.notes),
    }


def calibration_summary(report: CalibrationReport) -> dict[str, Any]:
    """What a saved config records about where its settings came from."""
    data = calibration_json(report)
    return {k: data[k] for k in ("drafter", "between", "verifier", "target_quality", "confidence", "quality_metric",
                                 "calibration_size", "test_size", "chosen", "test")}
