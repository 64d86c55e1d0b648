"""Quality held and money saved on the bundled traces, every policy in one run:
`make bench` (or `python benchmarks/quality_bench.py [more traces...]`).

For each trace: the online cascade (the default: label-free, replayed in file order, every
warm-up and shadow call paid) over the whole stream, and the same with a score each route
learns from its labels (opt-in); the labelled calibration
(`simulate --calibrate`, fitted on one half, reported on the other); the four fixed
presets over the whole trace; and, at each policy's own quality, random escalation
(every draft paid) and a perfect router. "captured" is the share of the perfect router's
saving over random escalation that the policy makes: 0 is no better than chance.
"""

from __future__ import annotations

import asyncio
import sys
import time

from cascadeflow.bootstrap import calibration, online_simulation, quality_config, simulation
from cascadeflow.domain.online_policy import OnlineSettings

TRACES = ["gsm8k", "mtbench"]
PRESETS = ("fast", "cost-optimized", "balanced", "strict")


def row(name: str, relative: float, cut: float, random_cut: float, oracle_cut: float, note: str = "") -> str:
    gap = oracle_cut - random_cut
    captured = (cut - random_cut) / gap if gap > 1e-12 else 0.0
    return (f"  {name:28} {relative:7.1%} {cut:8.1%} {random_cut:9.1%} {oracle_cut:9.1%} "
            f"{captured:9.1%}  {note}")


def random_and_oracle_cuts(records: list, drafter: str, verifier: str, quality: float,
                           costs: dict[str, dict[str, float]]) -> tuple[float, float]:
    """Cost cuts (vs always-verifier) of random escalation and of a perfect router at ``quality``."""
    from cascadeflow.domain.calibration import Outcome, oracle, random_escalation

    outcomes = [Outcome(r.id, r.responses[drafter].quality or 0.0, r.responses[verifier].quality or 0.0,
                        costs[r.id][drafter], costs[r.id][verifier]) for r in records]
    return random_escalation(outcomes, quality).cost_reduction, oracle(outcomes, quality).cost_reduction


def bench(trace: str) -> None:
    started = time.perf_counter()
    online = asyncio.run(online_simulation(trace).run())
    seconds = time.perf_counter() - started
    drafter, verifier = online.models[0], online.models[-1]
    print(f"== {trace}: {online.queries} queries, {drafter} → {verifier}, target 95% of the verifier")
    print(f"  {'policy':28} {'quality':>7} {'cost cut':>8} {'random cut':>9} {'oracle cut':>9} "
          f"{'captured':>9}")
    rnd = online.baseline("random escalation, same quality")
    orc = online.baseline("perfect router, same quality")
    print(row("online (default, no labels)", online.online.relative_quality, online.online.cost_reduction,
              rnd.cost_reduction, orc.cost_reduction,
              f"{seconds:.1f} s; drafts skipped {online.online.pre_routed_share:.0%}"))
    learning = asyncio.run(online_simulation(trace, settings=OnlineSettings(learn_score=True)).run())
    rnd, orc = (learning.baseline(name) for name in ("random escalation, same quality",
                                                      "perfect router, same quality"))
    notes = [n for n in learning.final_plan.notes if n.startswith("learnt")] or ["no score learnt"]
    print(row("online, learnt score (opt-in)", learning.online.relative_quality,
              learning.online.cost_reduction, rnd.cost_reduction, orc.cost_reduction, notes[0]))

    sim = simulation(trace)
    records = [r for r in sim.records if {drafter, verifier} <= r.responses.keys()]
    costs = {r.id: {m: (r.responses[m].cost_usd or 0.0) for m in (drafter, verifier)} for r in records}
    verifier_quality = sum(r.responses[verifier].quality or 0.0 for r in records) / len(records)
    for name in PRESETS:
        report = asyncio.run(simulation(trace, quality=quality_config(name)).run())
        cascade = report.figures("cascade")
        random_cut, oracle_cut = random_and_oracle_cuts(records, drafter, verifier, cascade.quality, costs)
        print(row(f"preset {name}", cascade.quality / verifier_quality, cascade.savings_vs_verifier,
                  random_cut, oracle_cut))

    calibrated = asyncio.run(calibration(sim).execute(sim.records, sim.drafter, sim.verifier,
                                                      target_quality=0.95))
    test = calibrated.test_replay
    figures = test.figures("cascade")
    print(row("calibrated (labels, test half)", figures.quality / test.figures("always-verifier").quality,
              figures.savings_vs_verifier, calibrated.random.cost_reduction,
              calibrated.oracle.cost_reduction, f"chosen: {calibrated.chosen.name}"))
    print()


if __name__ == "__main__":
    for trace in TRACES + sys.argv[1:]:
        bench(trace)
