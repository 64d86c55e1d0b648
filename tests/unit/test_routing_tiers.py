"""Tier-aware routing: the budget arithmetic, its errors, and per-request isolation."""

from __future__ import annotations

import asyncio

import pytest

from cascadeflow import BudgetExceededError, CascadeAgent, ConfigurationError, ModelConfig
from cascadeflow.domain.messages import CompletionRequest, Completion
from cascadeflow.routing import (
    TIER_POLICIES_DEFAULT,
    TierAwareRouter,
    TierModelPolicy,
    UnknownTierError,
)
from cascadeflow.telemetry import BudgetConfig, CostTracker
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, InMemoryUsageStore, SequentialIds

# USD per 1K tokens; a query expected to write 1,000 tokens costs about ``cost`` dollars.
TINY = ModelConfig(name="tiny", provider="groq", cost=0.0001, max_tokens=1000)
SMALL = ModelConfig(name="small", provider="groq", cost=0.0005, max_tokens=1000)
MID = ModelConfig(name="mid", provider="openai", cost=0.002, max_tokens=1000)
BIG = ModelConfig(name="big", provider="openai", cost=0.008, max_tokens=1000)
HUGE = ModelConfig(name="huge", provider="anthropic", cost=0.05, max_tokens=1000)
ALL = [TINY, SMALL, MID, BIG, HUGE]
POLICIES = {
    "free": TierModelPolicy("free", ["tiny", "small", "mid"], max_cost_per_query=0.001,
                            expected_output_tokens=1000),
    "pro": TierModelPolicy("pro", ["small", "mid", "big", "huge"], max_cost_per_query=0.01,
                           expected_output_tokens=1000),
    "vip": TierModelPolicy("vip", ["tiny", "small", "mid", "big", "huge"], prefer_cheap_first=False),
}


def names(models: list[ModelConfig]) -> list[str]:
    return [m.name for m in models]


def test_models_above_the_tier_limit_for_this_query_are_dropped() -> None:
    router = TierAwareRouter(POLICIES, ALL)
    # tiny ~ $0.0001, small ~ $0.0005, mid ~ $0.002 (> $0.001)
    assert names(router.get_models_for_tier("free", complexity="high")) == ["tiny", "small"]
    assert names(router.get_models_for_tier("pro", complexity="high")) == ["small", "mid", "big"]


def test_the_estimate_is_input_plus_the_policys_expected_output_tokens() -> None:
    router = TierAwareRouter(POLICIES, ALL)
    # a long prompt pushes small over the limit: 0.0005/1K * (1100 + 1000) > $0.001
    long_prompt = names(router.get_models_for_tier("free", complexity="high", input_tokens=1100))
    assert long_prompt == ["tiny"]
    short = {**POLICIES, "free": TierModelPolicy("free", ["tiny", "small", "mid"], max_cost_per_query=0.001,
                                                 expected_output_tokens=200)}
    short_answers = names(TierAwareRouter(short, ALL).get_models_for_tier("free", complexity="high"))
    assert short_answers == ["tiny", "small", "mid"]
    with pytest.raises(ConfigurationError, match="expected_output_tokens must be a positive int"):
        TierModelPolicy("x", ["tiny"], expected_output_tokens=0)


def test_the_remaining_budget_is_a_second_limit() -> None:
    router = TierAwareRouter(POLICIES, ALL)
    assert names(router.get_models_for_tier("pro", 0.0015, "high")) == ["small"]


def test_complexity_cuts_the_cheapest_first_list() -> None:
    router = TierAwareRouter(POLICIES, ALL)
    assert names(router.get_models_for_tier("vip", None, "simple")) == ["huge", "big"]
    assert len(router.get_models_for_tier("vip", None, "medium")) == 3
    assert len(router.get_models_for_tier("vip", None, "high")) == 5


def test_unknown_tier_is_a_clear_error() -> None:
    router = TierAwareRouter(POLICIES, ALL)
    with pytest.raises(UnknownTierError, match="'gold'.*'free', 'pro', 'vip'"):
        router.get_models_for_tier("gold", None)
    assert issubclass(UnknownTierError, ConfigurationError)


def test_nothing_fits_is_a_budget_error_that_says_why() -> None:
    router = TierAwareRouter(POLICIES, ALL)
    with pytest.raises(BudgetExceededError) as caught:
        router.get_models_for_tier("pro", 0.0001, "high")
    message = str(caught.value)
    assert "no model of tier 'pro' fits" in message
    assert "left in the user's budget" in message and "per query" in message
    assert all(name in message for name in ("small", "mid", "big", "huge"))


def test_a_zero_budget_fits_nothing() -> None:
    # the seed skipped the budget filter at 0 and let every model through
    with pytest.raises(BudgetExceededError):
        TierAwareRouter(POLICIES, ALL).get_models_for_tier("free", 0.0)


def test_bad_configuration_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="none of them is configured"):
        TierAwareRouter({"x": TierModelPolicy("x", ["nope"])}, ALL).get_models_for_tier("x")
    with pytest.raises(ConfigurationError):
        TierModelPolicy("x", [])
    with pytest.raises(ConfigurationError):
        TierModelPolicy("x", ["tiny"], max_cost_per_query=-1)
    with pytest.raises(ConfigurationError, match="complexity"):
        TierAwareRouter(POLICIES, ALL).get_models_for_tier("free", None, "extreme")


