"""`cascadeflow calibration status`: what online calibration learnt, read from the database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.online_policy import OnlineSettings
from cascadeflow.entrypoints.cli.main import app
from cascadeflow.telemetry import CostTracker
from cascadeflow.testing import ConfiguredPricing, FakeProvider

runner = CliRunner()


def test_status_shows_each_route_from_the_usage_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'usage.db'}"
    fake = FakeProvider({"small": ["Paris."], "large": ["Paris"]})
    agent = CascadeAgent(models=[ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)],
                         provider=fake, pricing=ConfiguredPricing(), cost_tracker=CostTracker(store=url),
                         calibration=OnlineSettings(min_labels=5, refit_every=1))
    for i in range(40):
        agent.run_sync(f"Capital of France? ({i})")

    outcome = runner.invoke(app, ["calibration", "status", "--database", url, "--json"])
    assert outcome.exit_code == 0, outcome.output
    (route,) = json.loads(outcome.stdout)["routes"]
    assert route["route"] == "small -> large" and route["disagreements"] == 0
    assert route["labels"] >= 5 and route["accepted_share"] > 0
    table = runner.invoke(app, ["calibration", "status", "--database", url])
    assert table.exit_code == 0 and "small -> large" in table.stdout


def test_status_of_an_empty_database(tmp_path: Path) -> None:
    outcome = runner.invoke(app, ["calibration", "status", "--database", f"sqlite:///{tmp_path / 'x.db'}"])
    assert outcome.exit_code == 0 and "no online calibration evidence yet" in outcome.stdout


def test_a_domains_route_is_shown_under_its_whole_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'usage.db'}"
    fake = FakeProvider({"small": ["Paris."], "large": ["Paris"]})
    agent = CascadeAgent(models=[ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)],
                         provider=fake, pricing=ConfiguredPricing(), cost_tracker=CostTracker(store=url),
                         calibration=OnlineSettings(min_labels=5, refit_every=1))
    for i in range(10):
        agent.run_sync(f"Capital of France? ({i})", domain="geography")
    outcome = runner.invoke(app, ["calibration", "status", "--database", url, "--json"])
    routes = {r["route"] for r in json.loads(outcome.stdout)["routes"]}
    assert routes == {"small -> large", "small -> large [domain geography]"}
    table = runner.invoke(app, ["calibration", "status", "--database", url, "--route", "domain"], env={"COLUMNS": "200"})
    assert "[domain geography]" in table.stdout  # not swallowed as console markup
