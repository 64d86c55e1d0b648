"""The config file: TOML or YAML, secrets from the environment, errors naming the field;
and what `cascadeflow serve` does without one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.entrypoints.cli.main import app
from cascadeflow.entrypoints.rest.config import hash_key, load_config
from cascadeflow.entrypoints.rest.setup import resolve_setup

TOML = """
database_url = "sqlite:///./gateway.db"
[server]
port = 9000
max_body_bytes = 2048

[[models]]
name = "gpt-4o-mini"
api_key = "${UPSTREAM_KEY}"

[[models]]
name = "gpt-4o"

[presets]
cheap = ["gpt-4o-mini"]

[users.alice]
tier = "pro"
budget = { daily = 1.5 }

[tiers.pro]

[[keys]]
user = "alice"
key = "${ALICE_KEY}"
"""

YAML = """
models:
  - name: gpt-4o-mini
default_budget: {monthly: 10}
keys:
  - {user: root, role: admin, sha256: "%s"}
""" % hash_key("k")


def test_toml_with_secrets_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(TOML)
    config = load_config(path, {"UPSTREAM_KEY": "sk-up", "ALICE_KEY": "cf-alice"})
    assert config.server.port == 9000 and config.presets == {"cheap": ["gpt-4o-mini"]}
    assert config.models[0].to_model_config().api_key == "sk-up"
    assert config.keys[0].digest == hash_key("cf-alice")
    assert "sk-up" not in repr(config) and "cf-alice" not in repr(config)


def test_yaml(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(YAML)
    config = load_config(path, {})
    assert config.default_budget is not None and config.default_budget.monthly == 10


@pytest.mark.parametrize(("edit", "field"), [
    (("port = 9000", "port = -1"), "server.port"),
    (("daily = 1.5", "daily = -2"), "users.alice.budget.daily"),
    (('cheap = ["gpt-4o-mini"]', 'cheap = ["gpt-5-ultra"]'), "presets.cheap"),
    (('tier = "pro"', 'tier = "gold"'), "users.alice.tier"),
    (('key = "${ALICE_KEY}"', 'keyz = "x"'), "keys.0"),
    (("max_body_bytes = 2048", "max_body_byte = 2048"), "server.max_body_byte"),
])
def test_errors_name_the_bad_field(tmp_path: Path, edit: tuple[str, str], field: str) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(TOML.replace(*edit))
    with pytest.raises(ConfigurationError, match=rf"{field}") as bad:
        load_config(path, {"UPSTREAM_KEY": "sk-up", "ALICE_KEY": "cf-alice"})
    assert str(path) in str(bad.value)


def test_the_same_key_twice_is_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(TOML + '\n[[keys]]\nuser = "root"\nrole = "admin"\nsha256 = "%s"\n' % hash_key("cf-alice"))
    with pytest.raises(ConfigurationError, match="keys.0 and keys.1 are the same API key .users 'alice' and 'root'"):
        load_config(path, {"UPSTREAM_KEY": "sk-up", "ALICE_KEY": "cf-alice"})


def test_a_missing_environment_variable_is_named_with_its_field(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text(TOML)
    with pytest.raises(ConfigurationError, match=r"models\.0\.api_key: refers to \$\{UPSTREAM_KEY\}"):
        load_config(path, {"ALICE_KEY": "x"})


def test_without_config_the_models_come_from_the_provider_keys_present() -> None:
    setup = resolve_setup(None, None, {"ANTHROPIC_API_KEY": "x", "CASCADEFLOW_GATEWAY_KEY": "k"})
    assert [m.name for m in setup.config.models] == ["claude-haiku-4-5", "claude-sonnet-4-6"]
    assert setup.config.keys[0].role == "admin" and setup.config.keys[0].digest == hash_key("k")
    with pytest.raises(ConfigurationError, match="cascadeflow serve --replay"):
        resolve_setup(None, None, {"CASCADEFLOW_GATEWAY_KEY": "k"})


def test_serve_refuses_to_start_without_any_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEEPSEEK_API_KEY", "GROQ_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    outcome = CliRunner().invoke(app, ["serve"])
    assert outcome.exit_code == 2
    assert "OPENAI_API_KEY" in outcome.output and "--replay" in outcome.output
    assert "no model to serve" in outcome.output
    assert "CASCADEFLOW_GATEWAY_KEY" not in os.environ  # nothing leaks from a failed start


def test_serve_reports_a_bad_config_file(tmp_path: Path) -> None:
    path = tmp_path / "gateway.toml"
    path.write_text("[[models]]\nname = 'gpt-4o'\ncost = -1\n")
    outcome = CliRunner().invoke(app, ["serve", "--config", str(path)])
    assert outcome.exit_code == 2 and "models.0.cost" in outcome.output


def test_gateway_key_prints_a_key_and_its_hash() -> None:
    outcome = CliRunner().invoke(app, ["gateway-key", "--user", "alice", "--role", "admin"])
    assert outcome.exit_code == 0, outcome.output
    key = outcome.stdout.splitlines()[0]
    assert f'sha256 = "{hash_key(key)}"' in outcome.stdout
