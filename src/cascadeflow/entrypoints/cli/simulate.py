"""`cascadeflow simulate`: replay a trace through the unchanged cascade, and calibrate it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, replace
from pathlib import Path
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cascadeflow.application.calibrate import DEFAULT_CONFIDENCE
from cascadeflow.entrypoints.cli.app import app, err, out, reporting_errors, wide
from cascadeflow.entrypoints.cli.reports import simulation_table

T = TypeVar("T")

if TYPE_CHECKING:
    from cascadeflow.bootstrap import Simulation
    from cascadeflow.domain.quality import QualityConfig


@app.command()
def simulate(
    trace: Annotated[str, typer.Option(help="A trace file (JSON Lines, .gz allowed) or a "
                                       "bundled trace: gsm8k, mtbench.")],
    drafter: Annotated[Optional[str], typer.Option(help="Cheap model (default: the cheaper "  # noqa: UP045
                                                   "of the trace's two models).")] = None,
    verifier: Annotated[Optional[str], typer.Option(help="Strong model (default: the dearer "  # noqa: UP045
                                                    "of the trace's two models).")] = None,
    threshold: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="Quality "  # noqa: UP045
                                                       "score a draft needs to be accepted.")] = None,
    quality: Annotated[Optional[str], typer.Option(help="Quality preset (fast, cost-optimized, "  # noqa: UP045
                                                   "balanced, strict) or a file saved by "
                                                   "--save-config.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Use only the first N records.")] = None,  # noqa: UP045
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    calibrate: Annotated[bool, typer.Option(help="Fit the quality settings on half of the trace "
                                            "(split by a hash of each id) and report them on the "
                                            "other half.")] = False,
    target_quality: Annotated[float, typer.Option(min=0.01, max=1.5, help="With --calibrate or "
                                                  "--online: quality to keep, as a share of "
                                                  "always-verifier's.")] = 0.95,
    confidence: Annotated[float, typer.Option(min=0.0, max=0.999, help="With --calibrate: "
                                              "choose settings whose quality reaches the target "
                                              "with this one-sided confidence on the calibration "
                                              "half (a margin for its sampling noise); 0: no "
                                              "margin.")] = DEFAULT_CONFIDENCE,
    learned: Annotated[bool, typer.Option(help="With --calibrate: also try the learned scorer "
                                          "(needs cascadeflow\\[ml]).")] = False,  # \\[: rich markup
    pre_route: Annotated[bool, typer.Option(help="With --calibrate: also try sending queries "
                                            "that look too hard straight to the verifier.")] = False,
    plot: Annotated[Optional[Path], typer.Option(help="With --calibrate: draw the quality-cost "  # noqa: UP045
                                                 "plot to this PNG (needs cascadeflow\\[plot]).")] = None,
    save_config: Annotated[Optional[Path], typer.Option(help="With --calibrate: write the chosen "  # noqa: UP045
                                                        "quality settings to this JSON file.")] = None,
    online: Annotated[bool, typer.Option(help="Replay the trace in file order as live traffic "
                                         "through the online policy, which learns from agreement "
                                         "with the verifier and never reads a label.")] = False,
    models: Annotated[Optional[str], typer.Option(help="Comma-separated models, cheapest first "  # noqa: UP045
                                                  "(a,b,c): a chain of more than two models.")] = None,
    shadow_share: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="With --online: "  # noqa: UP045
                                                          "share of accepted drafts the verifier "
                                                          "checks.")] = None,
    draft_samples: Annotated[int, typer.Option(min=1, max=2, help="With --online: 2 asks each "
                                               "draft twice (the trace's recorded 'samples'), "
                                               "agreement between the two being a signal.")] = 1,
    learn_score: Annotated[bool, typer.Option(help="With --online: each route ranks its drafts by a "
                                              "score learnt from its own labels once that ranks "
                                              "them better than the built-in one.")] = False,
) -> None:
    """Replay recorded answers through the cascade: no keys, no network."""
    from cascadeflow.bootstrap import quality_config, simulation

    if online:
        if calibrate or quality or threshold is not None or learned or pre_route or save_config:
            raise typer.BadParameter("--online learns its own settings: leave out --calibrate, --quality, "
                                     "--threshold, --learned, --pre-route and --save-config")
        with reporting_errors():
            _online(trace, models, drafter, verifier, limit, target_quality, confidence, shadow_share,
                    plot, json_output, draft_samples, learn_score)
        return
    if (plot or save_config or learned or pre_route) and not calibrate:
        raise typer.BadParameter("--plot, --save-config, --learned and --pre-route need --calibrate or --online")
    if confidence != DEFAULT_CONFIDENCE and not calibrate:
        raise typer.BadParameter("--confidence needs --calibrate or --online")
    if shadow_share is not None:
        raise typer.BadParameter("--shadow-share needs --online")
    if draft_samples != 1:
        raise typer.BadParameter("--draft-samples needs --online")
    if learn_score:
        raise typer.BadParameter("--learn-score needs --online")
    chain = [m.strip() for m in models.split(",") if m.strip()] if models else None
    if chain and calibrate:
        if len(chain) == 2 and not (drafter or verifier):
            (drafter, verifier), chain = chain, None
        elif learned or pre_route:
            raise typer.BadParameter("--learned and --pre-route calibrate a drafter and a verifier: "
                                     "give --models DRAFTER,VERIFIER")
    with reporting_errors():
        config = quality_config(quality) if quality else None
        sim = simulation(trace, drafter=drafter, verifier=verifier, threshold=threshold, limit=limit,
                         quality=config, models=chain)
        if calibrate:
            _calibrate(sim, trace, config, target_quality, confidence, learned, pre_route, plot,
                       save_config, json_output)
            return
        report = _with_progress("replaying", sim.size, sim.run)
    if json_output:
        print(json.dumps(asdict(report), indent=2))
        return
    out.print(simulation_table(report, sim.title))


def _online(trace: str, models: str | None, drafter: str | None, verifier: str | None,
            limit: int | None, target: float, confidence: float, shadow_share: float | None,
            plot: Path | None, json_output: bool, draft_samples: int = 1, learn_score: bool = False) -> None:
    from cascadeflow.bootstrap import online_simulation, plot_online
    from cascadeflow.domain.online_policy import OnlineSettings
    from cascadeflow.entrypoints.cli.online_report import online_json, online_tables

    settings = OnlineSettings(target_quality=target, confidence=confidence, draft_samples=draft_samples,
                              learn_score=learn_score)
    if shadow_share is not None:
        settings = replace(settings, shadow_share=shadow_share)
    chain = [m.strip() for m in models.split(",") if m.strip()] if models else None
    sim = online_simulation(trace, models=chain, drafter=drafter, verifier=verifier, limit=limit,
                            settings=settings)
    report = _with_progress("live replay", sim.size, sim.run)
    if plot is not None:
        plot_online(report, plot, title=sim.title)
        err.print(f"drew quality and cost over the stream to {plot}")
    if json_output:
        print(json.dumps(online_json(report), indent=2))
        return
    wide(110).print(online_tables(report, sim.title))


def _calibrate(sim: Simulation, trace: str, base: QualityConfig | None, target: float,
               confidence: float, learned: bool, pre_route: bool, plot: Path | None,
               save_config: Path | None, json_output: bool) -> None:
    from cascadeflow.bootstrap import calibration, chain_calibration, plot_calibration, save_quality_config
    from cascadeflow.entrypoints.cli.calibration_report import (
        calibration_json,
        calibration_summary,
        calibration_tables,
    )

    with err.status("calibrating (fitting on one half, replaying the other)"):
        if sim.between:
            chain = (sim.drafter, *sim.between, sim.verifier)
            report = asyncio.run(chain_calibration(sim).execute(
                sim.records, chain, target_quality=target, confidence=confidence, base=base))
        else:
            report = asyncio.run(calibration(sim, learned=learned).execute(
                sim.records, sim.drafter, sim.verifier, target_quality=target, confidence=confidence,
                base=base, learned=learned, pre_route=pre_route))
    if save_config is not None:
        save_quality_config(report.chosen.config, save_config, trace=trace,
                            **calibration_summary(report))
        err.print(f"saved the chosen quality settings to {save_config}")
    if plot is not None:
        plot_calibration(report, plot, title=sim.title)
        err.print(f"drew the quality-cost plot to {plot}")
    if json_output:
        print(json.dumps(calibration_json(report), indent=2))
        return
    wide(132).print(calibration_tables(report, sim.title))


def _with_progress(label: str, total: int, run: Callable[[Callable[[int], None]], Coroutine[object, object, T]]) -> T:
    """Run a replay under a progress bar on stderr."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        return asyncio.run(run(lambda n: progress.advance(task, n)))
