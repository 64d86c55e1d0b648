"""Online and labelled calibration on recorded answers of any model pairs, through the
real code paths (`simulate --online` and `simulate --calibrate`), with the figures the
quality issue is judged by:

    python scripts/eval_pairs.py TRACE:DRAFTER,VERIFIER [TRACE:A,B,C ...]

For each pair: online relative quality over the whole stream and its captured share of
the perfect router's saving over random escalation; labelled calibration's relative
quality on the test half and its captured share. Then the means. A spec of three models or more is a
chain, calibrated as ``simulate --calibrate --models a,b,c`` does. Development traces are
described in docs/development-traces.md; never run this on data reserved for evaluation
to choose settings.
"""

from __future__ import annotations

import asyncio
import sys

from cascadeflow.application.calibrate import DEFAULT_CONFIDENCE
from cascadeflow.bootstrap import calibration, chain_calibration, online_simulation, simulation


def main(specs: list[str]) -> None:
    online_caps, calibrated_caps, online_worst, calibrated_worst = [], [], 1.0, 2.0
    for spec in specs:
        trace, _, listed = spec.rpartition(":")
        models = listed.split(",")
        drafter, verifier = models[0], models[-1]
        online = asyncio.run(online_simulation(trace, models=models).run())
        sim = simulation(trace, models=models)
        if sim.between:
            report = asyncio.run(chain_calibration(sim).execute(
                sim.records, (sim.drafter, *sim.between, sim.verifier), target_quality=0.95,
                confidence=DEFAULT_CONFIDENCE))
        else:
            report = asyncio.run(calibration(sim).execute(sim.records, sim.drafter, sim.verifier,
                                                          target_quality=0.95))
        test = report.test_replay
        cascade, strong = test.figures("cascade"), test.figures("always-verifier")
        relative = cascade.quality / strong.quality if strong.quality else 1.0
        gap = report.random.cost - report.oracle.cost
        captured = (report.random.cost - cascade.total_cost) / gap if gap > 1e-12 else 0.0
        online_caps.append(online.captured)
        calibrated_caps.append(captured)
        online_worst = min(online_worst, online.online.relative_quality)
        calibrated_worst = min(calibrated_worst, relative)
        print(f"{trace.split('/')[-1][:24]:24} {drafter[:18]:18} → {verifier[:18]:18} "
              f"online {online.online.relative_quality:6.1%} captured {online.captured:6.1%} | "
              f"calibrated {relative:6.1%} captured {captured:6.1%}", flush=True)
    n = len(specs)
    print(f"online: worst {online_worst:.1%}, mean captured {sum(online_caps) / n:.1%}; "
          f"calibrated: worst {calibrated_worst:.1%}, mean captured {sum(calibrated_caps) / n:.1%}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
