"""A finished cascade as OpenAI's chat completion, whole or as server-sent chunks.

Streaming starts only once the cascade has accepted an answer: a draft that validation
rejects is never sent, so the client sees exactly one answer, the final one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from cascadeflow.application.rate_limiting import used_tokens
from cascadeflow.domain.errors import CascadeflowError
from cascadeflow.entrypoints.rest.error_statuses import http_error_for, public_message
from cascadeflow.entrypoints.rest.gateway import Answered, Streaming
from cascadeflow.entrypoints.rest.schemas import (
    BudgetState,
    CallInfo,
    CascadeInfo,
    ChatCompletion,
    Choice,
    ResponseMessage,
    ToolCallBody,
    Usage,
    error_body,
)

log = logging.getLogger("cascadeflow.gateway")


def cascade_info(done: Answered, budget: BudgetState) -> CascadeInfo:
    result = done.result
    return CascadeInfo(
        model_used=result.model_used,
        cost=result.total_cost,
        cost_saved=result.cost_saved,
        draft_accepted=result.draft_accepted,
        validation_passed=result.validation_passed,
        steps=[CallInfo(model=c.model, cost=c.cost, verdict=c.verdict.value, reason=c.reason,
                        input_tokens=c.input_tokens, output_tokens=c.output_tokens)
               for c in result.calls],
        domain=result.domain,
        user=done.user,
        tier=result.user_tier or done.tier,
        budget=budget,
    )


def usage(done: Answered) -> Usage:
    """Tokens of every call made, drafts included: what the request was billed for."""
    prompt, completion = done.result.input_tokens, done.result.output_tokens
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def completion(done: Answered, budget: BudgetState) -> ChatCompletion:
    result = done.result
    calls = [ToolCallBody.model_validate(c.to_openai()) for c in result.tool_calls]
    message = ResponseMessage(content=result.content if result.content or not calls else None,
                              refusal=result.refusal, tool_calls=calls or None)
    logprobs = {"content": list(result.token_logprobs)} if result.token_logprobs is not None else None
    return ChatCompletion(
        id=done.id,
        created=done.created,
        model=result.model_used,
        choices=[Choice(message=message, finish_reason=result.finish_reason, logprobs=logprobs)],
        usage=usage(done),
        cascadeflow=cascade_info(done, budget),
    )


async def live_chunks(streaming: Streaming, budget_of: Callable[[Answered], Awaitable[BudgetState]],
                      include_usage: bool) -> AsyncIterator[str]:
    """OpenAI's chunk sequence, relayed as the answer arrives: the role, the text as the
    model writes it, any tool calls, the finish reason (with the cascade's report), the
    usage when asked for, then [DONE]. An error after the stream began is sent as an
    ``error`` event (the status line went out with the first byte)."""
    run = streaming.run
    head: dict[str, Any] = {"id": run.id, "object": "chat.completion.chunk",
                            "created": int(streaming.clock.now().timestamp()), "model": streaming.model}

    def chunk(delta: dict[str, Any], finish: str | None = None,
              logprobs: dict[str, Any] | None = None, **extra: Any) -> str:
        body = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                                     "logprobs": logprobs}], **extra}
        return _event(body)

    event = streaming.first
    try:
        yield chunk({"role": "assistant", "content": ""})
        try:
            while event.result is None:
                if event.delta:
                    yield chunk({"content": event.delta})
                event = await anext(streaming.rest)
        except CascadeflowError as failed:
            log.warning("stream %s broke off: %s", run.id, failed)
            http = http_error_for(failed)
            yield _event(error_body(public_message(failed), http.type, http.code))
            return
        finally:
            await streaming.rest.aclose()
        result = event.result
        if result.tool_calls:
            yield chunk({"tool_calls": [{"index": i, **c.to_openai()} for i, c in enumerate(result.tool_calls)]})
        if result.refusal:
            yield chunk({"refusal": result.refusal})
        done = streaming.answered(result)
        streaming.settled = True  # from here the finish counts the tokens used, once
        budget = await budget_of(done)
    finally:
        # broken off, or the client went away: as a request that failed, unless the answer
        # had come (its tokens were used)
        used = used_tokens(event.result.calls) if event.result is not None else 0
        await asyncio.shield(streaming.settle_once(used))
    # the answer's token logprobs, when asked for, come whole with the finish reason
    logprobs = {"content": list(result.token_logprobs)} if result.token_logprobs is not None else None
    yield chunk({}, result.finish_reason, logprobs, cascadeflow=cascade_info(done, budget).model_dump())
    if include_usage:
        yield _event({**head, "choices": [], "usage": usage(done).model_dump()})
    yield "data: [DONE]\n\n"


def _event(body: dict[str, Any]) -> str:
    return f"data: {json.dumps(body, separators=(',', ':'))}\n\n"
