"""Domain strategies through CascadeAgent: cascade and pipeline modes, retries and
fallbacks, failing providers, judge validators, and budgets on every step."""

from __future__ import annotations

import pytest

from cascadeflow import AllModelsFailedError, CascadeAgent, ConfigurationError, ModelConfig
from cascadeflow.domain.errors import ProviderUnavailableError
from cascadeflow.domain.results import Verdict
from cascadeflow.routing import (
    CascadeStep,
    DomainCascadeStrategy,
    ValidationContext,
    ValidationResult,
    llm_judge_validator,
    syntax_validator,
)
from cascadeflow.telemetry import BudgetConfig, CostTracker
from cascadeflow.testing import ConfiguredPricing, FakeClock, FakeProvider, InMemoryUsageStore, SequentialIds

MODELS = [
    ModelConfig(name="draft", provider="groq", cost=0.0001),
    ModelConfig(name="backup", provider="together", cost=0.0005),
    ModelConfig(name="strong", provider="openai", cost=0.01),
    ModelConfig(name="judge", provider="openai", cost=0.001),
]
GOOD = "```python\ndef rev(xs):\n    return xs[::-1]\n```"
BAD = "```python\ndef rev(xs)\n    return xs[::-1]\n```"
QUERY = "Write a Python function that reverses a list"


def code_strategy(mode: str = "cascade", retries: int = 0, fallback: str | None = "backup") -> DomainCascadeStrategy:
    return DomainCascadeStrategy(
        domain="code",
        mode=mode,  # type: ignore[arg-type]
        steps=[
            CascadeStep("draft", "groq", validation=syntax_validator, max_retries=retries,
                        fallback_model=fallback, description="draft"),
            CascadeStep("strong", "openai", validation=syntax_validator, description="verify"),
        ],
    )


def agent(fake: FakeProvider, strategy: DomainCascadeStrategy, **kwargs: object) -> CascadeAgent:
    kwargs.setdefault("quality_validation_mode", "fast")  # queries without a strategy: rules decide
    return CascadeAgent(
        models=MODELS, provider=fake, pricing=ConfiguredPricing(), enable_multi_step_cascade=True,
        domain_strategies={strategy.domain: strategy}, **kwargs,  # type: ignore[arg-type]
    )


async def test_cascade_stops_at_the_first_step_that_passes() -> None:
    fake = FakeProvider({"draft": [GOOD], "strong": [GOOD]})
    result = await agent(fake, code_strategy()).run(QUERY, domain="code")
    assert result.strategy_used == "code" and result.steps_executed == 1
    assert result.models_called == ("draft",) and result.draft_accepted and result.validation_passed
    assert result.steps[0].passed and result.steps[0].validator == "syntax_validator"
    assert fake.calls_to("strong") == 0


async def test_a_failing_step_retries_with_the_reason_then_falls_back_then_escalates() -> None:
    fake = FakeProvider({"draft": [BAD, BAD], "backup": [BAD], "strong": [GOOD]})
    result = await agent(fake, code_strategy(retries=1)).run(QUERY, domain="code")
    assert result.models_called == ("draft", "draft", "backup", "strong")
    assert result.model_used == "strong" and result.validation_passed and not result.draft_accepted
    first, second = result.steps
    assert not first.passed and first.attempts == 3 and "does not parse" in first.reason
    assert second.passed and second.model == "strong"
    retry = fake.requests[1].messages
    assert retry[-2].role == "assistant" and retry[-2].content == BAD
    assert "rejected" in retry[-1].content and "does not parse" in retry[-1].content
    assert fake.requests[2].messages == fake.requests[0].messages  # the fallback starts afresh
    assert result.total_cost == pytest.approx(sum(c.cost for c in result.calls))


async def test_when_no_step_passes_the_last_answer_is_returned_flagged() -> None:
    fake = FakeProvider({"draft": [BAD], "backup": [BAD], "strong": [BAD]})
    result = await agent(fake, code_strategy()).run(QUERY, domain="code")
    assert result.content == BAD and result.model_used == "strong"
    assert not result.validation_passed and result.steps_executed == 2


async def test_pipeline_runs_every_step_and_passes_the_answer_on() -> None:
    fake = FakeProvider({"draft": [GOOD], "strong": ["```python\ndef rev(xs):\n    return list(reversed(xs))\n```"]})
    result = await agent(fake, code_strategy(mode="pipeline")).run(QUERY, domain="code")
    assert result.steps_executed == 2 and result.models_called == ("draft", "strong")
    assert result.model_used == "strong" and "reversed" in result.content and result.validation_passed
    review = fake.requests[1].messages
    assert review[0].content == QUERY
    assert review[-2].role == "assistant" and review[-2].content == GOOD
    assert "Review the answer above" in review[-1].content and "verify" in review[-1].content


