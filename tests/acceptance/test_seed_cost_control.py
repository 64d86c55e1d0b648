"""The seed plan's Part 1 (enhanced cost control) as a user writes it: per-user budgets
on the CostTracker (1.1) and enforcement callbacks (1.2, 1.3), with FakeProvider in place
of real API keys. Spend goes to CASCADEFLOW_DATABASE_URL, a file in tmp_path (conftest).
"""

from __future__ import annotations

import pytest

from cascadeflow.testing import FakeProvider, FakeReply


def test_1_1_per_user_budget_tracking() -> None:
    from cascadeflow.telemetry import BudgetConfig, CostTracker

    tracker = CostTracker(
        budget_limit=100.0,  # Global (existing)
        user_budgets={"user_123": BudgetConfig(daily=1.00, monthly=20.00)},  # NEW
        warn_threshold=0.8,
        verbose=False,
    )
    tracker.add_cost(model="gpt-4o-mini", provider="openai", tokens=1200, cost=0.0009,
                     query_id="q-1", user_id="user_123", metadata={"feature": "chat"})
    tracker.add_cost(model="gpt-4o", provider="openai", tokens=800, cost=0.0100,
                     query_id="q-2", user_id="user_123")
    tracker.add_cost(model="gpt-4o-mini", provider="openai", tokens=300, cost=0.0002)

    summary = tracker.get_user_summary("user_123")
    assert summary["user_id"] == "user_123"
    assert summary["total_cost"] == pytest.approx(0.0109)
    assert summary["entries"] == 2
    assert summary["budget"] == BudgetConfig(daily=1.00, monthly=20.00)
    # beyond the plan's four keys: spend and what is left per window
    assert summary["remaining"]["daily"] == pytest.approx(1.00 - 0.0109)

    # the tracker's attributes in the plan
    assert tracker.budget_limit == 100.0
    assert tracker.total_cost == pytest.approx(0.0111)
    assert tracker.by_model == pytest.approx({"gpt-4o-mini": 0.0011, "gpt-4o": 0.0100})
    assert tracker.by_provider == pytest.approx({"openai": 0.0111})
    assert tracker.by_user == pytest.approx({"user_123": 0.0109})
    assert [e.query_id for e in tracker.user_entries["user_123"]] == ["q-1", "q-2"]
    assert tracker.user_entries["user_123"][0].metadata == {"feature": "chat"}


async def test_1_1_an_agent_records_each_users_spend() -> None:
    from cascadeflow import CascadeAgent, ModelConfig
    from cascadeflow.telemetry import BudgetConfig, CostTracker

    fake = FakeProvider({"gpt-4o-mini": [FakeReply("Paris is the capital of France.", 10, 20)],
                         "gpt-4o": [FakeReply("Paris.", 10, 2)]})
    tracker = CostTracker(user_budgets={"user_123": BudgetConfig(daily=1.00)})
    agent = CascadeAgent(
        models=[ModelConfig(name="gpt-4o-mini", provider="openai", cost=0.00015),
                ModelConfig(name="gpt-4o", provider="openai", cost=0.0025)],
        cost_tracker=tracker,
        provider=fake,
    )
    result = await agent.run("What is the capital of France?", user_id="user_123")

    assert tracker.get_user_summary("user_123")["total_cost"] == pytest.approx(result.total_cost)
    assert tracker.by_user == pytest.approx({"user_123": result.total_cost})


def test_1_2_default_enforcement() -> None:
    from cascadeflow.telemetry import EnforcementCallbacks, EnforcementContext

    callbacks = EnforcementCallbacks()

    def context(used: float) -> EnforcementContext:
        return EnforcementContext(
            user_id="user_123", budget_limit=1.00, budget_remaining=max(1.00 - used, 0.0),
            budget_used=used, budget_pct_used=used / 1.00, current_cost=0.001,
            total_requests=42,
        )

    assert callbacks.check_budget(context(0.50)) == ("allow", None)
    assert callbacks.check_budget(context(0.95)) == ("warn", "Budget 95% used")
    assert callbacks.check_budget(context(1.00)) == ("block", "Budget exceeded")
    # the plan's default warns from 90% used; a level set on the callbacks (or on the
    # CostTracker an agent uses) replaces it
    assert callbacks.check_budget(context(0.85)) == ("allow", None)
    assert EnforcementCallbacks(warn_threshold=0.8).check_budget(context(0.85)) == ("warn", "Budget 85% used")


async def test_1_2_and_1_3_custom_callbacks_degrade_warn_and_block() -> None:
    from cascadeflow import CascadeAgent, ModelConfig
    from cascadeflow.domain.errors import BudgetExceededError
    from cascadeflow.telemetry import BudgetConfig, CostTracker, EnforcementCallbacks, EnforcementContext

    warned: list[EnforcementContext] = []

    def on_budget_check(ctx: EnforcementContext) -> tuple[str, str]:
        if ctx.budget_remaining <= 0:
            return 'block', "Budget exceeded"
        if ctx.budget_pct_used >= 0.5:
            return 'degrade', "Over half the budget: cheap models only"
        if ctx.budget_pct_used >= 0.25:
            return 'warn', f"Budget {ctx.budget_pct_used:.0%} used"
        return 'allow', ""

    def on_model_filter(ctx: EnforcementContext, models: list[ModelConfig]) -> list[ModelConfig]:
        return [m for m in models if m.cost is not None and m.cost <= 0.001]

    callbacks = EnforcementCallbacks(
        on_budget_check=on_budget_check,
        on_model_filter=on_model_filter,
        on_budget_warning=warned.append,
    )
    tracker = CostTracker(user_budgets={"user_123": BudgetConfig(daily=1.00)})
    fake = FakeProvider({"gpt-4o-mini": ["I'm not sure."], "gpt-4o": ["Paris."]})
    agent = CascadeAgent(
        models=[ModelConfig(name="gpt-4o-mini", provider="openai", cost=0.00015),
                ModelConfig(name="gpt-4o", provider="openai", cost=0.0025)],
        cost_tracker=tracker,
        enforcement=callbacks,
        provider=fake,
    )

    assert (await agent.run("Capital of France?", user_id="user_123")).model_used == "gpt-4o"

    tracker.add_cost(model="gpt-4o", provider="openai", tokens=1000, cost=0.30, user_id="user_123")
    warn = await agent.run("Capital of France?", user_id="user_123")
    assert warn.budget_action == "warn" and warned[-1].user_id == "user_123"

    tracker.add_cost(model="gpt-4o", provider="openai", tokens=1000, cost=0.30, user_id="user_123")
    degraded = await agent.run("Capital of France?", user_id="user_123")
    # only the cheap model may answer: its hedging draft comes back, flagged
    assert degraded.budget_action == "degrade" and degraded.models_called == ("gpt-4o-mini",)
    assert not degraded.validation_passed

    tracker.add_cost(model="gpt-4o", provider="openai", tokens=1000, cost=0.40, user_id="user_123")
    calls_before = len(fake.requests)
    with pytest.raises(BudgetExceededError, match="Budget exceeded"):
        await agent.run("Capital of France?", user_id="user_123")
    assert len(fake.requests) == calls_before  # blocked before any model call
