"""Prices taken only from the ModelConfig: no price map, no LiteLLM import."""

from __future__ import annotations

from cascadeflow.application.ports import PricingCatalog
from cascadeflow.domain.errors import UnknownModelPriceError
from cascadeflow.domain.models import ModelConfig, TokenPrice


class ConfiguredPricing(PricingCatalog):
    def price(self, model: ModelConfig) -> TokenPrice:
        price = model.configured_price
        if price is None:
            raise UnknownModelPriceError(
                f"no price for model {model.name!r}: set cost= (USD per 1K tokens) or "
                "input_cost_per_token/output_cost_per_token on its ModelConfig"
            )
        return price
