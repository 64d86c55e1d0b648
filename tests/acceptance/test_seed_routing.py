"""The seed plan's usage examples for Parts 4 and 5, as written: the fake provider
comes from outside the copied lines (the ``cascadeflow_fake`` fixture, through
``cascadeflow.testing.override``). ``all_models`` is not shown in the plan; here it
holds the plan's own models and prices.

Where the plan's own code differs (ARCHITECTURE.md): the medical strategy runs as a
pipeline and the code strategy stops at the first passing step (the plan's loop runs
every step), and tier routing compares each model's estimated cost for the query (the
plan divides the budget by 500 and compares it to a per-1K price)."""

from __future__ import annotations

import pytest

from cascadeflow import ModelConfig
from cascadeflow.testing import FakeProvider

QUICKSORT = """Here is quicksort:
```python
def quicksort(items):
    if len(items) <= 1:
        return items
    pivot, *rest = items
    return quicksort([x for x in rest if x < pivot]) + [pivot] + quicksort([x for x in rest if x >= pivot])
```"""

all_models = [
    ModelConfig(name="llama-3.1-8b-instant", provider="groq", cost=0.00005),
    ModelConfig(name="llama-3.3-70b-versatile", provider="groq", cost=0.00069),
    ModelConfig(name="gpt-4o-mini", provider="openai", cost=0.00015),
    ModelConfig(name="claude-3-5-haiku", provider="anthropic", cost=0.0008),
    ModelConfig(name="gpt-4o", provider="openai", cost=0.0025),
    ModelConfig(name="claude-sonnet-4", provider="anthropic", cost=0.009),
    ModelConfig(name="deepseek-coder", provider="deepseek", cost=0.0014, domains=["code"]),
    ModelConfig(name="gpt-3.5-turbo", provider="openai", cost=0.002),
    ModelConfig(name="med-palm-2", provider="vertex_ai", cost=0.025, domains=["medical"]),
    ModelConfig(name="claude-opus", provider="anthropic", cost=0.015),
]


async def test_part_4_domain_specific_cascading(cascadeflow_fake: FakeProvider) -> None:
    for model, answers in {
        "deepseek-coder": [QUICKSORT],
        "gpt-3.5-turbo": ["Common symptoms of diabetes are thirst, frequent urination, tiredness "
                          "and blurred vision."],
        "gpt-4o-mini": ["VERDICT: PASS\nSCORE: 0.9\nREASON: consistent with guidelines"],
        "med-palm-2": ["Typical symptoms are polydipsia, polyuria, fatigue and blurred vision "
                       "(https://diabetes.org/about-diabetes/warning-signs-symptoms)."],
        "claude-opus": ["Typical symptoms are thirst, frequent urination, fatigue and blurred "
                        "vision (https://diabetes.org). If you notice them, see your doctor for a "
                        "blood sugar test."],
    }.items():
        cascadeflow_fake.script(model, *answers)
    # --- the seed's example ---
    from cascadeflow import CascadeAgent
    from cascadeflow.routing import CODE_DOMAIN_STRATEGY, MEDICAL_DOMAIN_STRATEGY

    # Enable domain-specific multi-step cascading
    agent = CascadeAgent(
        models=all_models,
        enable_multi_step_cascade=True,
        domain_strategies={
            'code': CODE_DOMAIN_STRATEGY,
            'medical': MEDICAL_DOMAIN_STRATEGY,
        },
    )

    # Code query → 2-step code strategy
    result = await agent.run("Write quicksort in Python", domain='code')
    # Step 1: deepseek-coder ($0.0014) → syntax check → ✅ valid
    # Step 2: Skipped (syntax valid, quality good)
    assert result.strategy_used == "code" and result.steps_executed == 1
    assert result.model_used == "deepseek-coder" and result.validation_passed
    assert result.steps[0].reason.startswith("parsed 1 code block")

    # Medical query → 3-step medical strategy
    result = await agent.run("What are symptoms of diabetes?", domain='medical')
    # Step 1: gpt-3.5 ($0.002) → fact check → ✅ facts correct
    # Step 2: med-palm-2 ($0.025) → citation validation → ✅ citations valid
    # Step 3: claude-opus ($0.015) → safety check → ✅ safe
    assert result.strategy_used == "medical" and result.steps_executed == 3
    assert [s.validator for s in result.steps] == [
        "medical_fact_checker", "citation_validator", "medical_safety_checker"
    ]
    assert all(s.passed for s in result.steps) and result.model_used == "claude-opus"
    assert result.models_called == ("gpt-3.5-turbo", "gpt-4o-mini", "med-palm-2", "claude-opus")
    assert result.total_cost == pytest.approx(sum(c.cost for c in result.calls))


