"""The standard cascade: cheapest model first, validate, escalate only when needed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from returns.result import Failure, Result, Success

from cascadeflow.application.budget_gate import Admission, BudgetGate, max_input_tokens
from cascadeflow.application.online_calibration import OnlineCalibration
from cascadeflow.application.ports import (
    Clock,
    CompletionProvider,
    PricingCatalog,
    SchemaCheck,
    Validator,
)
from cascadeflow.domain.errors import (
    AllModelsFailedError,
    BudgetExceededError,
    ConfigurationError,
    ProviderError,
    ProviderUnavailableError,
    StreamInterruptedError,
)
from cascadeflow.domain.budgets import Reservation
from cascadeflow.domain.agreement import compare_answers, judge_prompt, read_judgement
from cascadeflow.domain.answer_checks import answer_problem, same_tool_calls
from cascadeflow.domain.messages import (
    NO_OPTIONS,
    CallOptions,
    Completion,
    CompletionRequest,
    Message,
    billed_prompt,
    conversation_key,
)
from cascadeflow.domain.online_evidence import Observation, Sample
from cascadeflow.domain.online_score import feature_vector
from cascadeflow.domain.online_policy import Decision
from cascadeflow.domain.models import ModelConfig, call_max_tokens
from cascadeflow.domain.providers import wants_logprobs
from cascadeflow.domain.enforcement import BudgetAction
from cascadeflow.domain.quality import ValidationContext, ValidationResult
from cascadeflow.domain.results import CascadeResult, ModelCall, Verdict
from cascadeflow.domain.scoring import features_of
from cascadeflow.domain.retry import RetryPolicy


# Where a streaming caller receives the answer's text: (model, text piece), awaited in order.
Relay = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class CascadeRequest:
    models: tuple[ModelConfig, ...]
    messages: tuple[Message, ...]
    max_tokens: int | None = None
    temperature: float | None = None  # None: each provider's default
    user_id: str | None = None
    domain: str | None = None
    query_id: str | None = None
    tier: str | None = None
    # set when the request was admitted already (a strategy step or judge call): the
    # cascade then skips admission and only reserves, commits or releases each call
    admission: Admission | None = None
    options: CallOptions = NO_OPTIONS  # tools, response format, sampling fields
    # streaming: the answer's text goes here, the last model's live as it arrives (its
    # answer is returned whatever its verdict), an earlier model's once it is accepted
    relay: Relay | None = None

    def __post_init__(self) -> None:
        if not self.models:
            raise ConfigurationError("a cascade needs at least one model")
        if not self.messages:
            raise ConfigurationError("a cascade needs a query: messages is empty")
        if self.max_tokens is not None and self.max_tokens <= 0:
            raise ConfigurationError(f"max_tokens must be positive, got {self.max_tokens}")


@dataclass(frozen=True, slots=True)
class _Answer:
    model: ModelConfig
    completion: Completion
    verdict: ValidationResult
    cost: float
    extra_cost: float = 0.0  # a second sample's, listed as a call of its own
    features: tuple[float, ...] = ()  # DRAFT_FEATURES of a rule-abiding draft (a learnt score's input)


class RunCascade:
    """Calls models from cheapest to dearest until one answer passes validation.

    Every call is priced, drafts included. Rate limits and timeouts are retried with
    backoff; any other provider failure moves on to the next model. When no answer
    passes, the strongest answer that broke no rule is returned (a draft held back by
    the online plan: ``draft_accepted`` stays False), else the last answer obtained,
    flagged; when no model answered at all, AllModelsFailedError lists what each one
    returned.

    With ``online`` calibration, a draft that passes the rules is accepted only as its
    plan allows (else escalated), a share of queries skips the draft when drafting does
    not pay, a share of accepted drafts is checked by the strongest model (whose answer
    is then returned), and every run teaches the plan what agreed with that model.
    """

    def __init__(
        self,
        provider: CompletionProvider,
        pricing: PricingCatalog,
        clock: Clock,
        validator: Validator,
        retry_policy: RetryPolicy,
        budget_gate: BudgetGate | None = None,
        online: OnlineCalibration | None = None,
        schemas: SchemaCheck | None = None,
    ) -> None:
        self._gate = budget_gate
        self._schemas = schemas
        self._online = online
        self._provider = provider
        self._pricing = pricing
        self._clock = clock
        self._validator = validator
        self._retry = retry_policy

    def order(self, models: Sequence[ModelConfig]) -> list[ModelConfig]:
        """Cheapest first; models of equal price keep the order they were given in."""
        return sorted(models, key=lambda m: self._pricing.price(m).blended_per_1k)

    async def execute(self, request: CascadeRequest) -> CascadeResult:
        self._check_options(request.options)
        ordered = self.order(request.models)
        cheapest, dearest = ordered[0], ordered[-1]
        admission = request.admission
        # The budget decision is made with the first call's reservation, in one trip to
        # the store; until then the request is taken as admitted with every model.
        deciding = admission is None and self._gate is not None
        if admission is None:
            admission = Admission(request.models, BudgetAction.ALLOW, None, None)
        started = self._clock.monotonic()
        calls: list[ModelCall] = []
        failures: list[ProviderError] = []
        answer: _Answer | None = None
        budget_note = admission.message
        chain = ordered  # the request's models, cheapest first
        online = self._online if len(chain) > 1 else None
        key = request.query_id or conversation_key(request.messages)
        answers: dict[int, _Answer] = {}
        shown_live = False
        routes: dict[int, tuple[str, str | None]] = {}
        if online is not None:  # a plan not yet in memory is read from the store off the loop
            # each draft, checked against the strongest model
            for i, pooled in enumerate(online.chain_routes([m.name for m in chain])):
                routes[i] = (pooled, online.domain_route(pooled, request.domain))
            keys = [k for pair in routes.values() for k in pair if k is not None]
            if missing := online.unfitted(keys):
                await asyncio.to_thread(online.prepare, missing, len(chain))
        index = 0
        while index < len(chain):
            model = chain[index]
            route = draft_route = None
            if online is not None and index in routes:
                pooled, specific = routes[index]
                # drafting follows the domain's own evidence from its first label (so a
                # domain keeps earning labels), accepting waits until it holds enough
                draft_route, route = specific or pooled, online.choose(pooled, specific, len(chain))
            if online is not None and draft_route is not None and not online.drafts(draft_route, key, len(chain)):
                index += 1  # drafting this query does not pay: on to a stronger model
                continue
            call = self._request_for(model, request)
            held: Reservation | None = None
            if deciding:
                deciding = False
                admission, held = await self._admit_and_reserve(request, call)
                if admission.models != request.models:  # degraded: run the narrower list
                    await self._release(held)
                    return await self.execute(replace(request, models=admission.models,
                                                      admission=admission))
                request = replace(request, admission=admission)  # its calls reuse its limits
                budget_note = admission.message
            live = request.relay if index == len(chain) - 1 else None
            try:
                outcome, attempts, cost = await self._paid(request, call, held, live)
            except BudgetExceededError as refused:
                if answer is None:
                    raise
                budget_note = str(refused)
                break
            match outcome:
                case Failure(error):
                    failures.append(error)
                    calls.append(_failed_call(model, error, attempts))
                case Success(completion):
                    shown_live = live is not None and bool(completion.text)  # its text reached the caller
                    answer = answers[index] = self._judge(model, completion, cost, request)
                    decision = Decision.ACCEPT
                    sampled: ModelCall | None = None
                    if online is not None and route is not None and answer.verdict.passed:
                        if online.settings.draft_samples > 1:
                            if request.temperature != 0 and request.options.forwarded.get("seed") is None:
                                answer, sampled = await self._sampled_again(call, answer, request)
                            else:  # samples could not differ: unconfirmed, on the same scale
                                answer = _sample_scored(answer, None)
                            answers[index] = answer
                        elif online.learns:
                            answer = answers[index] = replace(answer, features=self._features(answer, request))
                        score, decision = online.decide_draft(route, answer.verdict.score, answer.features,
                                                              key, len(chain), draft_route)
                        answer = _online_verdict(answer, decision, chain[-1].name, score)
                    calls.append(_answered_call(answer, attempts))
                    if sampled is not None:
                        calls.append(sampled)
                    if decision is Decision.SHADOW:
                        index = len(chain) - 1  # the strongest model answers too, and is returned
                        continue
                    if answer.verdict.passed:
                        break
            index += 1
        if online is not None:
            verdicts = await self._agreements(online, chain, answers, request, calls)
            # the evidence store may be a database: keep its round trips off the event loop
            await asyncio.to_thread(self._teach, online, chain, answers, verdicts, routes, key)
        if answer is None:
            raise AllModelsFailedError(failures)
        fell_back = False
        if not answer.verdict.passed and not shown_live:
            best = _best_of(answers, answer)
            answer, fell_back = best, best is not answer
        if request.relay is not None and not shown_live and answer.completion.text:
            await request.relay(answer.model.name, answer.completion.text)  # accepted: shown now
        total_cost = sum(c.cost for c in calls)
        window, remaining = admission.left_after(total_cost) or (None, None)
        return CascadeResult(
            content=answer.completion.text,
            model_used=answer.model.name,
            tool_calls=answer.completion.tool_calls,
            refusal=answer.completion.refusal,
            token_logprobs=answer.completion.token_logprobs,
            total_cost=total_cost,
            cost_saved=self._baseline_cost(dearest, answer) - total_cost,
            latency_ms=(self._clock.monotonic() - started) * 1000.0,
            draft_accepted=answer.verdict.passed and answer.model is cheapest and not fell_back,
            cascaded=any(c.model != calls[0].model for c in calls),  # a second sample is no cascade
            quality_score=answer.verdict.score,
            validation_passed=answer.verdict.passed,
            calls=tuple(calls),
            domain=request.domain,
            user_id=request.user_id,
            finish_reason=answer.completion.finish_reason,
            budget_action=admission.action.value,
            budget_message=budget_note,
            budget_window=window,
            budget_remaining=remaining,
        )

    async def _agreements(self, online: OnlineCalibration, chain: Sequence[ModelConfig],
                          answers: dict[int, _Answer], request: CascadeRequest,
                          calls: list[ModelCall]) -> dict[int, bool | None]:
        """Whether each draft agreed with the strongest model's answer: by what the answers
        say, else (long free text) by asking the strongest model as a judge: a call that
        is priced, budgeted and listed in ``calls``. An answer of the strongest model that
        broke a rule (a hedge, a refusal) is no reference: nothing is labelled. A draft
        that broke one is never accepted, so its label is not worth a judge's call."""
        reference = answers.get(len(chain) - 1)
        verdicts: dict[int, bool | None] = {}
        if reference is None or not reference.verdict.passed:
            return verdicts
        query = request.messages[-1].text
        for index in range(len(chain) - 1):
            draft = answers.get(index)
            if draft is None:
                continue
            if draft.completion.tool_calls or reference.completion.tool_calls:
                verdicts[index] = same_tool_calls(draft.completion.tool_calls,
                                                  reference.completion.tool_calls)
                continue
            agree = online.agree(query, draft.completion.text, reference.completion.text)
            if agree is None and online.settings.judge and draft.verdict.passed:
                agree = await self._ask_judge(chain[-1], query, draft, reference, request, calls)
            verdicts[index] = agree
        return verdicts

    async def _sampled_again(self, call: CompletionRequest, answer: _Answer, request: CascadeRequest
                             ) -> tuple[_Answer, ModelCall | None]:
        """The draft model asked the same again (``OnlineSettings.draft_samples=2``): a
        call priced, budgeted and listed like any other. When the two samples agree the
        draft's score moves to the upper half (0.5 + score/2); otherwise (they differ,
        cannot be compared, or no second sample came) to the lower half (score/2)."""
        model = answer.model
        try:
            outcome, attempts, cost = await self._paid(request, call)
        except BudgetExceededError:
            return _sample_scored(answer, None), None  # no money for a second sample: unconfirmed
        match outcome:
            case Failure(error):
                return _sample_scored(answer, None), _failed_call(model, error, attempts)
            case Success(completion):
                first = answer.completion
                if first.tool_calls or completion.tool_calls:
                    agree: bool | None = same_tool_calls(first.tool_calls, completion.tool_calls)
                else:
                    agree = compare_answers(request.messages[-1].text, first.text, completion.text).agree
                said = {True: "agrees", False: "disagrees", None: "cannot be compared"}[agree]
                extra = ModelCall(
                    model=model.name, provider=model.provider, cost=cost, input_tokens=completion.input_tokens,
                    output_tokens=completion.output_tokens, latency_ms=completion.latency_ms,
                    verdict=Verdict.REJECTED, reason=f"{_ONLINE}: a second sample {said} with the draft",
                    attempts=attempts)
                return replace(_sample_scored(answer, agree), extra_cost=answer.extra_cost + cost), extra
        return _sample_scored(answer, None), None

    async def _ask_judge(self, judge: ModelConfig, query: str, draft: _Answer, reference: _Answer,
                         request: CascadeRequest, calls: list[ModelCall]) -> bool | None:
        system, user = judge_prompt(query, draft.completion.text, reference.completion.text)
        call = CompletionRequest(model=judge, messages=(Message("system", system), Message("user", user)),
                                 max_tokens=5, temperature=0.0, optional=frozenset({"temperature"}))
        try:
            outcome, attempts, cost = await self._paid(request, call)
        except BudgetExceededError:
            return None  # no money for the check: the pair stays unlabelled
        match outcome:
            case Failure(error):
                calls.append(_failed_call(judge, error, attempts))
                return None
            case Success(completion):
                verdict = read_judgement(completion.text)
                calls.append(_judge_call(judge, completion, cost, attempts, verdict))
                return verdict
        return None

    def _teach(self, online: OnlineCalibration, chain: Sequence[ModelConfig],
               answers: dict[int, _Answer], verdicts: dict[int, bool | None],
               routes: Mapping[int, tuple[str, str | None]], key: str) -> None:
        """Tell each draft's route (and its domain's, when the domain is known) what this
        run showed: whether the draft agreed with the strongest model's answer (when it
        answered), and what the calls cost. ``answers`` hold the rules' verdicts, before
        the plan decided."""
        reference = answers.get(len(chain) - 1)
        for index, pair in routes.items():
            draft = answers.get(index)
            agree = verdicts.get(index)
            # the rules' verdict: a draft that broke a rule sits in the lowest bin
            prior = 0.0 if draft is None or not draft.verdict.passed else draft.verdict.score
            observation = Observation(
                bin=None if draft is None else online.bin_of(prior),
                labelled=agree is not None,
                disagreed=agree is False,
                draft_cost=None if draft is None else draft.cost + draft.extra_cost,
                verifier_cost=None if reference is None else reference.cost,
                sample=None if draft is None or not online.learns else Sample(
                    draft.features if draft.verdict.passed else (), prior, agree is not None, agree is False,
                    online.fold_of(key)),
            )
            for route in pair:
                if route is not None:
                    online.learn(route, observation, len(chain))

    async def _paid(self, request: CascadeRequest, call: CompletionRequest,
                    reserved: Reservation | None = None, live: Relay | None = None,
                    ) -> tuple[Result[Completion, ProviderError], int, float]:
        """One call, paid for: reserved first (BudgetExceededError when it does not fit;
        ``reserved`` when that was done already), released when it failed or was
        cancelled, its real cost stored when it answered. With ``live``, the answer is
        streamed there as it arrives. Returns the outcome, the attempts it took and the cost."""
        reservation = reserved if reserved is not None else await self._reserve(request, call)
        try:
            outcome, attempts = await self._call(call, live)
        except (asyncio.CancelledError, StreamInterruptedError):
            await self._charge_cut_off(reservation, call, request)  # sent, and cut off
            raise
        except BaseException:
            await self._release(reservation)  # a bug: nothing known to have been sent
            raise
        match outcome:
            case Failure():
                await self._release(reservation)
                return outcome, attempts, 0.0
            case Success(completion):
                cost = self._cost(call.model, completion)
                # the money is spent: store it before anything else can fail
                await self._settle(reservation, call, completion, cost, request)
                return outcome, attempts, cost
        raise AssertionError("unreachable")

    async def _charge_cut_off(self, reservation: Reservation | None, call: CompletionRequest,
                              request: CascadeRequest) -> None:
        """A call cut off in flight (the caller went away, the stream broke): the
        provider bills what it produced, which nobody here knows, so the call's worst
        case (its reservation) is charged, never nothing."""
        if self._gate is None:
            return
        prompt = max_input_tokens(billed_prompt(call.messages, call.options))
        cost = (reservation.amount if reservation is not None
                else self._pricing.price(call.model).cost(prompt, call.max_tokens))
        worst = Completion(text="", model=call.model.name, input_tokens=prompt,
                           output_tokens=call.max_tokens, finish_reason="cut_off")
        await self._settle(reservation, call, worst, cost, request)

    # Store calls never stall the event loop: a database round trip (or a wait for a row
    # lock) waits on the loop with an asynchronous driver, else on a thread.
    async def _admit_and_reserve(
        self, request: CascadeRequest, call: CompletionRequest
    ) -> tuple[Admission, Reservation | None]:
        """The request's budget decision and, when it keeps every model, the first
        call's reservation: one transaction, one trip to the store."""
        gate = self._gate
        assert gate is not None
        prompt = billed_prompt(call.messages, call.options)
        return await gate.admit_and_reserve_async(
            request.user_id, request.models, prompt, request.max_tokens, request.tier,
            call.model, prompt, call.max_tokens,
        )

    async def _reserve(self, request: CascadeRequest, call: CompletionRequest) -> Reservation | None:
        if self._gate is None:
            return None
        limits = request.admission.limits if request.admission is not None else None
        return await self._gate.reserve_async(
            request.user_id, call.model, billed_prompt(call.messages, call.options), call.max_tokens, request.tier, limits,
        )

    async def _release(self, reservation: Reservation | None) -> None:
        if self._gate is not None and reservation is not None:
            await self._gate.release_async(reservation)

    async def _settle(
        self, reservation: Reservation | None, call: CompletionRequest, completion: Completion,
        cost: float, request: CascadeRequest,
    ) -> None:
        if self._gate is not None:
            await self._gate.settle_async(reservation, call.model, completion, cost, request)

    def _request_for(self, model: ModelConfig, request: CascadeRequest) -> CompletionRequest:
        return CompletionRequest(
            model=model,
            messages=request.messages,
            max_tokens=call_max_tokens(request.max_tokens, model),
            temperature=request.temperature,
            # online calibration learns from every confidence a provider can give
            logprobs=wants_logprobs(model, self._online is not None and len(request.models) > 1),
            options=request.options,
            optional=frozenset() if request.options.logprobs else _OWN_LOGPROBS,
        )

    def _check_options(self, options: CallOptions) -> None:
        """Refuse, before any call, schemas that could never be checked."""
        if options is NO_OPTIONS:
            return
        schemas = [("response_format.json_schema.schema", options.schema)] + [
            (f"the parameters of tool {t['function']['name']!r}", t["function"].get("parameters"))
            for t in options.tools]
        for where, schema in schemas:
            if isinstance(schema, Mapping):
                self._schema_check().check_schema(schema, where)

    def _schema_check(self) -> SchemaCheck:
        if self._schemas is None:
            raise ConfigurationError("tools and response formats need a SchemaCheck: build the "
                                     "cascade with bootstrap()")
        return self._schemas

    async def _call(
        self, call: CompletionRequest, live: Relay | None = None
    ) -> tuple[Result[Completion, ProviderError], int]:
        attempt = 0
        while True:
            attempt += 1
            shown = [False]  # whether text reached the caller: then no retry can take it back
            try:
                if live is None:
                    return Success(await self._provider.complete(call)), attempt
                return Success(await self._streamed(call, live, shown)), attempt
            except ProviderError as error:
                if shown[0]:
                    raise StreamInterruptedError(call.model.name, error.detail, status=error.status) from error
                if not error.retryable or attempt >= self._retry.max_attempts:
                    return Failure(error), attempt
            await self._clock.sleep(self._retry.delay(attempt))

    async def _streamed(self, call: CompletionRequest, live: Relay, shown: list[bool]) -> Completion:
        """The provider's stream, its text relayed as it arrives; the whole answer."""
        async for event in self._provider.stream(call):
            if event.completion is not None:
                return event.completion
            if event.delta:
                shown[0] = True
                await live(call.model.name, event.delta)
        raise ProviderUnavailableError(call.model.name, "the stream ended without its answer")

    def _judge(
        self, model: ModelConfig, completion: Completion, cost: float, request: CascadeRequest
    ) -> _Answer:
        """The answer's verdict: first whether it gives what the caller asked for (tools,
        response format), then, for text, the validator's."""
        if request.options is not NO_OPTIONS or completion.tool_calls:
            problem = answer_problem(completion, request.options, self._schema_check().errors)
            if problem is not None:
                return _Answer(model, completion, ValidationResult(False, 0.0, problem), cost)
            if completion.tool_calls:  # no text to read: the calls are well formed
                score = completion.confidence if completion.confidence is not None else 1.0
                names = ", ".join(c.name for c in completion.tool_calls)
                return _Answer(model, completion, ValidationResult(
                    True, score, f"tool call ({names}) matches the tools offered"), cost)
        verdict = self._validator.validate(completion.text, _context(completion, request))
        return _Answer(model, completion, verdict, cost)

    @staticmethod
    def _features(answer: _Answer, request: CascadeRequest) -> tuple[float, ...]:
        """A draft's features; a draft that only calls tools has no text to read, and its
        features say so (no length), so it is scored on the same scale as the others."""
        completion = answer.completion
        return feature_vector(features_of(completion.text or "", _context(completion, request)))

    def _cost(self, model: ModelConfig, completion: Completion) -> float:
        if completion.cost_usd is not None:
            return completion.cost_usd
        price = self._pricing.price(model)
        return price.cost(completion.input_tokens, completion.output_tokens)

    def _baseline_cost(self, dearest: ModelConfig, answer: _Answer) -> float:
        if answer.model is dearest:
            return answer.cost
        price = self._pricing.price(dearest)
        return price.cost(answer.completion.input_tokens, answer.completion.output_tokens)


