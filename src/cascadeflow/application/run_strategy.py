"""Multi-step domain strategies.

Every model call of a step goes through RunCascade with that one model, so it is
priced, reserved and committed by the BudgetGate and retried on rate limits exactly
like a call of the standard cascade. Judge validators ask their judge model the same
way: judge calls are priced and counted too. The request is admitted once, before
the strategy runs (RouteQuery); its Admission is passed to every call, which then
only reserves, commits or releases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from cascadeflow.application.budget_gate import Admission
from cascadeflow.application.ports import Clock, PricingCatalog, Validator
from cascadeflow.application.run_cascade import CascadeRequest, RunCascade, _failed_call
from cascadeflow.application.strategy_steps import StepCheck, question_of, retry_prompt, review_prompt
from cascadeflow.domain.errors import AllModelsFailedError, BudgetExceededError, ProviderError
from cascadeflow.domain.messages import NO_OPTIONS, CallOptions, Message
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import ValidationContext, ValidationResult
from cascadeflow.domain.results import CascadeResult, ModelCall, StepVerdict, Verdict
from cascadeflow.domain.strategies import DomainCascadeStrategy, ResolvedStep, resolve_model, resolve_steps
from cascadeflow.domain.validators.judge import JudgeValidator

CascadeFactory = Callable[..., RunCascade]

@dataclass(frozen=True, slots=True)
class StrategyRequest:
    strategy: DomainCascadeStrategy
    messages: tuple[Message, ...]
    known_models: Mapping[str, ModelConfig] = field(default_factory=dict)
    max_tokens: int | None = None
    temperature: float | None = None  # None: each provider's default
    user_id: str | None = None
    query_id: str | None = None
    tier: str | None = None
    # the request's budget decision, made once by RouteQuery: every step and judge call
    # reuses it (one warning, one degrade) and only reserves and commits its own cost
    admission: Admission | None = None
    options: CallOptions = NO_OPTIONS  # for the steps' calls; a judge is asked plainly


@dataclass(slots=True)
class _Answer:
    model: ModelConfig
    text: str
    verdict: ValidationResult
    result: CascadeResult
    call_index: int


@dataclass(slots=True)
class _Run:
    """What one execution has gathered so far."""

    query: str
    calls: list[ModelCall] = field(default_factory=list)
    failures: list[ProviderError] = field(default_factory=list)
    budget_action: str | None = None
    budget_message: str | None = None
    blocked: BudgetExceededError | None = None

    def note(self, result: CascadeResult) -> None:
        if self.budget_action is None:
            self.budget_action, self.budget_message = result.budget_action, result.budget_message


class RunStrategy:
    """Runs a DomainCascadeStrategy for one query (see domain/strategies.py for the
    semantics of cascade and pipeline modes, retries and fallbacks)."""

    def __init__(self, cascade_for: CascadeFactory, pricing: PricingCatalog, clock: Clock) -> None:
        self._cascade_for = cascade_for
        self._pricing = pricing
        self._clock = clock

    async def execute(self, request: StrategyRequest) -> CascadeResult:
        strategy = request.strategy
        steps = resolve_steps(strategy, request.known_models)
        run = _Run(query=question_of(request.messages))
        if request.admission is not None:
            run.budget_action = request.admission.action.value
            run.budget_message = request.admission.message
        started = self._clock.monotonic()
        accepted: _Answer | None = None
        last: _Answer | None = None
        verdicts: list[StepVerdict] = []
        for step in steps:
            if run.blocked is not None:
                break
            prompt = request.messages
            # a pipeline step reviews the previous answer: the last one that passed its
            # check, or, while none has, the latest one (to fix what its check found)
            basis = accepted or last
            if strategy.mode == "pipeline" and basis is not None:
                prompt = review_prompt(prompt, basis.text, step.step.description)
            answer, verdict = await self._run_step(step, prompt, request, run)
            verdicts.append(verdict)
            last = answer or last
            if verdict.passed:
                accepted = answer
                if strategy.mode == "cascade":
                    break
        if last is None:
            if run.blocked is not None:
                raise run.blocked
            raise AllModelsFailedError(run.failures)
        if strategy.mode == "pipeline":
            passed = len(verdicts) == len(steps) and all(v.passed for v in verdicts)
        else:
            passed = last.verdict.passed
        total = sum(c.cost for c in run.calls)
        return CascadeResult(
            content=last.text,
            model_used=last.model.name,
            total_cost=total,
            cost_saved=self._baseline(steps, last) - total,
            latency_ms=(self._clock.monotonic() - started) * 1000.0,
            draft_accepted=last.call_index == 0 and passed,
            cascaded=len(run.calls) > 1,
            quality_score=last.verdict.score,
            validation_passed=passed,
            calls=tuple(run.calls),
            domain=strategy.domain,
            user_id=request.user_id,
            budget_action=run.budget_action,
            budget_message=_budget_note(run),
            strategy_used=strategy.domain,
            steps_executed=len(verdicts),
            steps=tuple(verdicts),
            finish_reason=last.result.finish_reason,
            tool_calls=last.result.tool_calls,
            refusal=last.result.refusal,
            token_logprobs=last.result.token_logprobs,
        )

    async def _run_step(
        self, step: ResolvedStep, prompt: tuple[Message, ...], request: StrategyRequest, run: _Run
    ) -> tuple[_Answer | None, StepVerdict]:
        plan = [step.model] * (1 + step.step.max_retries) + ([step.fallback] if step.fallback else [])
        answer: _Answer | None = None
        attempts = 0
        primary_failed = False
        for position, model in enumerate(plan):
            is_primary = position <= step.step.max_retries
            if is_primary and primary_failed:
                continue
            retry_of = answer if is_primary and answer is not None else None
            messages = prompt if retry_of is None else retry_prompt(
                prompt, retry_of.text, retry_of.verdict.reason
            )
            attempts += 1
            got = await self._attempt(step, model, messages, request, run)
            if got is not None:
                answer = got
            if run.blocked is not None or (got is not None and got.verdict.passed):
                break
            if got is None:
                primary_failed = primary_failed or is_primary
        return answer, _step_verdict(step, answer, attempts, run)

    async def _attempt(
        self, step: ResolvedStep, model: ModelConfig, messages: tuple[Message, ...],
        request: StrategyRequest, run: _Run,
    ) -> _Answer | None:
        check = StepCheck(step.checker, run.query, request.strategy.domain)
        outcome = await self._call(model, messages, check, request, run, request.temperature,
                                   options=request.options)
        if outcome is None:
            return None
        index = len(run.calls)
        run.calls.append(outcome.calls[-1])
        verdict = ValidationResult(
            outcome.validation_passed, outcome.quality_score or 0.0, outcome.calls[-1].reason
        )
        if step.judge is not None:
            verdict = await self._judge(step.judge, outcome.content, request, run)
            run.calls[index] = replace(
                run.calls[index],
                verdict=Verdict.ACCEPTED if verdict.passed else Verdict.REJECTED,
                reason=verdict.reason,
                score=verdict.score,
            )
        return _Answer(model, outcome.content, verdict, outcome, index)

    async def _judge(
        self, judge: JudgeValidator, text: str, request: StrategyRequest, run: _Run
    ) -> ValidationResult:
        """The judge's verdict; a judge that fails or is blocked by the budget fails closed."""
        model = judge.model if isinstance(judge.model, ModelConfig) else resolve_model(
            judge.model, request.known_models, judge.provider
        )
        messages = judge.messages(text, ValidationContext(query=run.query, domain=request.strategy.domain))
        # the judge's temperature is its provider's default: reasoning models take no other
        outcome = await self._call(model, messages, StepCheck(None, run.query, ""), request, run, None,
                                   max_tokens=judge.max_tokens)
        if outcome is None:
            why = f"not run: {run.blocked}" if run.blocked else f"failed: {run.failures[-1].public}"
            return ValidationResult(False, 0.0, f"judge {model.name} {why}")
        verdict = judge.parse(outcome.content)
        run.calls.append(replace(
            outcome.calls[-1],
            verdict=Verdict.ACCEPTED if verdict.passed else Verdict.REJECTED,
            reason=f"{judge.name} verdict: {verdict.reason}",
            score=verdict.score,
        ))
        return verdict

    async def _call(
        self, model: ModelConfig, messages: tuple[Message, ...], check: Validator,
        request: StrategyRequest, run: _Run, temperature: float | None, max_tokens: int | None = None,
        options: CallOptions = NO_OPTIONS,
    ) -> CascadeResult | None:
        """One model call through RunCascade; None when it failed or the budget stopped it."""
        cascade = self._cascade_for(validator=check)
        call = CascadeRequest(
            models=(model,),
            messages=messages,
            max_tokens=max_tokens or request.max_tokens,
            temperature=temperature,
            user_id=request.user_id,
            domain=request.strategy.domain,
            query_id=request.query_id,
            tier=request.tier,
            admission=request.admission,
            options=options,
        )
        try:
            outcome = await cascade.execute(call)
        except AllModelsFailedError as failed:
            run.failures.extend(failed.failures)
            run.calls.extend(_failed_call(model, error, 1) for error in failed.failures)
            return None
        except BudgetExceededError as blocked:
            run.blocked = blocked
            return None
        run.note(outcome)
        return outcome

    def _baseline(self, steps: tuple[ResolvedStep, ...], answer: _Answer) -> float:
        """What the dearest model of the strategy would have cost for the answer's tokens."""
        models = [s.model for s in steps] + [s.fallback for s in steps if s.fallback]
        dearest = max(models, key=lambda m: self._pricing.price(m).blended_per_1k)
        answered = answer.result.calls[-1]
        return self._pricing.price(dearest).cost(answered.input_tokens, answered.output_tokens)


def _step_verdict(step: ResolvedStep, answer: _Answer | None, attempts: int, run: _Run) -> StepVerdict:
    validator = step.judge.name if step.judge else step.checker.name if step.checker else None
    if answer is None:
        why = f"budget: {run.blocked}" if run.blocked is not None else (
            f"no model answered: {run.failures[-1].public}" if run.failures else "not run"
        )
        return StepVerdict(step.index, step.step.description, step.model.name, False, None, why,
                           attempts, validator)
    return StepVerdict(step.index, step.step.description, answer.model.name, answer.verdict.passed,
                       answer.verdict.score, answer.verdict.reason, attempts, validator)


def _budget_note(run: _Run) -> str | None:
    if run.blocked is None:
        return run.budget_message
    return f"stopped early, the budget allows no further call: {run.blocked}"
