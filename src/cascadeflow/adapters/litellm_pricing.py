"""Prices a ModelConfig declares, else from LiteLLM's bundled price map."""

from __future__ import annotations

from cascadeflow.adapters.litellm_loader import litellm_model_id, load_litellm
from cascadeflow.application.ports import PricingCatalog
from cascadeflow.domain.errors import UnknownModelPriceError
from cascadeflow.domain.models import ModelConfig, TokenPrice


class LiteLLMPricing(PricingCatalog):
    """USD per token, in this order: the price the ModelConfig declares (per-token
    prices, else ``cost`` per 1K tokens), LiteLLM's price map, else
    UnknownModelPriceError. What the user wrote wins, and a model priced by its config
    never loads LiteLLM (seconds of import).
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], TokenPrice] = {}

    def price(self, model: ModelConfig) -> TokenPrice:
        configured = model.configured_price
        if configured is not None:
            return configured
        key = (model.name, model.provider)
        if key not in self._cache:
            self._cache[key] = self._look_up(model)
        return self._cache[key]

    def _look_up(self, model: ModelConfig) -> TokenPrice:
        mapped = _from_price_map(model)
        if mapped is not None:
            return mapped
        raise UnknownModelPriceError(
            f"no price for model {model.name!r} (provider {model.provider!r}): LiteLLM's "
            "price map has no entry for it. Set cost= (USD per 1K tokens) or "
            "input_cost_per_token/output_cost_per_token on its ModelConfig, or use the "
            "model name LiteLLM knows (see litellm.model_cost)."
        )


def _from_price_map(model: ModelConfig) -> TokenPrice | None:
    litellm = load_litellm()
    for candidate in dict.fromkeys((litellm_model_id(model.name, model.provider), model.name)):
        try:
            # One token each, not a million: tiered models (long-context surcharges)
            # would otherwise report the price of the upper tier.
            input_cost, output_cost = litellm.cost_per_token(
                model=candidate, prompt_tokens=1, completion_tokens=1
            )
        except Exception:  # LiteLLM raises several unrelated types for "not mapped"
            continue
        if isinstance(input_cost, (int, float)) and isinstance(output_cost, (int, float)):
            return TokenPrice(float(input_cost), float(output_cost))
    return None
