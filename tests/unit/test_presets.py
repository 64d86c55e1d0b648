"""Presets 2.0: what each built-in preset builds, the rules a preset's settings follow,
and the same preset run on fake adapters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascadeflow import (
    PRESET_BEST_OVERALL,
    PRESET_CODE_SPECIALIST,
    PRESET_COST_OPTIMIZED_SAAS,
    PRESET_ENTERPRISE_GRADE,
    PRESET_MEDICAL_AI,
    PRESET_PRODUCTION_READY,
    CascadeAgent,
    CascadePreset,
    ModelConfig,
)
from cascadeflow.domain.budgets import BudgetConfig
from cascadeflow.domain.errors import BudgetExceededError, ConfigurationError
from cascadeflow.domain.tiers import TierModelPolicy
from cascadeflow.testing import (
    ConfiguredPricing,
    FakeClock,
    FakeProvider,
    FakeReply,
    InMemoryUsageStore,
    SequentialIds,
)
from cascadeflow.utils.presets_v2 import BUILTIN_PRESETS, get_preset

GOOD = "A complete, specific answer: the capital of France is Paris, on the Seine."
SMALL = ModelConfig(name="small", provider="groq", cost=0.0001)
LARGE = ModelConfig(name="large", provider="openai", cost=0.01)


def test_the_five_presets_are_importable_from_both_places() -> None:
    import cascadeflow.utils.presets_v2 as v2

    assert list(BUILTIN_PRESETS.values()) == [
        PRESET_PRODUCTION_READY, PRESET_COST_OPTIMIZED_SAAS, PRESET_CODE_SPECIALIST,
        PRESET_MEDICAL_AI, PRESET_ENTERPRISE_GRADE,
    ]
    assert v2.PRESET_MEDICAL_AI is PRESET_MEDICAL_AI and v2.CascadePreset is CascadePreset


@pytest.mark.parametrize("preset", BUILTIN_PRESETS.values(), ids=list(BUILTIN_PRESETS))
def test_each_builtin_preset_builds_its_whole_setup(preset: CascadePreset) -> None:
    agent = CascadeAgent(**preset.to_agent_config(provider=FakeProvider(default=GOOD), store="memory"))

    assert agent.models == preset.models
    tracker = agent.cost_tracker
    assert tracker is not None
    assert tracker.default_budget == BudgetConfig(daily=preset.default_budget_daily)
    assert tracker.tier_budgets == dict(preset.tier_budgets or {})
    assert (agent.cost_forecaster is not None) == preset.enable_cost_forecasting
    assert agent.quality_config == preset.quality_config()
    assert (agent.domain_detector is not None) == preset.enable_domain_routing
    assert agent.enable_multi_step_cascade == preset.enable_multi_step_cascade
    if preset.domain_strategies is not None:
        assert agent.domain_strategies == dict(preset.domain_strategies)
    assert (agent.tier_router is not None) == preset.enable_user_tiers == agent.enable_tier_routing
    if agent.tier_router is not None:
        assert agent.tier_router.tiers == tuple(preset.tier_budgets or {})


def test_each_call_builds_a_fresh_tracker() -> None:
    first = PRESET_PRODUCTION_READY.to_agent_config(store="memory")["cost_tracker"]
    assert PRESET_PRODUCTION_READY.to_agent_config(store="memory")["cost_tracker"] is not first


async def test_the_same_preset_on_fake_adapters() -> None:
    clock, store = FakeClock(), InMemoryUsageStore()
    fake = FakeProvider({"gpt-4o-mini": [FakeReply("I'm not sure.", 10, 5)],
                         "claude-haiku-4-5": [FakeReply(GOOD, 10, 20)]})
    agent = CascadeAgent(**replace(PRESET_PRODUCTION_READY, quality_validation_mode="fast")
                         .to_agent_config(provider=fake, pricing=ConfiguredPricing(), clock=clock,
                                          ids=SequentialIds("e"), store=store))

    result = await agent.run("What is the capital of France?", user_id="alice")

    assert result.models_called == ("gpt-4o-mini", "claude-haiku-4-5")
    entries = store.entries("alice")
    assert [e.id for e in entries] == ["e-1", "e-2"] and {e.timestamp for e in entries} == {clock.now()}
    # ConfiguredPricing: the preset's own prices, USD per million tokens in and out
    mini, haiku = 10 * 0.15 + 5 * 0.60, 10 * 1.00 + 20 * 5.00
    assert result.total_cost == pytest.approx((mini + haiku) / 1e6)


async def test_tier_budgets_apply_to_users_without_their_own() -> None:
    config = PRESET_COST_OPTIMIZED_SAAS.to_agent_config(provider=FakeProvider(default=GOOD),
                                                        store="memory")
    tracker = config["cost_tracker"]
    tracker.user_budgets["own_budget_user"] = BudgetConfig(daily=5.0)
    for user in ("free_user", "pro_user", "no_tier_user", "own_budget_user"):
        tracker.add_cost(model="gpt-4o-mini", provider="openai", tokens=1000, cost=0.10, user_id=user)
    agent = CascadeAgent(**config)

    with pytest.raises(BudgetExceededError) as blocked:  # the free tier's $0.10 a day is spent
        await agent.run("What is 2+2?", user_id="free_user", user_tier="free")
    assert "tier 'free'" in str(blocked.value)
    assert (await agent.run("What is 2+2?", user_id="pro_user", user_tier="pro")).content == GOOD
    assert (await agent.run("What is 2+2?", user_id="no_tier_user")).content == GOOD  # $1.00 default
    own = await agent.run("What is 2+2?", user_id="own_budget_user", user_tier="free")
    assert own.content == GOOD  # a user's own budget wins over their tier's


def test_enterprise_tiers_each_reach_their_dearest_model_at_full_length() -> None:
    """The tier caps fit each tier's models at 4,096 output tokens, at the preset's prices."""
    pricing = ConfiguredPricing()
    for tier, policy in PRESET_ENTERPRISE_GRADE.resolved_tier_policies().items():
        models = [m for m in PRESET_ENTERPRISE_GRADE.models if m.name in policy.allowed_models]
        worst = max(pricing.price(m).cost(500, m.max_tokens) for m in models)
        assert policy.max_cost_per_query is not None and worst < policy.max_cost_per_query, tier


def test_saas_tiers_come_from_the_default_tier_policies() -> None:
    policies = PRESET_COST_OPTIMIZED_SAAS.resolved_tier_policies()
    assert list(policies) == ["free", "pro", "enterprise"]
    assert policies["free"].allowed_models == (
        "llama-3.1-8b-instant", "llama-3.3-70b-versatile", "gpt-4o-mini")
    assert policies["free"].max_cost_per_query == 0.001
    assert policies["pro"].allowed_models == ("llama-3.3-70b-versatile", "gpt-4o-mini")


def test_ml_quality_needs_no_model_file() -> None:
    fast = CascadePreset("p", "d", [SMALL, LARGE], enable_ml_quality=True)
    config = fast.quality_config()
    assert config.scorer is not None and config.thresholds_by_complexity
    assert config.name == "fast + ML score"
    medical = PRESET_MEDICAL_AI.quality_config()
    assert medical.scorer is not None and medical.name == "strict"  # strict is scored already
    CascadeAgent(**PRESET_MEDICAL_AI.to_agent_config(store="memory"))


def test_a_threshold_replaces_the_modes_thresholds() -> None:
    config = CascadePreset("p", "d", [SMALL], quality_validation_mode="balanced",
                           quality_threshold=0.9).quality_config()
    assert config.min_score == 0.9 and not config.thresholds_by_complexity


def test_models_only_presets_work_wherever_models_are_accepted() -> None:
    preset = CascadePreset("mine", "Best overall, tracked", PRESET_BEST_OVERALL, default_budget_daily=2.0)
    assert preset.models == PRESET_BEST_OVERALL
    agent = CascadeAgent(models=[*PRESET_BEST_OVERALL, LARGE], provider=FakeProvider(default=GOOD))
    assert len(agent.models) == 3


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"models": []}, "non-empty list of ModelConfig"),
    ({"models": ["gpt-4o"]}, "non-empty list of ModelConfig"),
    ({"quality_validation_mode": "relaxed"}, "unknown quality_validation_mode 'relaxed'"),
    ({"default_budget_daily": -1.0}, "daily"),
    ({"enable_cost_tracking": False, "default_budget_daily": 1.0},
     "default_budget_daily needs enable_cost_tracking=True"),
    ({"enable_cost_tracking": False, "enable_cost_forecasting": True}, "enable_cost_forecasting needs"),
    ({"tier_budgets": {"free": 0.1}}, "tier_budgets['free'] must be a BudgetConfig"),
    ({"domain_strategies": {"code": "CODE"}}, "domain_strategies['code'] must be"),
    ({"tier_policies": {"free": TierModelPolicy("free", ("gpt-4o",))}}, "not among the preset's models"),
    ({"tier_policies": {"free": TierModelPolicy("free", ("small",))},
      "tier_budgets": {"gold": BudgetConfig(daily=1.0)}}, "tier_budgets names tiers ['gold']"),
    ({"quality_threshold": 2.0}, "min_score"),
])
def test_bad_settings_say_what_to_change(kwargs: dict[str, object], message: str) -> None:
    settings: dict[str, object] = {"name": "p", "description": "d", "models": [SMALL, LARGE]}
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        CascadePreset(**{**settings, **kwargs})  # type: ignore[arg-type]


def test_presets_by_name() -> None:
    assert get_preset("production-ready") is PRESET_PRODUCTION_READY
    assert get_preset("PRESET_MEDICAL_AI") is PRESET_MEDICAL_AI
    with pytest.raises(ConfigurationError, match="unknown preset 'cheap'.*production_ready"):
        get_preset("cheap")


def test_presets_load_without_litellm_until_a_model_is_called() -> None:
    from tests.unit.test_import_cost import _modules_after

    loaded = _modules_after(
        "from cascadeflow import CascadeAgent, PRESET_ENTERPRISE_GRADE\n"
        "CascadeAgent(**PRESET_ENTERPRISE_GRADE.to_agent_config(store='memory'))"
    )
    assert "litellm" not in loaded and "tomli_w" not in loaded
