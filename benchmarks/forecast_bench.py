"""Backtest of CostForecaster on the real usage traces in ../shared/data.

For each origin, the forecaster sees only the history before it and forecasts the next
horizon; the error is |forecast total - actual total| / actual total. Printed next to
the recent-mean baseline (mean of the last 7 days, or last horizon periods for minutes,
times the horizon). Run: .venv/bin/python benchmarks/forecast_bench.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cascadeflow.telemetry.forecasting import CostForecaster

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def burstgpt(data: Path, column: str) -> tuple[datetime, list[float]]:
    with (data / "usage_trace_dev_burstgpt1_daily.csv").open() as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["day"]))
    return datetime(2023, 1, 1, tzinfo=UTC), [float(r[column]) for r in rows]


def azure(data: Path, column: str) -> tuple[datetime, list[float]]:
    sums: dict[str, float] = defaultdict(float)
    with (data / "usage_trace_dev_azure2023_minutely.csv").open() as f:
        for row in csv.DictReader(f):  # code and conversation services, summed
            sums[row["minute"]] += sum(float(row[c]) for c in column.split("+"))
    minutes = sorted(sums)
    start = datetime.fromisoformat(minutes[0]).replace(tzinfo=UTC)
    return start, [sums[m] for m in minutes]


def evaluate(name: str, first: datetime, y: list[float], freq: str, horizon: int,
             baseline_window: int, min_history: int) -> None:
    forecaster = CostForecaster(level=0.8)
    step = {"D": timedelta(days=1), "min": timedelta(minutes=1)}[freq]
    ours, base, covered, seconds = [], [], 0, []
    for origin in range(min_history, len(y) - horizon + 1):
        actual = sum(y[origin:origin + horizon])
        started = time.perf_counter()
        forecast = forecaster.forecast_values(y[:origin], horizon, freq, first)
        seconds.append(time.perf_counter() - started)
        recent = y[origin - baseline_window:origin]
        ours.append(abs(forecast.total - actual) / actual)
        base.append(abs(statistics.fmean(recent) * horizon - actual) / actual)
        covered += forecast.total_lower <= actual <= forecast.total_upper
    del step
    print(f"{name}: {len(ours)} origins, horizon {horizon} {freq}")
    print(f"  forecaster  mean APE {statistics.fmean(ours):6.1%}  median {statistics.median(ours):6.1%}"
          f"  80% interval covers {covered / len(ours):5.1%}")
    print(f"  recent mean mean APE {statistics.fmean(base):6.1%}  median {statistics.median(base):6.1%}")
    print(f"  forecaster beats baseline at {sum(o < b for o, b in zip(ours, base)) / len(ours):5.1%}"
          f" of origins; {statistics.fmean(seconds) * 1000:.0f} ms per forecast")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    print("BurstGPT (CC-BY-4.0, HPMLL/BurstGPT), 61 days; next-7-day totals")
    for column in ("total_tokens", "requests"):
        first, y = burstgpt(args.data, column)
        evaluate(f"burstgpt daily {column}", first, y, "D", 7, 7, min_history=21)
    print("\nAzure LLM inference 2023 (CC-BY-4.0, Azure/AzurePublicDataset): only 60 minutes,")
    print("so no next-24-hour total can be backtested; next-10-minute totals per minute instead")
    for column in ("input_tokens+output_tokens", "requests"):
        first, y = azure(args.data, column)
        evaluate(f"azure per-minute {column}", first, y[1:], "min", 10, 10, min_history=20)


if __name__ == "__main__":
    main()
