"""What a model is and what it costs, as the user configures it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cascadeflow.domain.amounts import check_usd
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.providers import canonical_provider


@dataclass(frozen=True, slots=True)
class TokenPrice:
    """USD per input token and per output token."""

    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return self.input * input_tokens + self.output * output_tokens

    @property
    def blended_per_1k(self) -> float:
        """Mean of the input and output price, per 1K tokens: a sort key."""
        return (self.input + self.output) * 500.0


def _check_price(owner: str, label: str, value: float | None) -> None:
    check_usd(owner, label, value, "use 0 for a free or local model")


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """One model a cascade may call.

    ``cost`` is USD per 1K tokens (the plan's meaning), input and output alike;
    ``input_cost_per_token``/``output_cost_per_token`` override it. A declared price wins
    over LiteLLM's price map. ``None`` means "not declared": the price map must know the
    model (Ollama models, which run locally, are free unless priced).
    ``provider`` accepts the nine supported providers and their aliases and is stored in
    its canonical form (``fireworks`` becomes ``fireworks_ai``).
    """

    name: str
    provider: str = "openai"
    cost: float | None = None
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    quality_score: float | None = None
    domains: tuple[str, ...] = ()
    max_tokens: int = 4096
    api_base: str | None = None
    supports_logprobs: bool = False
    api_key: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigurationError(
                f"ModelConfig: name must be a non-empty model name such as 'gpt-4o-mini', "
                f"got {self.name!r}"
            )
        owner = f"ModelConfig(name={self.name!r})"
        if not isinstance(self.provider, str):
            raise ConfigurationError(f"{owner}: provider must be a string")
        object.__setattr__(self, "provider", canonical_provider(self.provider))
        _check_price(owner, "cost (per 1K tokens)", self.cost)
        _check_price(owner, "input_cost_per_token", self.input_cost_per_token)
        _check_price(owner, "output_cost_per_token", self.output_cost_per_token)
        if self.quality_score is not None and not (
            isinstance(self.quality_score, (int, float)) and 0.0 <= self.quality_score <= 1.0
        ):
            raise ConfigurationError(
                f"{owner}: quality_score must be between 0 and 1, got {self.quality_score!r}"
            )
        if isinstance(self.max_tokens, bool) or not isinstance(self.max_tokens, int) or (
            self.max_tokens <= 0
        ):
            raise ConfigurationError(
                f"{owner}: max_tokens must be a positive integer, got {self.max_tokens!r}"
            )
        domains: Iterable[str] = self.domains
        if isinstance(domains, str):
            domains = (domains,)
        object.__setattr__(self, "domains", tuple(domains))

    @property
    def configured_price(self) -> TokenPrice | None:
        """The price this config itself declares (per-token fields win over ``cost``),
        or None when it declares none."""
        if self.cost is None:
            if self.input_cost_per_token is None or self.output_cost_per_token is None:
                return TokenPrice(0.0, 0.0) if self.provider == "ollama" else None
            per_token = 0.0
        else:
            per_token = self.cost / 1000.0
        return TokenPrice(
            input=per_token if self.input_cost_per_token is None else self.input_cost_per_token,
            output=per_token
            if self.output_cost_per_token is None
            else self.output_cost_per_token,
        )


def call_max_tokens(requested: int | None, model: ModelConfig) -> int:
    """The output cap one call to ``model`` runs with: what was asked, within the model's
    own limit. Reservations and the call itself must agree on it."""
    return min(requested or model.max_tokens, model.max_tokens)
