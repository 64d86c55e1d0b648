"""The plan's LiteLLM integration: the nine supported providers and their prices.

Only the free LiteLLM library is used (its provider abstraction and bundled price map),
never its proxy. Prices come from ``litellm.cost_per_token`` through the pricing adapter;
the plan's ``get_model_cost_map(model)`` and ``completion_cost(model=, prompt_tokens=…)``
calls do not exist in LiteLLM.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from cascadeflow.adapters.litellm_pricing import LiteLLMPricing
from cascadeflow.domain.errors import ConfigurationError, UnknownModelPriceError
from cascadeflow.domain.models import ModelConfig, TokenPrice
from cascadeflow.domain.providers import (
    PROVIDER_ALIASES,
    SUPPORTED_PROVIDERS,
    canonical_provider,
)

LITELLM_AVAILABLE = importlib.util.find_spec("litellm") is not None

__all__ = [
    "LITELLM_AVAILABLE",
    "PROVIDER_ALIASES",
    "SUPPORTED_PROVIDERS",
    "LiteLLMCostProvider",
]


class LiteLLMCostProvider:
    """Prices from LiteLLM's bundled price map, for the nine supported providers.

    A provider outside the nine (aliases such as ``fireworks``, ``together`` and
    ``google`` are accepted) raises ``UnsupportedProviderError``, a ``ValueError``, with
    the plan's explanation. A model the map does not know raises
    ``UnknownModelPriceError`` unless ``fallback_cost_per_1k`` gives it a price.
    """

    def __init__(self, fallback_cost_per_1k: Mapping[str, float] | None = None) -> None:
        self._pricing = LiteLLMPricing()
        self._fallback = dict(fallback_cost_per_1k or {})

    def validate_provider(self, provider: str) -> str:
        """The provider's canonical name, or UnsupportedProviderError."""
        return canonical_provider(provider)

    def get_model_price(self, model: str, provider: str) -> TokenPrice:
        """USD per input token and per output token."""
        fallback = self._fallback.get(model)
        try:
            mapped = self._pricing.price(ModelConfig(name=model, provider=provider))
        except UnknownModelPriceError:
            if fallback is None:
                raise
            mapped = TokenPrice(0.0, 0.0)
        # a fallback, as its name says: the map's price wins where it has one, but not its
        # $0 placeholders for some hosted models
        if fallback is not None and not (mapped.input or mapped.output):
            return TokenPrice(fallback / 1000.0, fallback / 1000.0)
        return mapped

    def get_model_cost(self, model: str, provider: str) -> float:
        """USD per 1K tokens, input and output averaged (the plan's single figure)."""
        return self.get_model_price(model, provider).blended_per_1k

    def calculate_cost(
        self, model: str, provider: str, input_tokens: int, output_tokens: int
    ) -> float:
        """USD for one call with these token counts."""
        for label, count in (("input_tokens", input_tokens), ("output_tokens", output_tokens)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ConfigurationError(f"{label} must be an integer >= 0, got {count!r}")
        return self.get_model_price(model, provider).cost(input_tokens, output_tokens)

    def get_provider_info(self, provider: str) -> dict[str, str]:
        """Why this provider: its value, cost range, speed and use case."""
        return dict(SUPPORTED_PROVIDERS[self.validate_provider(provider)])
