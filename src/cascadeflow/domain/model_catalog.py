"""The models the built-in strategies and tier policies name, as ModelConfigs.

Prices are the seed plan's, in USD per 1K tokens. LiteLLM's price map wins where it
has an entry (deepseek-coder, gpt-3.5-turbo, gpt-4, gpt-4o, gpt-4o-mini); the others
(the Groq Llamas, the Claude aliases, med-palm-2) are absent from it or listed at a zero
placeholder, so these prices are what they are billed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cascadeflow.domain.models import ModelConfig

_SEED_PRICES: tuple[tuple[str, str, float], ...] = (
    ("llama-3.1-8b-instant", "groq", 0.00005),
    ("llama-3.3-70b-versatile", "groq", 0.00069),
    ("gpt-4o-mini", "openai", 0.00015),
    ("claude-3-5-haiku", "anthropic", 0.0008),
    ("claude-haiku", "anthropic", 0.0008),
    ("deepseek-coder", "deepseek", 0.0014),
    ("gpt-3.5-turbo", "openai", 0.002),
    ("gpt-4o", "openai", 0.0025),
    ("claude-sonnet-4", "anthropic", 0.009),
    ("claude-opus", "anthropic", 0.015),
    ("med-palm-2", "vertex_ai", 0.025),
    ("gpt-4", "openai", 0.03),
)

SEED_MODELS: Mapping[str, ModelConfig] = MappingProxyType(
    {name: ModelConfig(name=name, provider=provider, cost=cost) for name, provider, cost in _SEED_PRICES}
)
