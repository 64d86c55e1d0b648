"""The nine providers cascadeflow supports, why each one, and their aliases."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from cascadeflow.domain.errors import UnsupportedProviderError

if TYPE_CHECKING:  # models.py imports this module
    from cascadeflow.domain.models import ModelConfig

_PROVIDER_INFO: Final = {
    "openai": {
        "value": "Industry standard, most reliable, GPT-4o",
        "cost_range": "$0.0015-0.025/1K tokens",
        "speed": "Fast (2-4s)",
        "use_case": "Essential verifier",
    },
    "anthropic": {
        "value": "Claude Sonnet 4.5, best reasoning",
        "cost_range": "$0.003-0.015/1K tokens",
        "speed": "Fast (2-3s)",
        "use_case": "Essential verifier",
    },
    "groq": {
        "value": "Ultra-fast inference (10x faster)",
        "cost_range": "Free tier, $0.0-0.001/1K tokens",
        "speed": "Ultra-fast (0.5-1s)",
        "use_case": "Perfect drafter",
    },
    "ollama": {
        "value": "Local, free, private, offline",
        "cost_range": "$0 (local)",
        "speed": "Moderate (2-5s)",
        "use_case": "Free tier drafter",
    },
    "fireworks_ai": {
        "value": "Fast inference for open models (Llama, Mistral)",
        "cost_range": "$0.0002-0.0009/1K tokens",
        "speed": "Fast (1-2s)",
        "use_case": "Cost-conscious production",
    },
    "together_ai": {
        "value": "Reliable open models, alternative to Groq",
        "cost_range": "$0.0002-0.0008/1K tokens",
        "speed": "Fast (1-3s)",
        "use_case": "Open model production",
    },
    "deepseek": {
        "value": "Cheapest coding model (Deepseek-Coder)",
        "cost_range": "$0.0014/1K tokens",
        "speed": "Fast (2-3s)",
        "use_case": "Code domain drafting (10x cheaper than GPT-4)",
    },
    "vertex_ai": {
        "value": "Gemini models, enterprise scale, GCP integration",
        "cost_range": "$0.00125-0.0075/1K tokens",
        "speed": "Fast (2-4s)",
        "use_case": "Enterprise customers on GCP",
    },
    "cohere": {
        "value": "Command models, specialized embeddings for RAG",
        "cost_range": "$0.0001-0.002/1K tokens",
        "speed": "Fast (1-3s)",
        "use_case": "Search/RAG applications",
    },
}

SUPPORTED_PROVIDERS: Final = MappingProxyType(
    {name: MappingProxyType(info) for name, info in _PROVIDER_INFO.items()}
)

PROVIDER_ALIASES: Final = MappingProxyType(
    {
        "fireworks": "fireworks_ai",
        "together": "together_ai",
        "google": "vertex_ai",
        "vertex": "vertex_ai",
    }
)


# Providers whose hosted APIs return token logprobs on request: online calibration asks
# them for logprobs even when a ModelConfig does not say supports_logprobs (a model served
# from an api_base of the user's own is asked only when it says so).
LOGPROB_PROVIDERS: Final = frozenset({"openai", "together_ai", "fireworks_ai", "deepseek"})


def wants_logprobs(model: ModelConfig, confidence_wanted: bool) -> bool:
    """Whether to ask for token logprobs: the model says it supports them, or a signal is
    wanted and its provider is known to give them."""
    return model.supports_logprobs or (
        confidence_wanted and model.provider in LOGPROB_PROVIDERS and model.api_base is None)


def unsupported_provider_message(provider: str) -> str:
    supported = ", ".join(SUPPORTED_PROVIDERS)
    return (
        f"Provider '{provider}' not supported. "
        f"CascadeFlow supports 9 strategic providers (not 100+): {supported}\n\n"
        "Why only 9? Each provider adds unique value:\n"
        "• Core 4 (openai, anthropic, groq, ollama) - Cover 95% of use cases\n"
        "• Specialized 5 (fireworks, together, deepseek, vertex, cohere) - "
        "Domain-specific value\n\n"
        "See docs/providers.md for details on each provider's unique value."
    )


def canonical_provider(provider: str) -> str:
    """The canonical name of a supported provider or alias, else UnsupportedProviderError."""
    key = provider.strip().lower()
    key = PROVIDER_ALIASES.get(key, key)
    if key not in SUPPORTED_PROVIDERS:
        raise UnsupportedProviderError(unsupported_provider_message(provider))
    return key


_NAME_HINTS: Final = (
    (("gpt-", "o1", "o3", "o4", "chatgpt", "text-embedding"), "openai"),
    (("claude",), "anthropic"),
    (("gemini", "med-palm", "palm"), "vertex_ai"),
    (("command",), "cohere"),
    (("deepseek",), "deepseek"),
    (("llama", "mixtral", "mistral", "qwen", "gemma"), "together_ai"),
)


def split_model_spec(spec: str) -> tuple[str, str]:
    """``"groq/llama-3.1-8b-instant"`` → (name, provider); a bare name gets its likely
    provider (gpt-* → openai, claude-* → anthropic, open-weights names → together_ai)."""
    head, sep, tail = spec.partition("/")
    if sep and head.strip().lower() in {*SUPPORTED_PROVIDERS, *PROVIDER_ALIASES}:
        return tail, canonical_provider(head)
    lowered = spec.lower()
    for prefixes, provider in _NAME_HINTS:
        if any(hint in lowered for hint in prefixes):
            return spec, provider
    return spec, "openai"
