"""`cascadeflow forecast` and `cascadeflow anomalies`: spend ahead, and spend gone odd,
from the store or from any usage CSV."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from cascadeflow.domain.anomaly import Anomaly, AnomalyKind
from cascadeflow.domain.anomaly_spikes import SpikeRule, spikes
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.forecasting import CostForecaster, Forecast
from cascadeflow.domain.time_series import Frequency, as_utc, bucket, parse_frequency
from cascadeflow.entrypoints.cli.app import app, err, out, reporting_errors
from cascadeflow.entrypoints.cli.usage import DatabaseOption

CsvOption = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    "--csv", help="Read a usage series from this CSV instead of the store.")]
TimeColumn = Annotated[str, typer.Option(
    help="CSV column with the time: ISO 8601, or whole numbers counting periods.")]
ValueColumn = Annotated[str, typer.Option(
    help="CSV column(s) to sum per period, e.g. cost or input_tokens+output_tokens.")]
FreqOption = Annotated[str, typer.Option(help="Period: D (day), H (hour) or min.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


@app.command()
def forecast(
    horizon: Annotated[int, typer.Option(help="How many periods ahead.")] = 7,
    freq: FreqOption = "D",
    user: Annotated[Optional[str], typer.Option(help="Only this user's spend.")] = None,  # noqa: UP045
    model: Annotated[Optional[str], typer.Option(help="Only this model's spend.")] = None,  # noqa: UP045
    csv_path: CsvOption = None,
    time_column: TimeColumn = "timestamp",
    value_column: ValueColumn = "cost",
    level: Annotated[float, typer.Option(help="Interval coverage, e.g. 0.8.")] = 0.8,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Forecast spend (or any usage) with intervals; the method is picked by backtest."""
    with reporting_errors():
        frequency = parse_frequency(freq)
        if csv_path is not None:
            first, values = read_series(csv_path, time_column, value_column, frequency)
            result = CostForecaster(level=level).forecast_values(
                values, horizon, frequency, first or datetime(1970, 1, 1, tzinfo=UTC))
            title = f"{csv_path.name}: {value_column} per {frequency.unit}"
        else:
            from cascadeflow.entrypoints.api.cost_forecaster import CostForecaster as Stored
            from cascadeflow.entrypoints.api.cost_tracker import CostTracker

            forecaster = Stored(CostTracker(store=database), level=level)
            result = forecaster.forecast_spend(horizon, frequency, user_id=user, model=model)
            title = "spend (USD)" + (f" of user {user}" if user else "") + (
                f" on {model}" if model else "")
        if as_json:
            print(json.dumps(result.to_dict(), indent=2))
        else:
            _print_forecast(result, title)


@app.command()
def anomalies(
    since: Annotated[Optional[datetime], typer.Option(  # noqa: UP045
        help="Check from this UTC time on (default: the last 24 hours).")] = None,
    user: Annotated[Optional[str], typer.Option(help="Only this user's spend.")] = None,  # noqa: UP045
    csv_path: CsvOption = None,
    time_column: TimeColumn = "timestamp",
    value_column: ValueColumn = "cost",
    freq: FreqOption = "H",
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Spend spikes, unusually expensive calls and runaway loops."""
    with reporting_errors():
        if csv_path is not None:
            found = csv_spikes(csv_path, time_column, value_column, parse_frequency(freq), since)
        else:
            from cascadeflow.entrypoints.api.anomaly_check import detect_anomalies
            from cascadeflow.entrypoints.api.cost_tracker import CostTracker

            start = as_utc(since) if since is not None else None
            found = detect_anomalies(CostTracker(store=database), start, user)
        if as_json:
            print(json.dumps([a.to_dict() for a in found], indent=2))
            return
        if not found:
            err.print("no anomalies found")
            return
        table = Table(title=f"{len(found)} anomalies", title_justify="left")
        for column in ("when (UTC)", "kind", "subject", "what"):
            table.add_column(column)
        for a in found:
            table.add_row(f"{a.at:%Y-%m-%d %H:%M}", a.kind.value, a.subject, a.message)
        out.print(table)


def read_series(path: Path, time_column: str, value_column: str, freq: Frequency
                ) -> tuple[datetime | None, list[float]]:
    """The CSV's values summed per period. Whole-number times count periods from
    1970-01-01 (e.g. a ``day`` column 0, 1, 2…)."""
    if not path.is_file():
        raise ConfigurationError(f"no such CSV file: {path}")
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [time_column, *value_column.split("+")]
    if rows and (missing := [c for c in columns if c not in rows[0]]):
        raise ConfigurationError(f"{path} has no column {', '.join(map(repr, missing))}; its "
                                 f"columns are: {', '.join(rows[0])}")
    points = [(_time(row[time_column], freq), _number(row, value_column.split("+")))
              for row in rows]
    return bucket(points, freq)


def csv_spikes(path: Path, time_column: str, value_column: str, freq: Frequency,
               since: datetime | None) -> list[Anomaly]:
    first, values = read_series(path, time_column, value_column, freq)
    if first is None:
        return []
    start = 0 if since is None else max((as_utc(since) - first) // freq.step, 0)
    rule = SpikeRule(recent=max(freq.seasons[0], 14), history=8 * freq.seasons[0])
    return [Anomaly(AnomalyKind.SPEND_SPIKE, first + freq.step * i, value_column, s.value,
                    s.expected, s.score, f"{value_column} was {s.value:,.0f}, {s.ratio:.1f}x "
                    f"the usual {s.expected:,.0f}")
            for i, s in spikes(values, freq.seasons[0], rule, start=start)]


def _time(text: str, freq: Frequency) -> datetime:
    text = text.strip()
    if text.lstrip("-").isdigit():
        return datetime(1970, 1, 1, tzinfo=UTC) + freq.step * int(text)
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ConfigurationError(
            f"cannot read the time {text!r}: use ISO 8601 (2026-03-01, 2026-03-01 14:00) "
            "or whole numbers counting periods") from None


def _number(row: dict[str, str], columns: list[str]) -> float:
    try:
        return sum(float(row[c] or 0) for c in columns)
    except ValueError:
        raise ConfigurationError(
            f"not a number in {'+'.join(columns)}: {[row[c] for c in columns]}") from None


def _print_forecast(result: Forecast, title: str) -> None:
    table = Table(title=f"forecast: {title}", title_justify="left")
    for column in ("period", "forecast", f"{result.level:.0%} interval"):
        table.add_column(column, justify="left" if column == "period" else "right")
    for point in result.points:
        table.add_row(f"{point.start:%Y-%m-%d %H:%M}", f"{point.value:,.4g}",
                      f"{point.lower:,.4g} – {point.upper:,.4g}")
    table.add_section()
    table.add_row("total", f"{result.total:,.4g}",
                  f"{result.total_lower:,.4g} – {result.total_upper:,.4g}")
    out.print(table)
    out.print(f"method: {result.method} ({result.history_periods} {result.freq.unit}s of "
              "history)")
    if result.backtest_error is not None and result.baseline_error is not None:
        out.print(f"backtest over {result.backtest_origins} origins: {result.backtest_error:.0%}"
                  f" mean error of the {result.horizon}-{result.freq.unit} total "
                  f"(recent mean: {result.baseline_error:.0%})")
    if result.note:
        out.print(f"note: {result.note}")
