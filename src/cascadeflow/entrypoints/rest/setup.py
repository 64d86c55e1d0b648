"""What a gateway process is built from, whichever way it was started: a config file,
a replayed trace, or the embedded defaults (the providers whose keys are set)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from cascadeflow.application.ports import (
    BudgetStore,
    CalibrationStore,
    RateLimitStore,
    Clock,
    CompletionProvider,
    IdGenerator,
    PricingCatalog,
    UsageStore,
)
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.entrypoints.rest.config import (
    GatewayConfig,
    KeySettings,
    ModelSettings,
    load_config,
)

# Environment handed from `cascadeflow serve` to each worker process.
CONFIG_ENV = "CASCADEFLOW_GATEWAY_CONFIG"
REPLAY_ENV = "CASCADEFLOW_GATEWAY_REPLAY"
KEY_ENV = "CASCADEFLOW_GATEWAY_KEY"

# Per provider with a key in the environment: a cheap drafter and a strong verifier that
# LiteLLM can call and price today (groq is absent from its map, so it is priced here).
DEFAULT_MODELS: Mapping[str, tuple[dict[str, object], ...]] = {
    "OPENAI_API_KEY": ({"name": "gpt-4o-mini", "provider": "openai"},
                       {"name": "gpt-4o", "provider": "openai"}),
    "ANTHROPIC_API_KEY": ({"name": "claude-haiku-4-5", "provider": "anthropic"},
                          {"name": "claude-sonnet-4-6", "provider": "anthropic"}),
    "DEEPSEEK_API_KEY": ({"name": "deepseek-chat", "provider": "deepseek"},),
    "GROQ_API_KEY": ({"name": "llama-3.1-8b-instant", "provider": "groq",
                      "input_cost_per_token": 5e-8, "output_cost_per_token": 8e-8},),
}

NO_PROVIDER = (
    "no model to serve: no --config was given and none of "
    + ", ".join(DEFAULT_MODELS)
    + " is set in the environment.\n"
    "  - set a provider key, e.g. export OPENAI_API_KEY=sk-...\n"
    "  - or describe models, keys and budgets in a config file: cascadeflow serve --config "
    "gateway.toml (see docs/gateway.md)\n"
    "  - or try the gateway without any key by replaying a recorded trace: "
    "cascadeflow serve --replay gsm8k"
)


@dataclass(frozen=True, slots=True)
class GatewaySetup:
    """The config plus any adapters chosen instead of the production ones."""

    config: GatewayConfig
    provider: CompletionProvider | None = None
    pricing: PricingCatalog | None = None
    usage: UsageStore | None = None
    budgets: BudgetStore | None = None
    calibration: CalibrationStore | None = None
    rate_limits: RateLimitStore | None = None
    clock: Clock | None = None
    ids: IdGenerator | None = None


def default_config(environ: Mapping[str, str]) -> GatewayConfig:
    models = [m for env, ms in DEFAULT_MODELS.items() if environ.get(env) for m in ms]
    if not models:
        raise ConfigurationError(NO_PROVIDER)
    return GatewayConfig.model_validate({"models": models})


def resolve_setup(
    config_path: Path | None, replay: str | None, environ: Mapping[str, str] | None = None
) -> GatewaySetup:
    """A config file, else the embedded defaults; ``replay`` swaps the models for a
    trace's. With no API key configured, ``CASCADEFLOW_GATEWAY_KEY`` is the admin key."""
    env = os.environ if environ is None else environ
    config = load_config(config_path, env) if config_path is not None else None
    setup = GatewaySetup(config) if config is not None else None
    if replay is not None:
        from cascadeflow.bootstrap import replay as replay_trace

        served = replay_trace(replay)
        models = [ModelSettings(name=m.name, provider=m.provider, cost=m.cost) for m in served.models]
        base = config.model_dump() if config is not None else {}
        base.update(models=[m.model_dump() for m in models], default_models=None,
                    presets={}, domains={}, tiers={})
        setup = GatewaySetup(_revalidate(base), provider=served.provider, pricing=served.pricing)
    if setup is None:
        setup = GatewaySetup(default_config(env))
    if not setup.config.keys:
        key = env.get(KEY_ENV)
        if not key:
            raise ConfigurationError(
                f"no API key configured: add [[keys]] to the config file or set {KEY_ENV}"
            )
        admin = KeySettings(user="admin", role="admin", key=SecretStr(key))
        setup = GatewaySetup(setup.config.model_copy(update={"keys": [admin]}), setup.provider,
                             setup.pricing)
    return setup


def _revalidate(raw: dict[str, object]) -> GatewayConfig:
    # model_dump turns secrets into SecretStr objects, which validate back as themselves
    return GatewayConfig.model_validate(raw)
