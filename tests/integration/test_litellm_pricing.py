"""LiteLLMPricing against LiteLLM's real, bundled price map."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from cascadeflow.adapters.litellm_loader import load_litellm
from cascadeflow.adapters.litellm_pricing import LiteLLMPricing
from cascadeflow.domain.errors import UnknownModelPriceError
from cascadeflow.domain.models import ModelConfig, TokenPrice


@pytest.mark.parametrize("name", ["gpt-4o-mini", "gpt-4o"])
def test_known_models_are_priced_from_the_litellm_map(name: str) -> None:
    entry = load_litellm().model_cost[name]

    price = LiteLLMPricing().price(ModelConfig(name=name, provider="openai"))

    assert price == TokenPrice(entry["input_cost_per_token"], entry["output_cost_per_token"])


def test_a_configured_cost_per_1k_wins_over_the_map() -> None:
    entry = load_litellm().model_cost["gpt-4o-mini"]

    price = LiteLLMPricing().price(ModelConfig(name="gpt-4o-mini", cost=0.5))

    assert price == TokenPrice(0.5 / 1000, 0.5 / 1000) != TokenPrice(
        entry["input_cost_per_token"], entry["output_cost_per_token"])


def test_explicit_per_token_prices_win_over_the_map() -> None:
    config = ModelConfig(name="gpt-4o", input_cost_per_token=1e-6, output_cost_per_token=3e-6)

    assert LiteLLMPricing().price(config) == TokenPrice(1e-6, 3e-6)


def test_a_tiered_model_is_priced_at_its_base_tier() -> None:
    entry = load_litellm().model_cost["gemini-2.5-pro"]

    price = LiteLLMPricing().price(ModelConfig(name="gemini-2.5-pro", provider="vertex_ai"))

    assert price.input == entry["input_cost_per_token"]
    assert price.input < entry["input_cost_per_token_above_200k_tokens"]


def test_an_unknown_model_falls_back_to_its_configured_cost() -> None:
    config = ModelConfig(name="my-finetune-7b", provider="together_ai", cost=0.002)

    assert LiteLLMPricing().price(config) == TokenPrice(0.002 / 1000, 0.002 / 1000)


def test_an_unknown_model_without_cost_says_how_to_fix_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = ModelConfig(name="my-finetune-7b", provider="together_ai")

    with pytest.raises(UnknownModelPriceError, match=r"my-finetune-7b.*cost="):
        LiteLLMPricing().price(config)

    printed = capsys.readouterr()
    assert printed.out == printed.err == ""  # LiteLLM's hints stay quiet


def test_local_ollama_models_are_free() -> None:
    assert LiteLLMPricing().price(ModelConfig(name="llama3", provider="ollama")) == TokenPrice(
        0.0, 0.0
    )


def test_prices_are_looked_up_once_per_model() -> None:
    pricing = LiteLLMPricing()
    config = ModelConfig(name="gpt-4o-mini")

    assert pricing.price(config) is pricing.price(ModelConfig(name="gpt-4o-mini"))


def test_pricing_never_touches_the_network() -> None:
    # A fresh interpreter, because LiteLLM fetches its map (if allowed) at import time.
    script = textwrap.dedent(
        """
        import json, sys
        events = []
        sys.addaudithook(
            lambda event, args: events.append(event)
            if event in ("socket.connect", "socket.getaddrinfo") else None
        )
        from cascadeflow.adapters.litellm_pricing import LiteLLMPricing
        from cascadeflow.domain.models import ModelConfig
        pricing = LiteLLMPricing()
        pricing.price(ModelConfig(name="gpt-4o-mini"))
        pricing.price(ModelConfig(name="my-finetune-7b", provider="together_ai", cost=0.1))
        print(json.dumps(events))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