def test_default_policies_are_the_seeds() -> None:
    assert set(TIER_POLICIES_DEFAULT) == {"free", "pro", "enterprise"}
    assert TIER_POLICIES_DEFAULT["free"].max_cost_per_query == 0.001
    assert "claude-sonnet-4" in TIER_POLICIES_DEFAULT["enterprise"].allowed_models


class YieldingProvider(FakeProvider):
    """Gives the event loop a turn inside every call, so concurrent runs interleave."""

    async def complete(self, request: CompletionRequest) -> Completion:
        await asyncio.sleep(0)
        return await super().complete(request)


def tier_agent(provider: FakeProvider, **kwargs: object) -> CascadeAgent:
    kwargs.setdefault("quality_validation_mode", "fast")  # routing is under test, not the default policy
    return CascadeAgent(
        models=ALL, provider=provider, pricing=ConfiguredPricing(),
        tier_router=TierAwareRouter(POLICIES, ALL), enable_tier_routing=True, **kwargs,  # type: ignore[arg-type]
    )


async def test_concurrent_requests_for_different_tiers_never_share_models() -> None:
    fake = YieldingProvider(default="I'm not sure.")
    agent = tier_agent(fake)
    tiers = ["free", "pro", "vip"] * 20
    results = await asyncio.gather(*(
        agent.run("Design a distributed cache architecture", user_id=f"u{i}", user_tier=tier)
        for i, tier in enumerate(tiers)
    ))
    allowed = {t: set(POLICIES[t].allowed_models) for t in POLICIES}
    for tier, result in zip(tiers, results):
        assert result.user_tier == tier and result.complexity == "high"
        assert set(result.models_called) <= allowed[tier], (tier, result.models_called)
    assert {frozenset(r.models_called) for r, t in zip(results, tiers) if t == "free"} == {
        frozenset({"tiny", "small"})
    }
    assert agent.models == tuple(ALL)


async def test_without_a_tier_the_agents_own_models_answer() -> None:
    fake = FakeProvider({"tiny": ["Paris."]})
    result = await tier_agent(fake).run("Capital of France?")
    assert result.model_used == "tiny" and result.user_tier is None


async def test_unknown_tier_through_the_agent() -> None:
    with pytest.raises(UnknownTierError):
        await tier_agent(FakeProvider(default="x")).run("hi", user_tier="platinum")


def test_tier_routing_needs_a_router() -> None:
    with pytest.raises(ConfigurationError, match="tier_router"):
        CascadeAgent(models=ALL, enable_tier_routing=True)


def tracked(daily: float) -> CostTracker:
    return CostTracker(
        user_budgets={"ann": BudgetConfig(daily=daily)}, store=InMemoryUsageStore(),
        clock=FakeClock(), ids=SequentialIds(),
    )


async def test_tier_routing_uses_what_is_left_of_the_users_budget() -> None:
    fake = FakeProvider({"small": ["Paris is the capital."], "mid": ["Paris."]})
    tracker = tracked(daily=0.0015)
    result = await tier_agent(fake, cost_tracker=tracker).run(
        "Capital of France?", user_id="ann", user_tier="pro"
    )
    # mid (~$0.002) and dearer do not fit the $0.0015 left; small does
    assert result.models_called == ("small",)
    assert tracker.total_cost == pytest.approx(result.total_cost)


async def test_a_spent_budget_blocks_with_the_reason() -> None:
    tracker = tracked(daily=0.00005)
    with pytest.raises(BudgetExceededError, match="left in the user's budget") as caught:
        await tier_agent(FakeProvider(default="x"), cost_tracker=tracker).run(
            "Capital of France?", user_id="ann", user_tier="free"
        )
    context = caught.value.context  # the user's budget state travels with the refusal
    assert context is not None and context.user_id == "ann" and context.window == "daily"


async def test_a_tier_restricts_a_domain_strategy_to_its_models() -> None:
    from cascadeflow.routing import CascadeStep, DomainCascadeStrategy

    strategy = DomainCascadeStrategy("general", [
        CascadeStep("tiny", "groq", max_retries=0, fallback_model="mid"),
        CascadeStep("big", "openai", max_retries=0, fallback_model="small"),
    ], mode="pipeline")
    fake = FakeProvider(default="Paris is the capital of France.")
    result = await tier_agent(fake, enable_multi_step_cascade=True, domain_strategies={"general": strategy}).run(
        "Capital of France?", domain="general", user_tier="free"
    )
    # free may use tiny and small (mid is above its per-query limit): big's step runs on small
    assert result.strategy_used == "general" and result.models_called == ("tiny", "small")


async def test_a_strategy_with_no_model_in_the_tier_falls_back_to_the_tiers_cascade() -> None:
    from cascadeflow.routing import CascadeStep, DomainCascadeStrategy

    strategy = DomainCascadeStrategy("general", [CascadeStep("huge", "anthropic")])
    fake = FakeProvider(default="Paris is the capital of France.")
    result = await tier_agent(fake, enable_multi_step_cascade=True, domain_strategies={"general": strategy}).run(
        "Capital of France?", domain="general", user_tier="free"
    )
    assert result.strategy_used is None and result.models_called == ("tiny",)
