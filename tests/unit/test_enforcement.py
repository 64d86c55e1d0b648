"""Budgets enforced by CascadeAgent before any model is called."""

from __future__ import annotations

import asyncio

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.errors import ProviderUnavailableError
from cascadeflow.telemetry import (
    BudgetConfig,
    BudgetExceededError,
    CostTracker,
    EnforcementCallbacks,
    EnforcementContext,
)
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, FakeReply, SequentialIds

from .exact_costs import LARGE, MAX, SMALL, reply


def setup(budget: BudgetConfig, fake: FakeProvider | None = None,
          enforcement: EnforcementCallbacks | None = None, **tracker_kwargs: object,
          ) -> tuple[CascadeAgent, CostTracker, FakeProvider]:
    fake = fake or FakeProvider(default=reply())
    tracker = CostTracker(user_budgets={"u": budget}, store="memory", clock=FakeClock(),
                          ids=SequentialIds(), **tracker_kwargs)  # type: ignore[arg-type]
    agent = CascadeAgent(models=[SMALL, LARGE], provider=fake, pricing=ConfiguredPricing(), quality_validation_mode="fast",
                         cost_tracker=tracker, enforcement=enforcement)
    return agent, tracker, fake


async def test_every_call_is_recorded_with_user_and_domain() -> None:
    fake = FakeProvider({"small": [reply("I'm not sure.")], "large": [reply()]})
    agent, tracker, _ = setup(BudgetConfig(daily=1.0), fake)
    result = await agent.run("Q?", user_id="u", domain="general")
    assert result.model_used == "large" and result.budget_action == "allow"
    entries = tracker.entries("u")
    assert [(e.model, e.cost, e.domain) for e in entries] == [
        ("small", pytest.approx(0.01), "general"), ("large", pytest.approx(0.1), "general")]
    assert tracker.get_user_summary("u")["reserved"] == 0.0


async def test_exhausted_budget_blocks_before_any_model_is_called() -> None:
    agent, tracker, fake = setup(BudgetConfig(daily=0.05))
    tracker.add_cost("small", "groq", 10, 0.05, user_id="u")
    with pytest.raises(BudgetExceededError) as caught:
        await agent.run("Q?", user_id="u")
    assert fake.requests == []
    ctx = caught.value.context
    assert isinstance(ctx, EnforcementContext)
    assert ctx.user_id == "u" and ctx.budget_remaining == 0 and ctx.window == "daily"


async def test_warning_reaches_the_callback_and_the_result() -> None:
    seen: list[EnforcementContext] = []
    agent, tracker, _ = setup(BudgetConfig(daily=1.0),
                              enforcement=EnforcementCallbacks(on_budget_warning=seen.append,
                                                               warn_threshold=0.5))
    tracker.add_cost("large", "openai", 10, 0.6, user_id="u")
    result = await agent.run("Q?", user_id="u")
    assert result.budget_action == "warn" and result.budget_message == "Budget 60% used"
    assert len(seen) == 1 and seen[0].budget_pct_used == pytest.approx(0.6)


async def test_warn_level_comes_from_the_trackers_warn_threshold() -> None:
    agent, tracker, _ = setup(BudgetConfig(daily=1.0), warn_threshold=0.3)
    tracker.add_cost("large", "openai", 10, 0.35, user_id="u")
    assert (await agent.run("Q?", user_id="u")).budget_action == "warn"


