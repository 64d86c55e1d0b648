"""Tier-aware routing: which models a user's tier may use for this query.

Each allowed model's cost for this query is estimated: its input tokens plus the
policy's ``expected_output_tokens`` (an answer's usual length, not its worst case:
routing on the worst case starved every tier), at the prices the agent pays. Models
whose estimate exceeds the tier's ``max_cost_per_query`` or the user's remaining
budget are dropped. The query's complexity then takes the first models of the
tier's list (its order of preference, ``allowed_models``; reversed when
``prefer_cheap_first`` is False): simple two, medium three, high all. The cascade runs
the chosen ones cheapest first. Budget reservations stay worst-case (``max_tokens``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from cascadeflow.domain.complexity import Complexity, check_complexity
from cascadeflow.domain.errors import BudgetExceededError, ConfigurationError, UnknownModelPriceError
from cascadeflow.domain.models import ModelConfig, TokenPrice

MODELS_PER_COMPLEXITY: Mapping[str, int | None] = MappingProxyType(
    {"simple": 2, "medium": 3, "high": None}
)
# A typical answer's length, for routing estimates: the plan's Part 5 outcomes hold at
# it with real prices (gpt-4o at $10 per million output tokens fits pro's $0.005).
EXPECTED_OUTPUT_TOKENS = 400


class UnknownTierError(ConfigurationError):
    """A tier name the router has no policy for."""


@dataclass(frozen=True, slots=True)
class TierModelPolicy:
    """Which models a tier may use, and at most how much one query may cost (USD)."""

    tier_name: str
    allowed_models: tuple[str, ...]
    max_cost_per_query: float | None = None
    prefer_cheap_first: bool = True
    description: str = ""
    expected_output_tokens: int = EXPECTED_OUTPUT_TOKENS  # for routing estimates only

    def __post_init__(self) -> None:
        owner = f"TierModelPolicy({self.tier_name!r})"
        tokens = self.expected_output_tokens
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens <= 0:
            raise ConfigurationError(f"{owner}: expected_output_tokens must be a positive int, got {tokens!r}")
        if not isinstance(self.tier_name, str) or not self.tier_name.strip():
            raise ConfigurationError(f"TierModelPolicy: tier_name must be a non-empty string, got {self.tier_name!r}")
        models: Iterable[str] = self.allowed_models
        if isinstance(models, str):
            models = (models,)
        models = tuple(models)
        if not models or not all(isinstance(m, str) and m for m in models):
            raise ConfigurationError(f"{owner}: allowed_models must name at least one model")
        object.__setattr__(self, "allowed_models", models)
        limit = self.max_cost_per_query
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0):
            raise ConfigurationError(f"{owner}: max_cost_per_query must be a positive amount of USD or None, got {limit!r}")


@dataclass(frozen=True, slots=True)
class TierChoice:
    """The models a query may use, cheapest first (unless the policy says otherwise),
    with each candidate's estimated cost and why the others were left out."""

    tier: str
    complexity: Complexity
    models: tuple[ModelConfig, ...]
    estimates: Mapping[str, float] = field(default_factory=dict)
    excluded: Mapping[str, str] = field(default_factory=dict)
    over_budget: tuple[str, ...] = ()  # would have run, but the user's budget is short

    @property
    def degraded(self) -> str | None:
        """Why the budget narrowed the models, when it did: a degrade to report."""
        if not self.over_budget:
            return None
        return (f"the budget left excludes {', '.join(self.over_budget)}; "
                f"answered with {', '.join(m.name for m in self.models)}")


