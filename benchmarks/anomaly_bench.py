"""Spike detection on the real usage traces in ../shared/data, with injected spikes.

Spikes of known size (the period's value times 1 + size) are injected at random,
well-separated periods; precision = flagged injected / all flagged, recall = flagged
injected / injected, per size. False alarms are flags on the untouched trace, per week
of data (per-minute data: extrapolated from its one hour).
Run: .venv/bin/python benchmarks/anomaly_bench.py [--data DIR] [--seeds 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_bench import DEFAULT_DATA, azure, burstgpt  # noqa: E402

from cascadeflow.telemetry.anomaly import SpikeRule, spikes  # noqa: E402

SIZES = (0.5, 1.0, 2.0, 4.0, 9.0)  # +50% … 10x


def evaluate(name: str, y: list[float], season: int, rule: SpikeRule, warmup: int,
             periods_per_week: float, seeds: int, per_trace: int) -> None:
    untouched = spikes(y, season, rule, start=warmup)
    checked = len(y) - warmup
    print(f"{name}: {checked} periods checked after a {warmup}-period warm-up")
    print(f"  untouched trace: {len(untouched)} flags = "
          f"{len(untouched) / checked * periods_per_week:.2f} false alarms per week")
    for size in SIZES:
        hits = flagged = injected = 0
        for seed in range(seeds):
            rng = random.Random(seed)
            spots = sorted(rng.sample(range(warmup, len(y), 3), per_trace))
            spiked = list(y)
            for spot in spots:
                spiked[spot] *= 1 + size
            found = {index for index, _ in spikes(spiked, season, rule, start=warmup)}
            hits += len(found & set(spots))
            flagged += len(found)
            injected += len(spots)
        precision = hits / flagged if flagged else float("nan")
        print(f"  spike +{size:>4.0%}: precision {precision:6.1%}  recall {hits / injected:6.1%}"
              f"  ({injected} injected over {seeds} seeds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    daily = SpikeRule(recent=14, history=8 * 7, min_history=7)
    for column in ("total_tokens", "requests"):
        _, y = burstgpt(args.data, column)
        evaluate(f"BurstGPT daily {column} (CC-BY-4.0)", y, 7, daily, warmup=14,
                 periods_per_week=7, seeds=args.seeds, per_trace=3)
    minutely = SpikeRule(recent=15, history=60, min_history=10)
    for column in ("input_tokens+output_tokens", "requests"):
        _, y = azure(args.data, column)
        evaluate(f"Azure per-minute {column} (CC-BY-4.0)", y[1:], 0, minutely, warmup=15,
                 periods_per_week=7 * 24 * 60, seeds=args.seeds, per_trace=3)


if __name__ == "__main__":
    main()
