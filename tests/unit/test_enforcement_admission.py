"""Budget admission happens once per request: strategy steps and judge calls reuse it
(one warning, one degrade) and only reserve and commit; a global-only budget warns,
degrades and blocks like a user's own, and says it was the global one."""

from __future__ import annotations

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.routing import CascadeStep, DomainCascadeStrategy, llm_judge_validator
from cascadeflow.telemetry import (
    BudgetConfig,
    BudgetExceededError,
    CostTracker,
    EnforcementCallbacks,
    EnforcementContext,
)
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, FakeReply, SequentialIds

from .exact_costs import LARGE, MAX, SMALL, reply


def strategy(mode: str, *steps: CascadeStep) -> DomainCascadeStrategy:
    return DomainCascadeStrategy(domain="general", mode=mode, steps=list(steps))  # type: ignore[arg-type]


def reject(text: str) -> tuple[bool, str]:
    return False, "never good enough"


def agent_for(tracker: CostTracker, plan: DomainCascadeStrategy | None = None,
              enforcement: EnforcementCallbacks | None = None,
              fake: FakeProvider | None = None) -> tuple[CascadeAgent, FakeProvider]:
    fake = fake or FakeProvider(default=reply())
    strategies = {plan.domain: plan} if plan is not None else None
    agent = CascadeAgent(models=[SMALL, LARGE], provider=fake, pricing=ConfiguredPricing(), quality_validation_mode="fast",
                         cost_tracker=tracker, enforcement=enforcement,
                         enable_multi_step_cascade=plan is not None, domain_strategies=strategies)
    return agent, fake


def user_tracker(daily: float) -> CostTracker:
    return CostTracker(user_budgets={"u": BudgetConfig(daily=daily)}, store="memory",
                       clock=FakeClock(), ids=SequentialIds())


def global_tracker(limit: float) -> CostTracker:
    return CostTracker(budget_limit=limit, store="memory", clock=FakeClock(), ids=SequentialIds())


async def test_a_strategy_warns_once_per_request_not_once_per_step() -> None:
    seen: list[EnforcementContext] = []
    tracker = user_tracker(1.0)
    tracker.add_cost("large", "openai", 10, 0.6, user_id="u")
    plan = strategy("pipeline", CascadeStep("small", "groq", max_retries=0),
                    CascadeStep("large", "openai", max_retries=0))
    agent, fake = agent_for(tracker, plan, EnforcementCallbacks(on_budget_warning=seen.append,
                                                                warn_threshold=0.5))
    result = await agent.run("Q?", user_id="u", domain="general")
    assert result.steps_executed == 2 and fake.calls_to("small") == fake.calls_to("large") == 1
    assert len(seen) == 1 and seen[0].budget_pct_used == pytest.approx(0.6)
    assert result.budget_action == "warn" and result.budget_message == "Budget 60% used"
    # every step call was still reserved and committed
    assert [e.model for e in tracker.entries("u")] == ["large", "small", "large"]
    assert tracker.get_user_summary("u")["reserved"] == 0.0


async def test_a_judge_call_does_not_warn_again() -> None:
    seen: list[EnforcementContext] = []
    tracker = user_tracker(1.0)
    tracker.add_cost("large", "openai", 10, 0.6, user_id="u")
    judge = llm_judge_validator("large", provider="openai")
    plan = strategy("cascade", CascadeStep("small", "groq", validation=judge, max_retries=0))
    fake = FakeProvider({"small": [reply()], "large": [reply('{"passed": true, "score": 0.9}')]})
    agent, _ = agent_for(tracker, plan, EnforcementCallbacks(on_budget_warning=seen.append,
                                                             warn_threshold=0.5), fake)
    result = await agent.run("Q?", user_id="u", domain="general")
    assert fake.calls_to("large") == 1 and len(seen) == 1 and result.budget_action == "warn"


