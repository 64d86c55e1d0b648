"""The plan's Part 5 usage example, copied verbatim (PLAN_PART_5 below is not edited),
run statement by statement in one namespace. From outside the copied lines come only
what the plan leaves undefined (``all_models``, and ``CostTracker``/``BudgetConfig``,
which it uses without importing) and the fakes: ``cascadeflow.testing.override`` gives
every agent a fake provider and every tracker an in-memory store.

``all_models`` carries today's list prices per token (USD per million: llama-3.1-8b
0.05/0.08, llama-3.3-70b 0.59/0.79, gpt-4o-mini 0.15/0.60, claude-3-5-haiku 0.80/4,
gpt-4o 2.50/10, claude-sonnet-4 3/15). The outcomes checked are the plan's comments:
free gets llama-8b and llama-70b for "What is 2+2?", three models for "Explain quantum
physics", and pro gets all four (gpt-4o included) for the microservices design."""

from __future__ import annotations

import ast
import inspect
from typing import Any

from cascadeflow import ModelConfig
from cascadeflow.telemetry import BudgetConfig, CostTracker
from cascadeflow.testing import FakeProvider, override

PLAN_PART_5 = '''from cascadeflow import CascadeAgent
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
    )
)

# Free user - simple query
result = await agent.run("What is 2+2?", user_id='user_free', user_tier='free')
# Tier routing: free → 2 models (llama-8b, llama-70b)
# Uses: llama-8b ($0.00005) ✅ accepted
# Total: $0.00005

# Free user - complex query (within budget)
result = await agent.run("Explain quantum physics", user_id='user_free', user_tier='free')
# Tier routing: free → 3 models (llama-8b, llama-70b, gpt-4o-mini)
# Uses: llama-70b ($0.0007) → quality low → gpt-4o-mini ($0.00015) ✅ accepted
# Total: $0.00085 (within $0.001 max)

# Pro user - complex query
result = await agent.run("Design microservices architecture", user_id='user_pro', user_tier='pro')
# Tier routing: pro → 4 models (llama-70b, haiku, 4o-mini, 4o)
# Uses: haiku ($0.0008) → quality low → gpt-4o ($0.0025) ✅ accepted
# Total: $0.0033 (within $0.005 max)
'''


def model(name: str, provider: str, per_million_in: float, per_million_out: float) -> ModelConfig:
    return ModelConfig(name=name, provider=provider, input_cost_per_token=per_million_in / 1e6,
                       output_cost_per_token=per_million_out / 1e6)


all_models = [
    model("llama-3.1-8b-instant", "groq", 0.05, 0.08),
    model("llama-3.3-70b-versatile", "groq", 0.59, 0.79),
    model("gpt-4o-mini", "openai", 0.15, 0.60),
    model("claude-3-5-haiku", "anthropic", 0.80, 4.00),
    model("gpt-4o", "openai", 2.50, 10.00),
    model("claude-sonnet-4", "anthropic", 3.00, 15.00),
]


async def run_statements(source: str, namespace: dict[str, Any]) -> list[Any]:
    """Each top-level statement in turn (``await`` allowed); ``result`` after each."""
    seen = []
    for statement in ast.parse(source).body:
        code = compile(ast.Module([statement], []), "<plan part 5>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        ran = eval(code, namespace)
        if inspect.iscoroutine(ran):
            await ran
        if isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]) == "result":
            seen.append(namespace["result"])
    return seen


async def test_part_5_runs_as_written_with_the_routing_its_comments_describe() -> None:
    fake = FakeProvider(default="A complete and correct answer to the question asked.")
    namespace: dict[str, Any] = {"all_models": all_models, "CostTracker": CostTracker,
                                 "BudgetConfig": BudgetConfig}
    with override(provider=fake, store="memory"):
        simple, quantum, design = await run_statements(PLAN_PART_5, namespace)
    routed = [set(r.models_called) for r in (simple, quantum, design)]
    # a fresh agent escalates to the strongest routed model (online calibration's
    # warm-up), so every routed model of a two-model route is called
    assert simple.complexity == "simple" and routed[0] == {"llama-3.1-8b-instant", "llama-3.3-70b-versatile"}
    assert quantum.complexity == "medium" and routed[1] <= {"llama-3.1-8b-instant", "llama-3.3-70b-versatile",
                                                            "gpt-4o-mini"}
    assert design.complexity == "high" and "gpt-4o" in routed[2]
    assert routed[2] <= {"llama-3.3-70b-versatile", "claude-3-5-haiku", "gpt-4o-mini", "gpt-4o"}
    assert all(r.total_cost <= 0.005 for r in (simple, quantum, design))
    # the routes themselves, as the plan's get_models_for_tier gives them (same prices)
    router = namespace["agent"].tier_router
    def route(tier: str, complexity: str) -> list[str]:
        return [m.name for m in router.get_models_for_tier(tier, 1.0, complexity)]
    assert sorted(route("free", "simple")) == ["llama-3.1-8b-instant", "llama-3.3-70b-versatile"]
    assert len(route("free", "medium")) == 3
    assert sorted(route("pro", "high")) == ["claude-3-5-haiku", "gpt-4o", "gpt-4o-mini", "llama-3.3-70b-versatile"]


async def test_the_enterprise_preset_serves_free_tier_users() -> None:
    from cascadeflow import CascadeAgent, PRESET_ENTERPRISE_GRADE

    with override(provider=FakeProvider(default="A complete and correct answer to the question."),
                  store="memory"):
        agent = CascadeAgent(**PRESET_ENTERPRISE_GRADE.to_agent_config())
        for query in ("What is 2+2?", "Explain quantum physics", "Design microservices architecture"):
            result = await agent.run(query, user_id="newcomer", user_tier="free")
            free = set(PRESET_ENTERPRISE_GRADE.tier_policies["free"].allowed_models)
            assert result.user_tier == "free" and set(result.models_called) <= free, query


async def test_part_5_answers_as_its_comments_say_when_the_dearer_drafts_fall_short() -> None:
    # the comments' "quality low": llama-70b and haiku hedge; the other models answer well
    good = "A complete and correct answer to the question asked."
    fake = FakeProvider({"llama-3.3-70b-versatile": ["I'm not sure, it depends."],
                         "claude-3-5-haiku": ["I'm not sure, it depends."]}, default=good)
    namespace: dict[str, Any] = {"all_models": all_models, "CostTracker": CostTracker,
                                 "BudgetConfig": BudgetConfig}
    with override(provider=fake, store="memory"):
        simple, quantum, design = await run_statements(PLAN_PART_5, namespace)
    # "Uses: llama-8b ✅ accepted": its answer is the one returned. A fresh agent asks the
    # tier's strongest model too (online calibration's warm-up; ARCHITECTURE.md), so the
    # comment's "Total: $0.00005" becomes both calls' cost
    assert (simple.model_used, simple.content, simple.validation_passed) == ("llama-3.1-8b-instant", good, True)
    # "llama-70b → quality low → gpt-4o-mini ✅ accepted, within $0.001 max"
    assert (quantum.model_used, quantum.validation_passed) == ("gpt-4o-mini", True)
    assert quantum.total_cost <= 0.001
    # "haiku → quality low → gpt-4o ✅ accepted, within $0.005 max"
    assert (design.model_used, design.validation_passed) == ("gpt-4o", True)
    assert design.total_cost <= 0.005
    spent = namespace["agent"].cost_tracker.get_user_summary("user_free")
    assert spent["total_cost"] == simple.total_cost + quantum.total_cost
