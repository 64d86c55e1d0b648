"""Speed and savings figures, measured in one run: `make bench`.

- import time of `cascadeflow` (fresh interpreter, median of several) against
  `import litellm`, the ratio showing what lazy loading saves;
- the cascade engine's own overhead per query, with a zero-latency fake provider;
- replay throughput and the three-way savings table on the bundled traces.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time

from cascadeflow import ModelConfig
from cascadeflow.application.run_cascade import CascadeRequest
from cascadeflow.bootstrap import bootstrap, simulation
from cascadeflow.domain.messages import Message
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider


def import_seconds(module: str, runs: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": ""}
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env=env).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples)


async def cascade_overhead(queries: int = 20_000) -> float:
    fake = FakeProvider({"small": ["I'm not sure."], "large": ["Paris is the capital."]})
    use_case = bootstrap(provider=fake, pricing=ConfiguredPricing(), clock=FakeClock()).run_cascade()
    request = CascadeRequest(
        models=(ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)),
        messages=(Message("user", "Capital of France?"),),
    )
    started = time.perf_counter()
    for _ in range(queries):
        await use_case.execute(request)
    return (time.perf_counter() - started) / queries


def replay(trace: str) -> None:
    sim = simulation(trace)
    started = time.perf_counter()
    report = asyncio.run(sim.run())
    elapsed = time.perf_counter() - started
    print(f"\n{sim.title}")
    print(f"  replayed {report.queries} queries x 3 strategies in {elapsed:.2f} s "
          f"({3 * report.queries / elapsed:,.0f} cascade runs/s)")
    verifier = report.figures("always-verifier")
    for s in report.strategies:
        relative = s.quality / verifier.quality if verifier.quality else float("nan")
        print(f"  {s.name:16} {report.quality_metric} {s.quality:.4f} "
              f"({relative:.1%} of verifier)  cost ${s.total_cost:.4f}  "
              f"escalated {s.escalation_rate:.1%}  savings {s.savings_vs_verifier:.1%}")


def main() -> None:
    ours = import_seconds("cascadeflow")
    theirs = import_seconds("litellm", runs=3)
    print(f"import cascadeflow: {ours * 1000:.1f} ms (median of 5); import litellm: "
          f"{theirs * 1000:.0f} ms; ratio {theirs / ours:.0f}x")
    per_query = asyncio.run(cascade_overhead())
    print(f"cascade engine overhead (draft rejected + escalation, fake provider): "
          f"{per_query * 1e6:.1f} µs per query")
    for trace in ("gsm8k", "mtbench"):
        replay(trace)


if __name__ == "__main__":
    main()
