from __future__ import annotations

import math

import pytest

from cascadeflow import ConfigurationError, ModelConfig, UnsupportedProviderError
from cascadeflow.domain.models import TokenPrice


def test_valid_config_keeps_values_and_canonicalises_aliases() -> None:
    model = ModelConfig(name="llama-v3-70b", provider="fireworks", cost=0.0009, domains=["code"])
    assert model.provider == "fireworks_ai"
    assert model.domains == ("code",)
    assert model.configured_price == TokenPrice(0.0009 / 1000, 0.0009 / 1000)


@pytest.mark.parametrize("alias,canonical", [("together", "together_ai"), ("google", "vertex_ai"),
                                             ("OpenAI", "openai")])
def test_aliases(alias: str, canonical: str) -> None:
    assert ModelConfig(name="m", provider=alias, cost=0).provider == canonical


@pytest.mark.parametrize("cost", [-0.001, math.nan, math.inf])
def test_bad_cost_says_what_to_change(cost: float) -> None:
    with pytest.raises(ConfigurationError, match=r"cost .* must be a finite number >= 0"):
        ModelConfig(name="gpt-4o", provider="openai", cost=cost)


def test_bad_per_token_price() -> None:
    with pytest.raises(ConfigurationError, match="output_cost_per_token"):
        ModelConfig(name="gpt-4o", output_cost_per_token=-1.0)


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name(name: str) -> None:
    with pytest.raises(ConfigurationError, match="name must be a non-empty model name"):
        ModelConfig(name=name, provider="openai", cost=0.001)


def test_unknown_provider_gets_the_explanatory_message() -> None:
    with pytest.raises(UnsupportedProviderError) as caught:
        ModelConfig(name="x", provider="bedrock", cost=0.001)
    message = str(caught.value)
    assert "Provider 'bedrock' not supported" in message
    assert "openai, anthropic, groq, ollama, fireworks_ai, together_ai, deepseek, vertex_ai, cohere" in message
    assert "docs/providers.md" in message


@pytest.mark.parametrize(
    "kwargs,fragment",
    [({"quality_score": 1.5}, "quality_score"), ({"max_tokens": 0}, "max_tokens"),
     ({"max_tokens": True}, "max_tokens"), ({"cost": "cheap"}, "must be a number")],
)
def test_other_bad_values(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        ModelConfig(name="m", provider="openai", **kwargs)  # type: ignore[arg-type]


def test_undeclared_price_is_none_except_local_ollama() -> None:
    assert ModelConfig(name="gpt-4o").configured_price is None
    assert ModelConfig(name="llama3", provider="ollama").configured_price == TokenPrice(0.0, 0.0)


def test_per_token_prices_win_over_cost() -> None:
    model = ModelConfig(name="m", cost=1.0, input_cost_per_token=1e-6, output_cost_per_token=2e-6)
    assert model.configured_price == TokenPrice(1e-6, 2e-6)
    assert model.configured_price.cost(1000, 500) == pytest.approx(0.002)
