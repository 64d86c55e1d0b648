"""The quality–cost plot of a calibration (matplotlib, ``pip install 'cascadeflow[plot]'``,
imported only when a plot is drawn)."""

from __future__ import annotations

from pathlib import Path

from cascadeflow.application.calibrate import CalibrationReport
from cascadeflow.domain.errors import ConfigurationError


def plot_calibration(report: CalibrationReport, path: str | Path, title: str = "") -> Path:
    """Test-half curve of the chosen scorer, random escalation, the oracle, always-drafter,
    always-verifier and the chosen point; x is cost as a share of always-verifier."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ConfigurationError("plotting needs matplotlib: pip install 'cascadeflow[plot]'") from exc
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
    heading = f"{report.drafter} → {report.verifier}: test half ({report.test_size} queries)"
    if title:
        heading = title.split(" · ")[0].replace("$", r"\$") + " · " + heading
    axes.set_title(heading, fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7.5, loc="lower right")
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    plt.close(figure)
    return target