_ONLINE = "online calibration"
_OWN_LOGPROBS = frozenset({"logprobs", "top_logprobs"})


def _context(completion: Completion, request: CascadeRequest) -> ValidationContext:
    """What a validator may know of an answer beyond its text."""
    return ValidationContext(query=request.messages[-1].text, finish_reason=completion.finish_reason,
                             logprobs=completion.logprobs, confidence=completion.reported_confidence,
                             domain=request.domain)


def _best_of(answers: Mapping[int, _Answer], last: _Answer) -> _Answer:
    """The answer to return when the last one obtained did not pass (it broke a rule, or
    the online plan held it back and no stronger model answered: a failure, the budget):
    the strongest answer that broke no rule (a draft held back only by the online plan,
    which wanted the strongest model's word), else the last one."""
    passing = [answers[i] for i in sorted(answers) if answers[i].verdict.passed]
    return passing[-1] if passing else last


def _online_verdict(answer: _Answer, decision: Decision, reference: str, score: float) -> _Answer:
    """The rule-abiding draft's verdict once the online plan has decided on it by
    ``score`` (the built-in score, or the route's learnt one)."""
    verdict = answer.verdict
    if decision is Decision.ESCALATE:
        return replace(answer, verdict=ValidationResult(
            False, score, f"{_ONLINE}: score {score:.2f} not accepted yet"))
    if decision is Decision.SHADOW:
        return replace(answer, verdict=ValidationResult(
            True, score, f"{_ONLINE}: accepted, checked against {reference}"))
    return replace(answer, verdict=replace(verdict, score=score))


