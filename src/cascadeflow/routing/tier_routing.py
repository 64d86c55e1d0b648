"""The plan's ``cascadeflow/routing/tier_routing.py``: tier-aware model routing."""

from cascadeflow.domain.tiers import TIER_POLICIES_DEFAULT, TierAwareRouter, TierModelPolicy, UnknownTierError

__all__ = ["TIER_POLICIES_DEFAULT", "TierAwareRouter", "TierModelPolicy", "UnknownTierError"]
