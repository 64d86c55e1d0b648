from __future__ import annotations

import pytest

from cascadeflow import ConfigurationError, ModelConfig
from cascadeflow.telemetry import CostCalculator
from cascadeflow.testing import ConfiguredPricing


def test_splits_prompt_and_completion_cost_at_the_models_prices() -> None:
    model = ModelConfig(name="m", input_cost_per_token=1e-6, output_cost_per_token=4e-6)
    cost = CostCalculator(ConfiguredPricing()).calculate(model, 1000, 500)
    assert (cost.input_cost, cost.output_cost) == (pytest.approx(0.001), pytest.approx(0.002))
    assert cost.total_cost == pytest.approx(0.003) and cost.tokens == 1500


@pytest.mark.parametrize("tokens", [-1, 1.5, True])
def test_bad_token_counts_are_refused(tokens: object) -> None:
    with pytest.raises(ConfigurationError, match="input_tokens"):
        CostCalculator(ConfiguredPricing()).calculate(ModelConfig(name="m", cost=1.0), tokens, 1)  # type: ignore[arg-type]