def _sample_scored(answer: _Answer, agree: bool | None) -> _Answer:
    """A draft's score on the two-sample scale: the upper half when a second sample
    agreed with it, else the lower half (every draft of a route on the same scale)."""
    verdict = answer.verdict
    said = {True: "a second sample agrees", False: "a second sample disagrees",
            None: "not confirmed by a second sample"}[agree]
    score = 0.5 + verdict.score / 2 if agree else verdict.score / 2
    return replace(answer, verdict=replace(verdict, score=score, reason=f"{verdict.reason}; {said}"))


def _judge_call(judge: ModelConfig, completion: Completion, cost: float, attempts: int,
                verdict: bool | None) -> ModelCall:
    said = {True: "the draft is as good", False: "the draft falls short", None: "no verdict"}[verdict]
    return ModelCall(
        model=judge.name, provider=judge.provider, cost=cost, input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens, latency_ms=completion.latency_ms,
        verdict=Verdict.ACCEPTED if verdict is not None else Verdict.REJECTED,
        reason=f"{_ONLINE} judge: {said}", attempts=attempts,
    )


def _failed_call(model: ModelConfig, error: ProviderError, attempts: int) -> ModelCall:
    return ModelCall(
        model=model.name,
        provider=model.provider,
        cost=0.0,
        input_tokens=0,
        output_tokens=0,
        latency_ms=0.0,
        verdict=Verdict.FAILED,
        # the reason may be shown to anyone (the gateway's report): not the provider's own
        # words, which may quote a key; ``error`` keeps them for the operator
        reason=f"{type(error).__name__}: {error.public}",
        attempts=attempts,
        error=str(error),
    )


def _answered_call(answer: _Answer, attempts: int) -> ModelCall:
    completion = answer.completion
    return ModelCall(
        model=answer.model.name,
        provider=answer.model.provider,
        cost=answer.cost,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        latency_ms=completion.latency_ms,
        verdict=Verdict.ACCEPTED if answer.verdict.passed else Verdict.REJECTED,
        reason=answer.verdict.reason,
        score=answer.verdict.score,
        attempts=attempts,
    )