async def test_degrade_runs_only_the_steps_the_budget_can_afford() -> None:
    filtered: list[list[str]] = []

    def keep(ctx: EnforcementContext, models: list[ModelConfig]) -> list[ModelConfig]:
        filtered.append([m.name for m in models])
        return models

    tracker = user_tracker(1.0)
    tracker.add_cost("x", "openai", 10, 0.95, user_id="u")  # $0.05 left: small fits, large not
    plan = strategy("cascade", CascadeStep("small", "groq", validation=reject, max_retries=0),
                    CascadeStep("large", "openai", max_retries=0))
    agent, fake = agent_for(tracker, plan, EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", "tight budget"), on_model_filter=keep))
    result = await agent.run("Q?", user_id="u", domain="general")
    assert fake.calls_to("large") == 0 and result.model_used == "small"
    assert result.steps_executed == 1 and [s.model for s in result.steps] == ["small"]
    assert result.budget_action == "degrade" and result.budget_message == "tight budget"
    assert filtered == [["small"]]  # one degrade decision for the whole request


async def test_degrade_runs_an_unaffordable_step_on_its_affordable_fallback() -> None:
    tracker = user_tracker(1.0)
    tracker.add_cost("x", "openai", 10, 0.95, user_id="u")
    plan = strategy("cascade", CascadeStep("large", "openai", max_retries=0, fallback_model="small"))
    agent, fake = agent_for(tracker, plan, EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", None)))
    result = await agent.run("Q?", user_id="u", domain="general")
    assert fake.calls_to("large") == 0 and result.model_used == "small"


async def test_a_strategy_nothing_fits_is_blocked_before_any_call() -> None:
    tracker = user_tracker(1.0)
    tracker.add_cost("x", "openai", 10, 0.995, user_id="u")
    plan = strategy("cascade", CascadeStep("small", "groq"), CascadeStep("large", "openai"))
    agent, fake = agent_for(tracker, plan, EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", None)))
    with pytest.raises(BudgetExceededError, match="no model fits"):
        await agent.run("Q?", user_id="u", domain="general")
    assert fake.requests == []


async def test_a_global_only_budget_warns_with_its_context() -> None:
    seen: list[EnforcementContext] = []
    tracker = global_tracker(0.2)
    tracker.add_cost("x", "openai", 10, 0.185, user_id="someone-else")  # 92.5%: past the 90% warn
    agent, _ = agent_for(tracker, enforcement=EnforcementCallbacks(on_budget_warning=seen.append))
    result = await agent.run("Q?", user_id="u")
    assert result.budget_action == "warn" and "global" in (result.budget_message or "")
    [ctx] = seen
    assert ctx.scope == "global" and ctx.window == "total (all users)" and ctx.user_id == "u"
    assert ctx.budget_limit == 0.2 and ctx.budget_remaining == pytest.approx(0.015)
    assert ctx.total_requests == 1  # everyone's: the global figures are all users'


async def test_a_spent_global_budget_blocks_with_a_context_naming_it() -> None:
    tracker = global_tracker(0.05)
    tracker.add_cost("x", "openai", 10, 0.05, user_id="someone-else")
    agent, fake = agent_for(tracker)
    for user in ("u", None):  # anonymous calls are held to the global budget too
        with pytest.raises(BudgetExceededError, match="global total budget") as caught:
            await agent.run("Q?", user_id=user)
        ctx = caught.value.context
        assert ctx is not None and ctx.scope == "global" and ctx.budget_remaining == 0
    assert fake.requests == []


async def test_a_global_reservation_that_does_not_fit_says_it_was_the_global_budget() -> None:
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=10.0)}, budget_limit=0.025,
                          store="memory", clock=FakeClock(), ids=SequentialIds())
    agent, _ = agent_for(tracker)
    await agent.run("Q?", user_id="u")
    await agent.run("Q?", user_id="u")
    with pytest.raises(BudgetExceededError) as caught:  # $0.005 left, small needs $0.01
        await agent.run("Q?", user_id="u")
    message = str(caught.value)
    assert "global total budget of all users cannot cover small" in message
    assert "CostTracker(budget_limit=...)" in message
    ctx = caught.value.context
    assert ctx is not None and ctx.scope == "global" and ctx.budget_remaining == pytest.approx(0.005)


async def test_a_users_own_limit_still_binds_when_it_is_the_tighter_one() -> None:
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=0.05)}, budget_limit=10.0,
                          store="memory", clock=FakeClock(), ids=SequentialIds())
    tracker.add_cost("x", "openai", 10, 0.05, user_id="u")
    agent, _ = agent_for(tracker)
    with pytest.raises(BudgetExceededError) as caught:
        await agent.run("Q?", user_id="u")
    ctx = caught.value.context
    assert ctx is not None and ctx.scope == "user" and ctx.window == "daily"
    assert "global" not in str(caught.value)


async def test_the_decision_and_the_first_reservation_take_one_trip_to_the_store() -> None:
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=10.0)}, store="memory",
                          clock=FakeClock(), ids=SequentialIds())
    agent, _ = agent_for(tracker)
    gate = agent._container.budget_gate()
    assert gate is not None
    trips: list[str] = []
    off_loop = gate.off_loop

    async def counted(fn, *args, **options):  # type: ignore[no-untyped-def]
        trips.append(getattr(fn, "__name__", "?"))
        return await off_loop(fn, *args, **options)

    gate.off_loop = counted  # type: ignore[method-assign]
    result = await agent.run("Q?", user_id="u")
    assert result.draft_accepted and trips == ["admit_and_reserve", "settle"]


async def test_a_degraded_decision_drops_the_first_reservation_and_runs_the_narrower_list() -> None:
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=10.0)}, store="memory",
                          clock=FakeClock(), ids=SequentialIds())
    drop_small = EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", "near the limit"),
        on_model_filter=lambda ctx, models: [m for m in models if m.name != SMALL.name])
    agent, fake = agent_for(tracker, enforcement=drop_small)
    result = await agent.run("Q?", user_id="u")
    assert result.models_called == (LARGE.name,) and result.budget_action == "degrade"
    assert tracker.store.reserved("u", FakeClock().now()) == 0.0  # the dropped hold is released


async def test_the_result_says_what_is_left_of_the_users_budget() -> None:
    tracker = CostTracker(user_budgets={"u": BudgetConfig(daily=1.0, monthly=1.5)}, store="memory",
                          clock=FakeClock(), ids=SequentialIds())
    tracker.add_cost("large", "openai", 10, 0.75, user_id="u")  # spent earlier today
    agent, _ = agent_for(tracker)
    result = await agent.run("Q?", user_id="u")
    now = tracker.clock.now()
    spent_today = tracker.store.spent("u", now.replace(hour=0, minute=0, second=0, microsecond=0))
    assert spent_today == pytest.approx(0.75 + result.total_cost) and result.total_cost > 0
    assert result.budget_window == "daily"  # 1.0 - 0.75 - cost, below 1.5 - 0.75 - cost
    assert result.budget_remaining == pytest.approx(1.0 - spent_today)  # as a fresh read says

    anonymous = await agent.run("Q?")
    assert anonymous.budget_window is None and anonymous.budget_remaining is None
