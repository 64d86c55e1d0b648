"""A finished cascade as OpenAI's chat completion, whole or as server-sent chunks.

Streaming starts only once the cascade has accepted an answer: a draft that validation
rejects is never sent, so the client sees exactly one answer, the final one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from cascadeflow.entrypoints.rest.gateway import Answered
from cascadeflow.entrypoints.rest.schemas import (
    BudgetState,
    CallInfo,
    CascadeInfo,
    ChatCompletion,
    Choice,
    ResponseMessage,
    ToolCallBody,
    Usage,
)

_WORD_STARTS = re.compile(r"(?<=\s)(?=\S)")


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


def chunks(done: Answered, budget: BudgetState, include_usage: bool) -> Iterator[str]:
    """OpenAI's chunk sequence: the role, the text word by word, the finish reason (with
    the cascade's report), the usage when asked for, then [DONE]."""
    head: dict[str, Any] = {"id": done.id, "object": "chat.completion.chunk",
                            "created": done.created, "model": done.result.model_used}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                                     "logprobs": None}], **extra}
        return _event(body)

    result = done.result
    yield chunk({"role": "assistant", "content": ""})
    for piece in _WORD_STARTS.split(result.content):
        if piece:
            yield chunk({"content": piece})
    if result.tool_calls:
        yield chunk({"tool_calls": [{"index": i, **c.to_openai()} for i, c in enumerate(result.tool_calls)]})
    yield chunk({}, result.finish_reason, cascadeflow=cascade_info(done, budget).model_dump())
    if include_usage:
        yield _event({**head, "choices": [], "usage": usage(done).model_dump()})
    yield "data: [DONE]\n\n"


def _event(body: dict[str, Any]) -> str:
    return f"data: {json.dumps(body, separators=(',', ':'))}\n\n"
