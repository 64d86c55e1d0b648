"""Exports and the usage report, from a real SQLite database on disk."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascadeflow.entrypoints.cli.main import app
from cascadeflow.telemetry import BudgetConfig, CostTracker
from cascadeflow.testing import FakeClock

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'usage.db'}"
    clock = FakeClock(datetime(2026, 11, 2, 12, tzinfo=UTC))
    tracker = CostTracker(store=url, clock=clock, user_budgets={"alice": BudgetConfig(daily=1.0)})
    tracker.add_cost("gpt-4o", "openai", 1200, 0.03, user_id="alice", query_id="q1",
                     metadata={"feature": "chat, with comma"})
    clock.advance(86_400)
    tracker.add_cost("claude-3-5-haiku", "anthropic", 800, 0.002, user_id="bob")
    clock.advance(60)
    tracker.add_cost("gpt-4o-mini", "openai", 300, 0.0004, user_id="alice")
    return url


def test_python_export_in_three_formats_round_trips(database: str, tmp_path: Path) -> None:
    tracker = CostTracker(store=database)
    assert tracker.export(tmp_path / "all.json", format="json") == 3
    rows = json.loads((tmp_path / "all.json").read_text())
    assert [r["model"] for r in rows] == ["gpt-4o", "claude-3-5-haiku", "gpt-4o-mini"]
    assert rows[0]["metadata"] == {"feature": "chat, with comma"} and rows[0]["query_id"] == "q1"
    assert rows[0]["timestamp"].startswith("2026-11-02T12:00:00")

    assert tracker.export(tmp_path / "alice.csv", format="csv", user_id="alice") == 2
    with (tmp_path / "alice.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert {r["user_id"] for r in table} == {"alice"}
    assert json.loads(table[0]["metadata"]) == {"feature": "chat, with comma"}

    since = datetime(2026, 11, 3, tzinfo=UTC)
    assert tracker.export(tmp_path / "recent.db", format="sqlite", since=since) == 2
    with sqlite3.connect(tmp_path / "recent.db") as db:
        costs = db.execute("SELECT model, cost FROM cost_entries ORDER BY cost").fetchall()
    assert costs == [("gpt-4o-mini", 0.0004), ("claude-3-5-haiku", 0.002)]


def test_unknown_export_format_is_a_clear_error(database: str, tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["export", "--format", "xml", "--out", str(tmp_path / "x"),
                                  "--database", database])
    assert outcome.exit_code == 2 and "use one of json, csv, sqlite" in outcome.output


def test_cli_export_with_user_and_since(database: str, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    outcome = runner.invoke(app, ["export", "--format", "json", "--out", str(target), "--user",
                                  "alice", "--since", "2026-11-03", "--database", database])
    assert outcome.exit_code == 0, outcome.output
    assert [r["model"] for r in json.loads(target.read_text())] == ["gpt-4o-mini"]


def test_cli_usage_tables(database: str) -> None:
    outcome = runner.invoke(app, ["usage", "--database", database])
    assert outcome.exit_code == 0, outcome.output
    for text in ("spend of all users", "by model", "by provider", "gpt-4o", "anthropic", "$0.032400"):
        assert text in outcome.stdout
    mine = runner.invoke(app, ["usage", "--user", "alice", "--database", database])
    # budgets live in the Python config (the gateway stores them), so no limit shows here
    assert mine.exit_code == 0 and "$0.030400" in mine.stdout and "claude" not in mine.stdout
    stranger = runner.invoke(app, ["usage", "--user", "mallory", "--database", database])
    assert stranger.exit_code == 2 and "'mallory'" in stranger.output


def test_cli_verifies_and_rebuilds_the_running_totals(database: str) -> None:
    fine = runner.invoke(app, ["usage", "--verify", "--database", database])
    assert fine.exit_code == 0 and "match the 3 stored entries" in fine.stdout

    with sqlite3.connect(database.removeprefix("sqlite:///")) as raw:  # tampered with
        raw.execute("UPDATE cascadeflow_spend_totals SET spent = spent * 2 WHERE scope = 'u:bob'")
    broken = runner.invoke(app, ["usage", "--verify", "--database", database])
    assert broken.exit_code == 1 and "u:bob total" in broken.stdout
    assert "differ from the entries" in broken.stderr

    rebuilt = runner.invoke(app, ["usage", "--rebuild-totals", "--database", database])
    assert rebuilt.exit_code == 0 and "match the 3 stored entries" in rebuilt.stdout


def test_bad_database_url_is_a_clear_error() -> None:
    outcome = runner.invoke(app, ["usage", "--database", "not a url"])
    assert outcome.exit_code == 2
    assert "sqlite:///" in outcome.output


def test_the_tracker_says_where_it_keeps_spend(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="cascadeflow.cost")
    CostTracker(store=f"sqlite:///{tmp_path / 'where.db'}").total_cost
    assert any("where.db" in r.getMessage() for r in caplog.records)
