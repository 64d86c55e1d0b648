"""The models the built-in presets use: names LiteLLM can call and price today.

The seed plan names some models that no provider serves under that name any more, or
that LiteLLM's price map lists as retired; ``CURRENT_NAMES`` says what each became and
``WHY_RENAMED`` why. Every model here declares its price, and a declared price wins
over LiteLLM's price map (so a preset run on fakes never loads LiteLLM): per input and
output token, as LiteLLM's map gives them (checked in tests/unit/test_presets_models.py),
so that a long answer is charged and reserved at the output price. The Groq Llamas, which
the map lacks, keep the seed's figures (USD per 1K tokens, input and output alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.strategies import CascadeStep, DomainCascadeStrategy

CODE_LLAMA_70B = "accounts/fireworks/models/code-llama-70b-instruct"

CURRENT_NAMES: Mapping[str, str] = MappingProxyType({
    "claude-3-5-haiku": "claude-haiku-4-5",
    "claude-haiku": "claude-haiku-4-5",
    "claude-sonnet-4": "claude-sonnet-4-6",
    "claude-opus": "claude-opus-4-6",
    "gpt-3.5-turbo": "gpt-4o-mini",
    "gpt-4": "gpt-4o",
    "med-palm-2": "medlm-large",
    "codellama-70b": CODE_LLAMA_70B,
})

WHY_RENAMED: Mapping[str, str] = MappingProxyType({
    "claude-3-5-haiku": "not an Anthropic model id; LiteLLM's map has no Claude 3.x left",
    "claude-haiku": "not an Anthropic model id",
    "claude-sonnet-4": "not an Anthropic model id (LiteLLM prices it at a $0 placeholder)",
    "claude-opus": "not an Anthropic model id",
    "gpt-3.5-turbo": "retired 2026-10-23 in LiteLLM's map",
    "gpt-4": "retired 2026-10-23 in LiteLLM's map",
    "med-palm-2": "not served; MedLM is Vertex AI's medical model in LiteLLM's map",
    "codellama-70b": "Fireworks serves Code Llama 70B under its accounts/fireworks path",
})

def _priced(name: str, provider: str, per_million_in: float, per_million_out: float) -> ModelConfig:
    return ModelConfig(name=name, provider=provider, input_cost_per_token=per_million_in / 1e6,
                       output_cost_per_token=per_million_out / 1e6)


# USD per million tokens in and out. medlm-large is priced per character by Google (and
# at $0 per token by LiteLLM): 4 characters to a token.
PRESET_MODELS: Mapping[str, ModelConfig] = MappingProxyType({m.name: m for m in (
    ModelConfig(name="llama-3.1-8b-instant", provider="groq", cost=0.00005),
    ModelConfig(name="llama-3.3-70b-versatile", provider="groq", cost=0.00069),
    _priced("gpt-4o-mini", "openai", 0.15, 0.60),
    _priced("deepseek-coder", "deepseek", 0.14, 0.28),
    _priced(CODE_LLAMA_70B, "fireworks_ai", 0.90, 0.90),
    _priced("gpt-4o", "openai", 2.50, 10.00),
    _priced("claude-haiku-4-5", "anthropic", 1.00, 5.00),
    _priced("claude-sonnet-4-6", "anthropic", 3.00, 15.00),
    _priced("claude-opus-4-6", "anthropic", 5.00, 25.00),
    replace(_priced("medlm-large", "vertex_ai", 20.0, 60.0), max_tokens=1024),
)})


def current_model(name: str) -> str:
    """The name to call today for a model the seed plan names (others unchanged)."""
    return CURRENT_NAMES.get(name, name)


def preset_model(
    name: str, *, quality_score: float | None = None, domains: tuple[str, ...] = (),
    max_tokens: int | None = None,
) -> ModelConfig:
    """A model of ``PRESET_MODELS`` (by its current or its seed name), described further."""
    model = PRESET_MODELS[current_model(name)]
    return replace(model, quality_score=quality_score, domains=domains,
                   max_tokens=max_tokens or model.max_tokens)


def current_strategy(strategy: DomainCascadeStrategy) -> DomainCascadeStrategy:
    """``strategy`` with every step and fallback model renamed to its current name."""
    return replace(strategy, steps=tuple(_current_step(step) for step in strategy.steps))


def _current_step(step: CascadeStep) -> CascadeStep:
    name = current_model(step.model)
    fallback = current_model(step.fallback_model) if step.fallback_model else None
    if name == step.model and fallback == step.fallback_model:
        return step
    known = PRESET_MODELS.get(name)
    provider = known.provider if known else step.provider
    return replace(step, model=name, provider=provider, fallback_model=fallback,
                   cost=None if name != step.model else step.cost)


# The models-only presets of cascadeflow 0.1: a models list for CascadeAgent(models=...).
PRESET_BEST_OVERALL: tuple[ModelConfig, ...] = (
    preset_model("claude-haiku-4-5", quality_score=0.85),
    preset_model("gpt-4o-mini", quality_score=0.80),
)
PRESET_ULTRA_FAST: tuple[ModelConfig, ...] = (
    preset_model("llama-3.1-8b-instant", quality_score=0.75),
    preset_model("llama-3.3-70b-versatile", quality_score=0.85),
)
PRESET_ULTRA_CHEAP: tuple[ModelConfig, ...] = (
    preset_model("llama-3.1-8b-instant", quality_score=0.75),
    preset_model("gpt-4o-mini", quality_score=0.80),
)
PRESET_OPENAI_ONLY: tuple[ModelConfig, ...] = (
    preset_model("gpt-4o-mini", quality_score=0.80),
    preset_model("gpt-4o", quality_score=0.95),
)
PRESET_ANTHROPIC_ONLY: tuple[ModelConfig, ...] = (
    preset_model("claude-haiku-4-5", quality_score=0.85),
    preset_model("claude-sonnet-4-6", quality_score=0.95),
)
# Ollama models run locally: free, and no key needed.
PRESET_FREE_LOCAL: tuple[ModelConfig, ...] = (
    ModelConfig(name="llama3.1:8b", provider="ollama", quality_score=0.70),
    ModelConfig(name="llama3.1:70b", provider="ollama", quality_score=0.85),
)

MODEL_PRESETS: Mapping[str, tuple[ModelConfig, ...]] = MappingProxyType({
    "best_overall": PRESET_BEST_OVERALL,
    "ultra_fast": PRESET_ULTRA_FAST,
    "ultra_cheap": PRESET_ULTRA_CHEAP,
    "openai_only": PRESET_OPENAI_ONLY,
    "anthropic_only": PRESET_ANTHROPIC_ONLY,
    "free_local": PRESET_FREE_LOCAL,
})