async def test_pipeline_hands_on_the_last_accepted_answer_and_reports_the_failed_step() -> None:
    strategy = DomainCascadeStrategy(
        domain="code", mode="pipeline",
        steps=[
            CascadeStep("draft", "groq", validation=syntax_validator, max_retries=0),
            CascadeStep("backup", "together", validation=syntax_validator, max_retries=0),
            CascadeStep("strong", "openai", validation=syntax_validator, max_retries=0),
        ],
    )
    fake = FakeProvider({"draft": [GOOD], "backup": [BAD], "strong": [GOOD]})
    result = await agent(fake, strategy).run(QUERY, domain="code")
    assert [s.passed for s in result.steps] == [True, False, True]
    assert not result.validation_passed  # a pipeline passes only when every step does
    assert fake.requests[2].messages[-2].content == GOOD  # not the failing answer of step 2


async def test_pipeline_step_after_a_failed_first_step_refines_that_answer() -> None:
    strategy = DomainCascadeStrategy(
        domain="code", mode="pipeline",
        steps=[
            CascadeStep("draft", "groq", validation=syntax_validator, max_retries=0),
            CascadeStep("strong", "openai", validation=syntax_validator, max_retries=0),
        ],
    )
    fake = FakeProvider({"draft": [BAD], "strong": [GOOD]})
    result = await agent(fake, strategy).run(QUERY, domain="code")
    assert [s.passed for s in result.steps] == [False, True]
    assert fake.requests[1].messages[-2].content == BAD  # handed on to be fixed
    assert result.content == GOOD


async def test_a_failing_provider_goes_straight_to_the_fallback() -> None:
    fake = FakeProvider({
        "draft": [ProviderUnavailableError("draft", "503 from upstream")],
        "backup": [GOOD],
    })
    result = await agent(fake, code_strategy(retries=2)).run(QUERY, domain="code")
    assert result.models_called == ("draft", "backup") and result.model_used == "backup"
    assert result.calls[0].verdict is Verdict.FAILED and "unavailable" in result.calls[0].reason
    assert "503" in (result.calls[0].error or "")  # the provider's words: for the operator only
    assert fake.calls_to("draft") == 1  # no retry of a provider that is down


async def test_when_every_provider_fails_the_error_lists_them() -> None:
    down = {m: [ProviderUnavailableError(m, "down")] for m in ("draft", "backup", "strong")}
    with pytest.raises(AllModelsFailedError) as caught:
        await agent(FakeProvider(down), code_strategy()).run(QUERY, domain="code")
    assert len(caught.value.failures) == 3


def judged(criteria: str = "Correct and complete.") -> DomainCascadeStrategy:
    return DomainCascadeStrategy(
        domain="medical", mode="cascade",
        steps=[
            CascadeStep("draft", "groq", validation=llm_judge_validator("judge", criteria),
                        max_retries=0, fallback_model="strong"),
        ],
    )


async def test_a_judge_verdict_decides_and_the_judge_call_is_paid_for() -> None:
    fake = FakeProvider({"draft": ["Drink water."], "judge": ["VERDICT: PASS\nSCORE: 0.8\nREASON: fine"]})
    result = await agent(fake, judged()).run("How do I stay hydrated?", domain="medical")
    assert result.models_called == ("draft", "judge") and result.model_used == "draft"
    assert result.steps[0].passed and result.steps[0].score == 0.8 and "fine" in result.steps[0].reason
    assert result.calls[1].cost > 0 and result.total_cost == pytest.approx(sum(c.cost for c in result.calls))
    sent = fake.requests[1]
    # the judge's provider default (reasoning models take no other temperature)
    assert sent.temperature is None and "How do I stay hydrated?" in sent.messages[-1].content
    assert "Drink water." in sent.messages[-1].content


async def test_a_failing_verdict_moves_to_the_fallback() -> None:
    fake = FakeProvider({
        "draft": ["Eat sand."], "strong": ["Drink water."],
        "judge": ['{"verdict": "fail", "score": 0.1, "reason": "harmful"}', "VERDICT: PASS"],
    })
    result = await agent(fake, judged()).run("How do I stay hydrated?", domain="medical")
    assert result.models_called == ("draft", "judge", "strong", "judge")
    assert result.model_used == "strong" and result.validation_passed


@pytest.mark.parametrize("reply", ["Looks good to me!", "VERDICT: PASS\nVERDICT: FAIL", ""])
async def test_an_unparseable_verdict_fails_closed(reply: str) -> None:
    fake = FakeProvider({"draft": ["Drink water."], "strong": ["Drink water."], "judge": [reply]})
    result = await agent(fake, judged()).run("How do I stay hydrated?", domain="medical")
    assert not result.validation_passed and "unparseable" in result.steps[0].reason


