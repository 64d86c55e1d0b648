"""CostCalculator: stateless pricing of a call, from LiteLLM's price map or a
ModelConfig's own price."""

from __future__ import annotations

from cascadeflow.application.ports import PricingCatalog
from cascadeflow.bootstrap import pricing_catalog
from cascadeflow.domain.budgets import CostBreakdown
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig


class CostCalculator:
    def __init__(self, pricing: PricingCatalog | None = None) -> None:
        self._pricing = pricing

    @property
    def pricing(self) -> PricingCatalog:
        if self._pricing is None:
            self._pricing = pricing_catalog()
        return self._pricing

    def calculate(self, model: ModelConfig, input_tokens: int, output_tokens: int) -> CostBreakdown:
        for label, value in (("input_tokens", input_tokens), ("output_tokens", output_tokens)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigurationError(f"{label} must be an integer >= 0, got {value!r}")
        price = self.pricing.price(model)
        return CostBreakdown(
            model=model.name,
            provider=model.provider,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            input_cost=price.input * input_tokens,
            output_cost=price.output * output_tokens,
        )
