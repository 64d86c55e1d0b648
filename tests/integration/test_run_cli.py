"""`cascadeflow run` against real HTTP on loopback, through LiteLLM."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cascadeflow.entrypoints.cli.main import app

from .openai_server import Fail, OpenAIServer, Reply

runner = CliRunner()


def test_run_escalates_and_prints_model_cost_and_savings(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    openai_server.script("gpt-4o-mini", Reply("I'm not sure.", prompt_tokens=12, completion_tokens=4))
    openai_server.script("gpt-4o", Reply("391", prompt_tokens=12, completion_tokens=2))
    outcome = runner.invoke(app, ["run", "What is 17 * 23?", "--model", "gpt-4o", "--model",
                                  "gpt-4o-mini", "--api-base", openai_server.base_url, "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout)
    assert result["content"] == "391" and result["model_used"] == "gpt-4o"
    assert [c["verdict"] for c in result["calls"]] == ["rejected", "accepted"]
    assert [r["model"] for r in openai_server.requests] == ["gpt-4o-mini", "gpt-4o"]
    assert result["total_cost"] > 0

    openai_server.script("gpt-4o-mini", Reply("391", prompt_tokens=12, completion_tokens=2))
    # fixed rules ("fast") accept the good draft at once; online calibration would first
    # check it against gpt-4o (its own tests are in test_online_cascade.py)
    table = runner.invoke(app, ["run", "What is 17 * 23?", "-m", "gpt-4o-mini", "-m", "gpt-4o",
                                "--api-base", openai_server.base_url, "--quality", "fast"])
    assert table.exit_code == 0, table.output
    assert "391" in table.stdout and "model used gpt-4o-mini" in table.stdout
    assert "saved $" in table.stdout


def test_run_reports_every_failure_with_an_exit_code(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    openai_server.script("gpt-4o-mini", Fail(500, "boom"))
    openai_server.script("gpt-4o", Fail(400, "bad request"))
    outcome = runner.invoke(app, ["run", "Hi", "-m", "gpt-4o-mini", "-m", "gpt-4o",
                                  "--api-base", openai_server.base_url])
    assert outcome.exit_code == 3
    assert "every model failed" in outcome.output and "boom" in outcome.output


def test_run_refuses_an_unpriced_model_before_calling_anything() -> None:
    outcome = runner.invoke(app, ["run", "Hi", "-m", "my-private-model", "-m", "gpt-4o"])
    assert outcome.exit_code == 2
    assert "no price for model 'my-private-model'" in outcome.output