class TierAwareRouter:
    """Routes a query to the models its user's tier allows and can afford.

    Immutable after construction: routing one request never changes what the next
    one sees, so one router serves concurrent requests for different tiers.
    """

    def __init__(
        self, tier_policies: Mapping[str, TierModelPolicy], all_models: Sequence[ModelConfig]
    ) -> None:
        if not tier_policies:
            raise ConfigurationError("TierAwareRouter needs at least one tier policy")
        for name, policy in tier_policies.items():
            if not isinstance(policy, TierModelPolicy):
                raise ConfigurationError(f"tier_policies[{name!r}] must be a TierModelPolicy, got {policy!r}")
        for model in all_models:
            if not isinstance(model, ModelConfig):
                raise ConfigurationError(f"all_models must be ModelConfig objects, got {model!r}")
        self.tier_policies: Mapping[str, TierModelPolicy] = MappingProxyType(dict(tier_policies))
        self.all_models: Mapping[str, ModelConfig] = MappingProxyType({m.name: m for m in all_models})

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(self.tier_policies)

    def policy(self, tier: str) -> TierModelPolicy:
        try:
            return self.tier_policies[tier]
        except (KeyError, TypeError):
            raise UnknownTierError(
                f"unknown tier {tier!r}: this router knows {', '.join(map(repr, self.tier_policies))}; "
                "pass one of them as user_tier or add a TierModelPolicy for it"
            ) from None

    def candidates(self, tier: str) -> tuple[ModelConfig, ...]:
        """The tier's allowed models that are configured, in the policy's order."""
        policy = self.policy(tier)
        found = tuple(self.all_models[n] for n in policy.allowed_models if n in self.all_models)
        if not found:
            raise ConfigurationError(
                f"tier {tier!r} allows {', '.join(policy.allowed_models)} but none of them is "
                f"configured (configured: {', '.join(self.all_models) or 'none'}); add a ModelConfig "
                "for at least one of them to all_models"
            )
        return found

    def route(
        self,
        tier: str,
        complexity: str,
        estimate: Callable[[ModelConfig], float],
        budget_remaining: float | None = None,
    ) -> TierChoice:
        """``estimate(model)`` is this query's worst-case cost on ``model`` in USD;
        ``budget_remaining`` None means the user has no budget limit."""
        level = check_complexity(complexity)
        policy = self.policy(tier)
        estimates: dict[str, float] = {}
        excluded: dict[str, str] = {}
        over_budget: list[str] = []
        kept: list[ModelConfig] = []
        for model in self.candidates(tier):
            cost = estimates[model.name] = estimate(model)
            if policy.max_cost_per_query is not None and cost > policy.max_cost_per_query:
                excluded[model.name] = (
                    f"up to ${cost:.6f} for this query, above the tier's "
                    f"${policy.max_cost_per_query:g} per query"
                )
            elif budget_remaining is not None and cost > budget_remaining:
                excluded[model.name] = (
                    f"up to ${cost:.6f} for this query, above the ${budget_remaining:.6f} "
                    "left in the user's budget"
                )
                over_budget.append(model.name)
            else:
                kept.append(model)
        if not kept:
            raise BudgetExceededError(
                f"no model of tier {tier!r} fits this query: "
                + "; ".join(f"{name} needs {why}" for name, why in excluded.items())
                + ". Lower max_tokens, shorten the query, or raise the limit."
            )
        limit = MODELS_PER_COMPLEXITY[level]

        def chosen(models: list[ModelConfig]) -> tuple[ModelConfig, ...]:
            """The first ``limit`` in the policy's order, reported cheapest first."""
            preferred = [m for m in self.candidates(tier) if m in models]
            if not policy.prefer_cheap_first:
                preferred.reverse()
            cut = preferred[:limit] if limit is not None else preferred
            return tuple(sorted(cut, key=lambda m: estimates[m.name], reverse=not policy.prefer_cheap_first))

        models = chosen(kept)
        affordable = chosen(kept + [m for m in self.candidates(tier) if m.name in over_budget])
        # the budget degraded the answer only if it removed a model that would have run
        lost = tuple(m.name for m in affordable if m not in models)
        return TierChoice(tier, level, models, MappingProxyType(estimates),
                          MappingProxyType(excluded), lost)

    def get_models_for_tier(
        self,
        tier: str,
        budget_remaining: float | None = None,
        complexity: str = "medium",
        *,
        input_tokens: int = 0,
        price_of: Callable[[ModelConfig], TokenPrice] | None = None,
    ) -> list[ModelConfig]:
        """The seed's API: the models ``route`` picks, each estimated at
        ``input_tokens`` plus the policy's expected output tokens. ``price_of`` gives the
        prices (``cascadeflow.routing.TierAwareRouter`` passes the agent's: the
        ModelConfig's own, else LiteLLM's map); without it, each ModelConfig's own."""
        policy = self.policy(tier)

        def estimate(model: ModelConfig) -> float:
            price = price_of(model) if price_of is not None else model.configured_price
            if price is None:
                raise UnknownModelPriceError(
                    f"no price for {model.name!r}: give it a cost= (USD per 1K tokens), or use "
                    "cascadeflow.routing.TierAwareRouter, which prices as the agent does")
            return price.cost(input_tokens, policy.expected_output_tokens)

        return list(self.route(tier, complexity, estimate, budget_remaining).models)


TIER_POLICIES_DEFAULT: Mapping[str, TierModelPolicy] = MappingProxyType({
    "free": TierModelPolicy(
        tier_name="free",
        allowed_models=("llama-3.1-8b-instant", "llama-3.3-70b-versatile", "gpt-4o-mini"),
        max_cost_per_query=0.001,
        prefer_cheap_first=True,
        description="Free tier - Ultra-cheap models only ($0.001 max per query)",
    ),
    "pro": TierModelPolicy(
        tier_name="pro",
        allowed_models=("llama-3.3-70b-versatile", "claude-3-5-haiku", "gpt-4o-mini", "gpt-4o"),
        max_cost_per_query=0.005,
        prefer_cheap_first=True,
        description="Pro tier - Quality models with smart escalation ($0.005 max)",
    ),
    "enterprise": TierModelPolicy(
        tier_name="enterprise",
        allowed_models=(
            "llama-3.3-70b-versatile", "claude-3-5-haiku", "gpt-4o-mini", "gpt-4o", "claude-sonnet-4",
        ),
        max_cost_per_query=0.01,
        prefer_cheap_first=True,
        description="Enterprise tier - Full model access with cost optimization",
    ),
})
