"""`cascadeflow forecast` and `cascadeflow anomalies` on CSV series and the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascadeflow.entrypoints.cli.main import app

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
runner = CliRunner()


def write_csv(path: Path, rows: list[tuple[str, float]]) -> Path:
    path.write_text("day,cost\n" + "".join(f"{d},{v}\n" for d, v in rows))
    return path


def test_forecast_from_a_csv_as_json(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "spend.csv",
                    [(str(d), 4.0 if d % 7 in (5, 6) else 10.0) for d in range(42)])

    done = runner.invoke(app, ["forecast", "--csv", str(csv), "--time-column", "day",
                               "--value-column", "cost", "--freq", "D", "--horizon", "7", "--json"])

    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["horizon"] == 7 and result["total"] == pytest.approx(58, rel=0.05)
    assert result["method"].startswith("mean of ")


def test_a_missing_column_is_a_usage_error(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "spend.csv", [("0", 1.0)])
    done = runner.invoke(app, ["forecast", "--csv", str(csv), "--time-column", "date"])
    assert done.exit_code == 2 and "no column 'date'" in done.output


def test_an_empty_store_gets_a_clear_answer() -> None:
    done = runner.invoke(app, ["forecast", "--database", "memory", "--horizon", "3"])
    assert done.exit_code == 0, done.output
    assert "no usage history" in done.stdout
    done = runner.invoke(app, ["anomalies", "--database", "memory"])
    assert done.exit_code == 0 and "no anomalies" in done.output


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data beside the repository")
def test_forecast_and_anomalies_on_the_shared_burstgpt_trace() -> None:
    trace = str(SHARED / "usage_trace_dev_burstgpt1_daily.csv")
    common = ["--csv", trace, "--time-column", "day", "--value-column", "total_tokens",
              "--freq", "D"]

    forecast = runner.invoke(app, ["forecast", *common, "--horizon", "7", "--json"])
    anomalies = runner.invoke(app, ["anomalies", *common, "--json"])

    assert forecast.exit_code == 0, forecast.output
    result = json.loads(forecast.stdout)
    assert result["history_periods"] == 61 and result["backtest_origins"] > 0
    assert anomalies.exit_code == 0, anomalies.output
    assert {a["kind"] for a in json.loads(anomalies.stdout)} <= {"spend_spike"}