async def test_degrade_keeps_only_models_that_fit() -> None:
    fake = FakeProvider({"small": [reply("I'm not sure.")], "large": [reply()]})
    agent, tracker, _ = setup(BudgetConfig(daily=1.0), fake, enforcement=EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", "tight budget")))
    tracker.add_cost("x", "openai", 10, 0.95, user_id="u")  # $0.05 left: small fits, large not
    result = await agent.run("Q?", user_id="u")
    assert fake.calls_to("large") == 0
    assert result.model_used == "small" and not result.validation_passed
    assert result.budget_action == "degrade"


async def test_degrade_with_nothing_affordable_blocks() -> None:
    agent, tracker, fake = setup(BudgetConfig(daily=1.0), enforcement=EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", None)))
    tracker.add_cost("x", "openai", 10, 0.995, user_id="u")
    with pytest.raises(BudgetExceededError, match="no model fits"):
        await agent.run("Q?", user_id="u")
    assert fake.requests == []


async def test_model_filter_callback_narrows_further() -> None:
    def only_large(ctx: EnforcementContext, models: list[ModelConfig]) -> list[ModelConfig]:
        return [m for m in models if m.name == "large"]

    agent, _, fake = setup(BudgetConfig(daily=1.0), enforcement=EnforcementCallbacks(
        on_budget_check=lambda ctx: ("degrade", None), on_model_filter=only_large))
    result = await agent.run("Q?", user_id="u")
    assert result.model_used == "large" and fake.calls_to("small") == 0


async def test_custom_check_can_block_and_bad_actions_are_reported() -> None:
    agent, _, fake = setup(BudgetConfig(daily=100.0), enforcement=EnforcementCallbacks(
        on_budget_check=lambda ctx: ("block", "maintenance window")))
    with pytest.raises(BudgetExceededError, match="maintenance window"):
        await agent.run("Q?", user_id="u")
    agent, _, _ = setup(BudgetConfig(daily=100.0), enforcement=EnforcementCallbacks(
        on_budget_check=lambda ctx: ("maybe", None)))
    with pytest.raises(ValueError, match="must be one of allow, warn, degrade, block"):
        await agent.run("Q?", user_id="u")


async def test_escalation_that_does_not_fit_returns_the_draft_flagged() -> None:
    fake = FakeProvider({"small": [reply("I'm not sure.")], "large": [reply()]})
    agent, tracker, _ = setup(BudgetConfig(daily=0.05), fake)
    result = await agent.run("Q?", user_id="u")
    assert result.model_used == "small" and not result.validation_passed
    assert "cannot cover large" in (result.budget_message or "")
    assert tracker.get_user_summary("u")["spend"]["daily"] == pytest.approx(0.01)


async def test_failed_call_releases_its_reservation() -> None:
    fake = FakeProvider({"small": [ProviderUnavailableError("small", "HTTP 500")], "large": [reply()]})
    agent, tracker, _ = setup(BudgetConfig(daily=0.2), fake)
    result = await agent.run("Q?", user_id="u")
    summary = tracker.get_user_summary("u")
    assert result.model_used == "large"
    assert summary["spend"]["daily"] == pytest.approx(0.1) and summary["reserved"] == 0.0


async def test_users_without_a_budget_are_tracked_but_not_limited() -> None:
    agent, tracker, _ = setup(BudgetConfig(daily=0.0))
    await agent.run("Q?", user_id="someone-else")
    assert tracker.by_user == {"someone-else": pytest.approx(0.01)}


async def test_global_budget_limit_caps_all_users_together() -> None:
    agent, tracker, _ = setup(BudgetConfig(daily=10.0), budget_limit=0.025)
    await agent.run("Q?", user_id="u")
    await agent.run("Q?", user_id="v")
    with pytest.raises(BudgetExceededError):
        await agent.run("Q?", user_id="w")
    assert tracker.total_cost == pytest.approx(0.02)


async def test_200_concurrent_runs_never_spend_past_the_budget() -> None:
    class YieldingFake(FakeProvider):
        async def complete(self, request):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0)  # let every other run interleave between reserve and commit
            return await super().complete(request)

    fits = 37
    agent, tracker, _ = setup(BudgetConfig(daily=fits * 0.01), YieldingFake(default=reply()))
    outcomes = await asyncio.gather(*(agent.run("Q?", user_id="u") for _ in range(200)),
                                    return_exceptions=True)
    succeeded = [o for o in outcomes if not isinstance(o, BaseException)]
    blocked = [o for o in outcomes if isinstance(o, BudgetExceededError)]
    assert len(succeeded) == fits and len(blocked) == 200 - fits
    assert tracker.get_user_summary("u")["spend"]["daily"] == pytest.approx(fits * 0.01)
    assert tracker.get_user_summary("u")["spend"]["daily"] <= fits * 0.01 + 1e-9


async def test_entries_carry_query_id_tier_and_the_result_its_finish_reason() -> None:
    fake = FakeProvider({"small": [FakeReply("A fine answer.", 5, MAX, finish_reason="stop")]})
    agent, tracker, _ = setup(BudgetConfig(daily=1.0), fake)
    result = await agent.run("Q?", user_id="u", query_id="req-42")
    assert result.finish_reason == "stop"
    (entry,) = tracker.entries("u")
    assert entry.query_id == "req-42"
    assert tracker.store.count("u") == 1 and tracker.store.count(None) == 1


async def test_a_cancelled_run_is_charged_its_worst_case_and_holds_nothing() -> None:
    started = asyncio.Event()

    class HangingFake(FakeProvider):
        async def complete(self, request):  # type: ignore[no-untyped-def]
            started.set()
            await asyncio.Event().wait()  # never answers, like a client that hung up

    agent, tracker, _ = setup(BudgetConfig(daily=1.0), HangingFake(default=reply()))
    task = asyncio.create_task(agent.run("Q?", user_id="u"))
    await started.wait()
    assert tracker.get_user_summary("u")["reserved"] > 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # the provider got the request and bills what it produced, which nobody here knows
    summary = tracker.get_user_summary("u")
    assert summary["reserved"] == 0.0 and summary["spend"]["daily"] > 0.0


async def test_a_provider_bug_releases_the_reservation_and_surfaces() -> None:
    class BuggyFake(FakeProvider):
        async def complete(self, request):  # type: ignore[no-untyped-def]
            raise RuntimeError("adapter bug")

    agent, tracker, _ = setup(BudgetConfig(daily=1.0), BuggyFake(default=reply()))
    with pytest.raises(RuntimeError, match="adapter bug"):
        await agent.run("Q?", user_id="u")
    assert tracker.get_user_summary("u")["reserved"] == 0.0


async def test_spend_is_stored_even_when_a_validator_crashes() -> None:
    from cascadeflow.application.budget_gate import BudgetPolicy
    from cascadeflow.application.run_cascade import CascadeRequest
    from cascadeflow.bootstrap import bootstrap
    from cascadeflow.domain.messages import Message
    from cascadeflow.testing import InMemoryUsageStore

    class Exploding:
        def validate(self, text: str, context: object) -> None:
            raise RuntimeError("validator bug")

    store = InMemoryUsageStore()
    container = bootstrap(provider=FakeProvider(default=reply()), pricing=ConfiguredPricing(),
                          clock=FakeClock(), usage=store, ids=SequentialIds(),
                          budget_policy=BudgetPolicy(user_budgets={"u": BudgetConfig(daily=1.0)}))
    with pytest.raises(RuntimeError, match="validator bug"):
        await container.run_cascade(validator=Exploding()).execute(
            CascadeRequest(models=(SMALL,), messages=(Message("user", "Q?"),), user_id="u"))
    assert store.spent("u", None) == pytest.approx(0.01)
    assert store.reserved("u", FakeClock().now()) == 0.0


async def test_user_callbacks_inherit_the_trackers_warn_threshold() -> None:
    seen: list[EnforcementContext] = []
    agent, tracker, _ = setup(BudgetConfig(daily=1.0), warn_threshold=0.3,
                              enforcement=EnforcementCallbacks(on_budget_warning=seen.append))
    tracker.add_cost("large", "openai", 10, 0.35, user_id="u")
    assert (await agent.run("Q?", user_id="u")).budget_action == "warn" and len(seen) == 1


async def test_anonymous_calls_are_not_held_to_a_users_default_budget() -> None:
    fake = FakeProvider(default=reply())
    tracker = CostTracker(default_budget=BudgetConfig(daily=0.0), store="memory", clock=FakeClock())
    agent = CascadeAgent(models=[SMALL], provider=fake, pricing=ConfiguredPricing(), cost_tracker=tracker)
    await agent.run("Q?")  # no user: only a global budget could stop it
    with pytest.raises(BudgetExceededError):
        await agent.run("Q?", user_id="someone")
    assert tracker.get_user_summary("nobody-yet")["remaining"] == {"daily": 0.0}