async def test_part_5_tier_aware_routing(cascadeflow_fake: FakeProvider) -> None:
    # CostTracker() keeps spend in CASCADEFLOW_DATABASE_URL: tmp_path here (conftest.py).
    # Every model answers well: which of them answers is the default quality policy's call.
    for model, answers in {
        "llama-3.1-8b-instant": ["4"],
        "gpt-4o-mini": ["Quantum physics describes matter and energy at the smallest scales."],
        "llama-3.3-70b-versatile": ["Quantum physics describes matter and energy at the smallest scales."],
        "claude-3-5-haiku": ["Split the system into services that own their data and talk over APIs."],
        "gpt-4o": ["Split the system into services that own their data and talk over APIs."],
    }.items():
        cascadeflow_fake.script(model, *answers)
    # the plan's example uses these without importing them: supplied from outside it
    from cascadeflow.telemetry import BudgetConfig, CostTracker

    # --- the seed's example ---
    from cascadeflow import CascadeAgent
    from cascadeflow.routing import TierAwareRouter, TIER_POLICIES_DEFAULT

    # Setup tier-aware agent
    agent = CascadeAgent(
        models=all_models,
        tier_router=TierAwareRouter(
            tier_policies=TIER_POLICIES_DEFAULT,
            all_models=all_models
        ),
        enable_tier_routing=True,
        cost_tracker=CostTracker(
            user_budgets={
                'user_free': BudgetConfig(daily=0.10),
                'user_pro': BudgetConfig(daily=1.00),
                'user_ent': BudgetConfig(daily=10.00),
            }
        ),
    )

    # Free user - simple query
    result = await agent.run("What is 2+2?", user_id='user_free', user_tier='free')
    assert result.complexity == "simple"
    assert set(result.models_called) <= set(TIER_POLICIES_DEFAULT["free"].allowed_models)
    # a fresh agent has no evidence that drafts keep quality: the tier's strongest model
    # routed to answers too (online calibration's warm-up), never a silent draft
    assert not result.draft_accepted and result.model_used == result.models_called[-1]
    assert result.models_called[0] == "llama-3.1-8b-instant"

    # Free user - complex query (within budget)
    result = await agent.run("Explain quantum physics", user_id='user_free', user_tier='free')
    assert result.complexity == "medium"
    assert set(result.models_called) <= set(TIER_POLICIES_DEFAULT["free"].allowed_models)
    assert result.content.startswith("Quantum physics")

    # Pro user - complex query
    result = await agent.run("Design microservices architecture", user_id='user_pro', user_tier='pro')
    assert result.complexity == "high"
    assert set(result.models_called) <= set(TIER_POLICIES_DEFAULT["pro"].allowed_models)
    assert result.content.startswith("Split the system")
    assert agent.cost_tracker is not None
    assert agent.cost_tracker.by_user.keys() == {"user_free", "user_pro"}
    assert agent.cost_tracker.by_user["user_pro"] == pytest.approx(result.total_cost)


def test_part_5_the_manual_tier_logic_it_replaces(cascadeflow_fake: FakeProvider) -> None:
    """The plan's "before": tier logic written by hand still works with any models list."""
    from dataclasses import dataclass

    from cascadeflow import CascadeAgent

    @dataclass
    class User:
        tier: str

    cheap_model, good_model, better_model = all_models[0], all_models[2], all_models[4]
    best_model, premium_model = all_models[4], all_models[5]
    for user in (User("free"), User("pro"), User("enterprise")):
        # --- the seed's example ---
        # Developer must manually handle tier logic (BAD DX)
        if user.tier == 'free':
            models = [cheap_model]
        elif user.tier == 'pro':
            models = [good_model, better_model]
        else:
            models = [good_model, best_model, premium_model]

        agent = CascadeAgent(models=models)
        # --- end ---
        result = agent.run_sync("Hi")
        assert result.models_called[0] == min(models, key=lambda m: m.cost or 0).name
        # one model answers alone; with several, a fresh agent lets the strongest answer too
        assert result.model_used == max(models, key=lambda m: m.cost or 0).name
