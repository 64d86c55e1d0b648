"""The quality–cost plot of a calibration (matplotlib, ``pip install 'cascadeflow[plot]'``,
imported only when a plot is drawn)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cascadeflow.application.calibrate import CalibrationReport
from cascadeflow.application.simulate_online import OnlineReport
from cascadeflow.domain.errors import ConfigurationError


def plot_calibration(report: CalibrationReport, path: str | Path, title: str = "") -> Path:
    """Test-half curve of the chosen scorer, random escalation, the oracle, always-drafter,
    always-verifier and the chosen point; x is cost as a share of always-verifier."""
    plt = _pyplot()
    replay = report.test_replay
    drafter, verifier = replay.figures("always-drafter"), replay.figures("always-verifier")
    cascade = replay.figures("cascade")
    scale = verifier.quality or 1.0

    def x(cost_reduction: float) -> float:
        return 1.0 - cost_reduction

    figure, axes = plt.subplots(figsize=(7.0, 4.6), dpi=120)
    curve = sorted(report.test_curve, key=lambda p: p.cost)
    axes.plot([x(p.cost_reduction) for p in curve], [p.relative_quality for p in curve],
              color="#1f77b4", label=f"cascade ({report.chosen.name}), every threshold")
    if report.between:  # a chain's random escalation is no straight line: its point only
        axes.scatter([x(report.random.cost_reduction)], [report.random.relative_quality], marker="s",
                     color="#7f7f7f", zorder=3, label="random escalation, same quality")
    else:
        axes.plot([x(drafter.savings_vs_verifier), 1.0 + x(drafter.savings_vs_verifier)],
                  [drafter.quality / scale, 1.0], color="#7f7f7f", linestyle="--",
                  label="random escalation")
    axes.scatter([x(drafter.savings_vs_verifier)], [drafter.quality / scale], color="#d62728",
                 zorder=3, label=f"always {report.drafter}")
    axes.scatter([1.0], [1.0], color="#2ca02c", zorder=3, label=f"always {report.verifier}")
    axes.scatter([x(report.oracle.cost_reduction)], [report.oracle.relative_quality], marker="*",
                 s=120, color="#9467bd", zorder=3, label="perfect router (oracle), same quality")
    axes.scatter([x(cascade.savings_vs_verifier)], [cascade.quality / scale], marker="D", s=60,
                 color="#ff7f0e", zorder=4, label="chosen on the calibration half")
    axes.axhline(report.target_quality, color="#bbbbbb", linewidth=0.8)
    axes.set_xlabel(f"cost, as a share of always-{report.verifier} (test half)")
    axes.set_ylabel(f"quality relative to always-{report.verifier}")
    chain = " → ".join((report.drafter, *report.between, report.verifier))
    heading = f"{chain}: test half ({report.test_size} queries)"
    if title:
        source = title.split(" · ")[0].replace("$", r"\$")
        heading = source + ("\n" if len(source) + len(heading) > 90 else " · ") + heading
    axes.set_title(heading, fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7.5, loc="lower right")
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    plt.close(figure)
    return target


def plot_online(report: OnlineReport, path: str | Path, title: str = "") -> Path:
    """Quality kept and cost cut over the stream of an online replay, with the plan's
    lower bound and the target: how the policy converged."""
    plt = _pyplot()
    points = report.stream
    queries = [p.queries for p in points]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.0, 5.6), dpi=120, sharex=True)
    top.plot(queries, [p.relative_quality for p in points], color="#1f77b4",
             label="quality kept so far (labels read for the plot only)")
    top.plot(queries, [p.bound for p in points], color="#ff7f0e", linestyle=":",
             label="plan's lower bound (label-free)")
    top.axhline(report.target_quality, color="#888888", linewidth=0.8, label="target")
    top.set_ylabel("share of the verifier's quality")
    top.legend(fontsize=7.5, loc="lower right")
    top.grid(alpha=0.3)
    bottom.plot(queries, [p.cost_reduction for p in points], color="#2ca02c", label="cost cut so far")
    bottom.plot(queries, [1.0 - p.escalation_share for p in points], color="#9467bd", alpha=0.6,
                label="answered without the verifier (window)")
    random = report.baseline("random escalation, same quality")
    bottom.axhline(random.cost_reduction, color="#7f7f7f", linestyle="--", linewidth=0.8,
                   label="random escalation, same quality")
    bottom.set_xlabel("queries replayed in file order")
    bottom.set_ylabel("share")
    bottom.legend(fontsize=7.5, loc="lower right")
    bottom.grid(alpha=0.3)
    heading = " → ".join(report.models) + f": online, target {report.target_quality:.0%}"
    if title:
        source = title.split(" · ")[0].replace("$", r"\$")
        heading = source + ("\n" if len(source) + len(heading) > 90 else " · ") + heading
    top.set_title(heading, fontsize=9)
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    plt.close(figure)
    return target


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ConfigurationError("plotting needs matplotlib: pip install 'cascadeflow[plot]'") from exc
    return plt
