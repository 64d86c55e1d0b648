"""The plan's ``cascadeflow/routing/tier_routing.py``: tier-aware model routing.

``TierAwareRouter`` here is the domain's router whose ``get_models_for_tier`` prices
models as the agent does (a ModelConfig's own price, else LiteLLM's map), so the plan's
direct calls and the agent's routing agree."""

from __future__ import annotations

from collections.abc import Callable

from cascadeflow.domain.models import ModelConfig, TokenPrice
from cascadeflow.domain.tiers import TIER_POLICIES_DEFAULT, TierModelPolicy, UnknownTierError
from cascadeflow.domain.tiers import TierAwareRouter as _DomainRouter


class TierAwareRouter(_DomainRouter):
    def get_models_for_tier(
        self,
        tier: str,
        budget_remaining: float | None = None,
        complexity: str = "medium",
        *,
        input_tokens: int = 0,
        price_of: Callable[[ModelConfig], TokenPrice] | None = None,
    ) -> list[ModelConfig]:
        if price_of is None:
            from cascadeflow.bootstrap import pricing_catalog

            price_of = pricing_catalog().price
        return super().get_models_for_tier(tier, budget_remaining, complexity,
                                           input_tokens=input_tokens, price_of=price_of)


__all__ = ["TIER_POLICIES_DEFAULT", "TierAwareRouter", "TierModelPolicy", "UnknownTierError"]
