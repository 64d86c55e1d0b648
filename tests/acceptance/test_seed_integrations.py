"""The seed plan's Part 2 (integration layer) as a user writes it: the LiteLLM cost
provider with its nine providers and its validation message (2.1), and the OpenTelemetry
exporter (2.2). LiteLLM's bundled price map is read offline; nothing leaves the machine.
"""

from __future__ import annotations

import pytest

from cascadeflow.testing import FakeProvider

# The plan's message, verbatim, for a provider outside the nine.
PLAN_MESSAGE = (
    "Provider 'mistral' not supported. "
    "CascadeFlow supports 9 strategic providers (not 100+): openai, anthropic, groq, ollama, "
    "fireworks_ai, together_ai, deepseek, vertex_ai, cohere\n\n"
    "Why only 9? Each provider adds unique value:\n"
    "• Core 4 (openai, anthropic, groq, ollama) - Cover 95% of use cases\n"
    "• Specialized 5 (fireworks, together, deepseek, vertex, cohere) - Domain-specific value\n\n"
    "See docs/providers.md for details on each provider's unique value."
)


def test_2_1_supported_providers_and_the_validation_message() -> None:
    from cascadeflow.integrations.litellm import (
        LITELLM_AVAILABLE,
        SUPPORTED_PROVIDERS,
        LiteLLMCostProvider,
    )

    assert LITELLM_AVAILABLE
    assert list(SUPPORTED_PROVIDERS) == ["openai", "anthropic", "groq", "ollama", "fireworks_ai",
                                         "together_ai", "deepseek", "vertex_ai", "cohere"]
    assert SUPPORTED_PROVIDERS["deepseek"]["use_case"] == "Code domain drafting (10x cheaper than GPT-4)"

    provider = LiteLLMCostProvider()
    provider.validate_provider("openai")
    with pytest.raises(ValueError) as raised:
        provider.validate_provider("mistral")
    assert str(raised.value) == PLAN_MESSAGE
    assert provider.get_provider_info("groq") == SUPPORTED_PROVIDERS["groq"]


def test_2_1_prices_come_from_litellms_map() -> None:
    from cascadeflow.adapters.litellm_loader import load_litellm
    from cascadeflow.integrations.litellm import LiteLLMCostProvider

    entry = load_litellm().model_cost["gpt-4o-mini"]
    provider = LiteLLMCostProvider()

    cost = provider.calculate_cost(model="gpt-4o-mini", provider="openai", input_tokens=1000,
                                   output_tokens=500)
    per_1k = provider.get_model_cost("gpt-4o-mini", "openai")

    assert cost == pytest.approx(1000 * entry["input_cost_per_token"] + 500 * entry["output_cost_per_token"])
    # one figure per 1K tokens, as the plan has it: input and output averaged
    assert per_1k == pytest.approx((entry["input_cost_per_token"] + entry["output_cost_per_token"]) * 500)


def test_2_1_an_unknown_model_is_an_error_not_a_free_call() -> None:
    """The plan's get_model_cost logs a warning and returns 0.0 for a model the map lacks,
    which would let spend through every budget unseen; cascadeflow raises instead
    (ARCHITECTURE.md: unknown model → its ModelConfig cost → else UnknownModelPriceError)
    and takes a fallback price when one is given."""
    from cascadeflow.domain.errors import UnknownModelPriceError
    from cascadeflow.integrations.litellm import LiteLLMCostProvider

    with pytest.raises(UnknownModelPriceError, match="cost="):
        LiteLLMCostProvider().get_model_cost("my-finetune", "together_ai")
    priced = LiteLLMCostProvider(fallback_cost_per_1k={"my-finetune": 0.002})
    assert priced.get_model_cost("my-finetune", "together_ai") == pytest.approx(0.002)


async def test_2_2_opentelemetry_exporter_with_the_default_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Metrics are recorded in memory and exported in the background (every 60 s, and at
    exit): building the exporter and counting costs never waits on the collector. When
    nothing listens on localhost:4318 the OTLP exporter retries for up to its timeout
    (10 s by default) when it flushes; a short one keeps this test's shutdown quick. The
    export itself is checked against a real OTLP receiver in
    tests/integration/test_otel_otlp.py."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "0.2")
    from cascadeflow import CascadeAgent, ModelConfig
    from cascadeflow.integrations.otel import OTEL_AVAILABLE, OpenTelemetryExporter

    assert OTEL_AVAILABLE
    exporter = OpenTelemetryExporter(endpoint="http://localhost:4318")
    try:
        exporter.export_cost(cost=0.0012, user_id="user_123", model="gpt-4o-mini", provider="openai")

        agent = CascadeAgent(models=[ModelConfig(name="gpt-4o-mini", provider="openai")],
                             telemetry=exporter, provider=FakeProvider(default="Paris."))
        assert (await agent.run("Capital of France?", user_id="user_123")).content == "Paris."
        assert exporter.endpoint == "http://localhost:4318"
        # the plan's attributes: its meter and its two counters, usable as the plan uses them
        assert exporter.meter is not None
        exporter.cost_counter.add(0.5, attributes={"user_id": "user_123", "model": "gpt-4o", "provider": "openai"})
        exporter.token_counter.add(12, attributes={"model": "gpt-4o"})
    finally:
        exporter.shutdown()