async def test_an_unreachable_judge_fails_closed() -> None:
    fake = FakeProvider({"draft": ["Drink water."], "strong": ["Drink water."],
                         "judge": [ProviderUnavailableError("judge", "down")]})
    result = await agent(fake, judged()).run("How do I stay hydrated?", domain="medical")
    assert not result.validation_passed and "judge judge failed" in result.steps[0].reason


def test_a_judge_cannot_be_called_without_a_provider() -> None:
    with pytest.raises(ConfigurationError, match="needs a provider"):
        llm_judge_validator("judge")("text", ValidationContext())


async def test_every_step_call_is_reserved_and_committed_to_the_budget() -> None:
    store = InMemoryUsageStore()
    tracker = CostTracker(user_budgets={"ann": BudgetConfig(daily=1.0)}, store=store,
                          clock=FakeClock(), ids=SequentialIds())
    fake = FakeProvider({"draft": [BAD], "backup": [GOOD]})
    result = await agent(fake, code_strategy(), cost_tracker=tracker).run(QUERY, domain="code", user_id="ann")
    entries = tracker.entries("ann")
    assert [e.model for e in entries] == ["draft", "backup"]
    assert all(e.domain == "code" for e in entries)
    assert tracker.total_cost == pytest.approx(result.total_cost)
    assert store.reserved("ann", FakeClock().now()) == 0


async def test_a_budget_that_runs_out_mid_strategy_returns_what_it_has() -> None:
    tracker = CostTracker(user_budgets={"ann": BudgetConfig(daily=0.004)}, store=InMemoryUsageStore(),
                          clock=FakeClock(), ids=SequentialIds())
    fake = FakeProvider({"draft": [BAD], "backup": [BAD], "strong": [GOOD]})
    result = await agent(fake, code_strategy(), cost_tracker=tracker).run(
        QUERY, domain="code", user_id="ann", max_tokens=400
    )
    # strong could cost up to 0.01/1K * 400+ tokens = $0.004+, more than what is left
    assert "strong" not in result.models_called and not result.validation_passed
    assert result.budget_message and "stopped early" in result.budget_message
    assert tracker.total_cost <= 0.004


async def test_the_seed_validator_form_is_accepted() -> None:
    def has_def(text: str) -> tuple[bool, str]:
        return ("def " in text, "needs a def")

    strategy = DomainCascadeStrategy("code", [CascadeStep("draft", "groq", validation=has_def, max_retries=0)])
    result = await agent(FakeProvider({"draft": [GOOD]}), strategy).run(QUERY, domain="code")
    assert result.validation_passed and result.steps[0].validator == "has_def"


async def test_validators_see_the_users_question_not_the_review_prompt() -> None:
    seen: list[str] = []

    def record(text: str, context: ValidationContext) -> ValidationResult:
        seen.append(context.query)
        return ValidationResult(True, 1.0, "ok")

    strategy = DomainCascadeStrategy("code", [CascadeStep("draft", "groq", validation=record),
                                              CascadeStep("strong", "openai", validation=record)],
                                     mode="pipeline")
    await agent(FakeProvider(default=GOOD), strategy).run(QUERY, domain="code")
    assert seen == [QUERY, QUERY]


async def test_the_domain_is_detected_when_not_given() -> None:
    fake = FakeProvider({"draft": [GOOD]})
    result = await agent(fake, code_strategy()).run(QUERY)
    assert result.domain == "code" and result.strategy_used == "code"


async def test_a_domain_without_strategy_runs_the_standard_cascade() -> None:
    fake = FakeProvider({"draft": ["Paris is the capital of France."]})
    result = await agent(fake, code_strategy()).run("What is the capital of France?")
    assert result.strategy_used is None and result.steps_executed == 0 and result.domain == "general"


async def test_multi_step_off_ignores_strategies() -> None:
    fake = FakeProvider({"draft": [BAD]})
    result = await CascadeAgent(
        models=MODELS, provider=fake, pricing=ConfiguredPricing(), domain_strategies={"code": code_strategy()},
        quality_validation_mode="fast",
    ).run(QUERY, domain="code")
    assert result.strategy_used is None


@pytest.mark.parametrize(
    "bad",
    [
        lambda: DomainCascadeStrategy("code", []),
        lambda: DomainCascadeStrategy("code", [CascadeStep("m")], mode="parallel"),  # type: ignore[arg-type]
        lambda: CascadeStep("m", max_retries=-1),
        lambda: CascadeStep("m", validation="syntax"),  # type: ignore[arg-type]
        lambda: CascadeStep("m", provider="acme"),
    ],
)
def test_bad_strategies_are_rejected_clearly(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        bad()  # type: ignore[operator]
