"""The plan's definitions, run verbatim (plan_code.py), against the objects cascadeflow
ships under the same names: the domain strategies and tier policies are the plan's; the
presets are the plan's but for the documented changes (model names no provider serves
any more, replaced per CURRENT_NAMES; enterprise_grade's multi-step cascade switched
on, since its strategies would otherwise never run)."""

from __future__ import annotations

from typing import Any

import pytest

import cascadeflow
import cascadeflow.routing
from cascadeflow.testing import FakeProvider, override
from cascadeflow.utils.presets_v2 import CURRENT_NAMES

from .test_plan_verbatim import run

STRATEGIES_BLOCK, TIERS_BLOCK, PRESETS_BLOCK = 393, 666, 981


async def plan_names(line: int) -> dict[str, Any]:
    with override(provider=FakeProvider(default="x"), store="memory"):
        return await run(line)


@pytest.mark.parametrize("name", ["CODE_DOMAIN_STRATEGY", "MEDICAL_DOMAIN_STRATEGY", "GENERAL_DOMAIN_STRATEGY"])
async def test_the_builtin_strategies_are_the_plans(name: str) -> None:
    plan, ours = (await plan_names(STRATEGIES_BLOCK))[name], getattr(cascadeflow.routing, name)
    assert ours.domain == plan.domain
    fields = ("model", "provider", "fallback_model", "max_retries", "description")
    assert [tuple(getattr(s, f) for f in fields) for s in ours.steps] == \
           [tuple(getattr(s, f) for f in fields) for s in plan.steps]
    # the plan's validators, by name (ours are the objects the plan's code names)
    assert [getattr(s.validation, "__name__", type(s.validation).__name__) for s in ours.steps] == \
           [getattr(s.validation, "__name__", type(s.validation).__name__) for s in plan.steps]


async def test_the_default_tier_policies_are_the_plans() -> None:
    plan = (await plan_names(TIERS_BLOCK))["TIER_POLICIES_DEFAULT"]
    ours = cascadeflow.routing.TIER_POLICIES_DEFAULT
    assert list(ours) == list(plan)
    for tier, policy in plan.items():
        mine = ours[tier]
        assert (mine.tier_name, list(mine.allowed_models), mine.max_cost_per_query, mine.prefer_cheap_first,
                mine.description) == (policy.tier_name, list(policy.allowed_models), policy.max_cost_per_query,
                                      policy.prefer_cheap_first, policy.description)


@pytest.mark.parametrize("name", ["PRESET_PRODUCTION_READY", "PRESET_COST_OPTIMIZED_SAAS",
                                  "PRESET_CODE_SPECIALIST", "PRESET_MEDICAL_AI", "PRESET_ENTERPRISE_GRADE"])
async def test_the_builtin_presets_are_the_plans_but_for_documented_changes(name: str) -> None:
    plan, ours = (await plan_names(PRESETS_BLOCK))[name], getattr(cascadeflow, name)
    assert [(CURRENT_NAMES.get(m.name, m.name), m.provider) for m in plan.models] == \
           [(m.name, m.provider) for m in ours.models]
    changed = {"enable_multi_step_cascade"} if name == "PRESET_ENTERPRISE_GRADE" else set()
    for field in ("name", "enable_cost_tracking", "default_budget_daily", "enable_cost_forecasting",
                  "quality_validation_mode", "enable_ml_quality", "enable_domain_routing",
                  "enable_user_tiers", "enable_multi_step_cascade"):
        if field in changed:
            assert getattr(ours, field) != getattr(plan, field)
        else:
            assert getattr(ours, field) == getattr(plan, field), field
    budgets = {t: (b.daily, b.weekly, b.monthly, b.total) for t, b in (plan.tier_budgets or {}).items()}
    assert {t: (b.daily, b.weekly, b.monthly, b.total) for t, b in (ours.tier_budgets or {}).items()} == budgets


async def test_the_plans_agent_code_reads_our_verdicts_and_results() -> None:
    # the plan's multi-step loop reads ``is_valid, reason = step.validation(text)``,
    # ``step.validation(text)[0]`` and ``result.text``
    from cascadeflow.quality.validation import syntax_validator

    verdict = syntax_validator("```python\ndef f(:\n    pass\n```")
    is_valid, reason = verdict
    assert verdict[0] is is_valid is False and verdict[1] == reason and len(verdict) == 2
    assert syntax_validator("```python\ndef f():\n    pass\n```")[0] is True
    with override(provider=FakeProvider(default="Paris."), store="memory"):
        agent = cascadeflow.CascadeAgent(models=[cascadeflow.ModelConfig(name="m", cost=0.001)])
        result = await agent.run("Capital of France?")
    assert result.text == result.content == "Paris."
