"""Model calls through LiteLLM, with its exceptions turned into the domain's errors."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeGuard

from cascadeflow.adapters.litellm_loader import litellm_model_id, load_litellm
from cascadeflow.application.ports import CompletionProvider
from cascadeflow.domain.errors import (
    ProviderAuthError,
    ProviderBadRequestError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
)
from cascadeflow.domain.messages import Completion, CompletionRequest, StreamEvent, ToolCall
from cascadeflow.domain.models import ModelConfig

# Local models need no key; Vertex AI authenticates with Google application credentials.
_KEYLESS_PROVIDERS = frozenset({"ollama", "vertex_ai"})
_LIBRARY_MODULES = ("litellm", "openai", "httpx", "aiohttp")
_MESSAGE_PREFIX = re.compile(r"^(?:litellm\.\w+:\s*)?(?:\w+Error:\s*)?(?:\w+Exception\s*-\s*)?")
_MAX_MESSAGE = 300
_ADDED = frozenset({"top_logprobs"})  # set by this adapter for the cascade, never the caller's
# LiteLLM's two ways of saying a provider cannot take a field
_UNSUPPORTED = re.compile(r"[\w.:/-]+ (?:does not support parameters: \[[^\]]*\]|doesn't support \w+=[^ ]+)")
_FIELD_NAMES = re.compile(r"'(\w+)'|doesn't support (\w+)=")


class LiteLLMProvider(CompletionProvider):
    """Calls any supported provider through LiteLLM.

    LiteLLM and the OpenAI SDK inside it never retry: the cascade owns retries and
    fallbacks. ``api_keys`` maps a provider name to its key, for models whose
    ModelConfig carries none; otherwise LiteLLM reads the provider's environment variable.
    """

    def __init__(self, timeout: float = 60.0, api_keys: Mapping[str, str] | None = None) -> None:
        self._timeout = timeout
        self._api_keys = dict(api_keys or {})

    async def complete(self, request: CompletionRequest) -> Completion:
        litellm = load_litellm()
        kwargs = self._call_arguments(litellm, request)
        started = time.perf_counter()
        with self._errors_as_domain(request.model):
            response = await _without_what_it_lacks(litellm, kwargs, request)
        choice = _field(response, "choices")[0]
        message = _field(choice, "message")
        text = _text(_field(message, "content"))
        calls = tuple(_tool_call(c) for c in _field(message, "tool_calls") or ())
        input_tokens, output_tokens = _usage(litellm, kwargs, _field(response, "usage"),
                                             text + "".join(c.name + c.arguments for c in calls))
        logprobs = _field(choice, "logprobs")
        return Completion(
            text=text,
            model=request.model.name,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            finish_reason=_text(_field(choice, "finish_reason")) or "stop",
            latency_ms=(time.perf_counter() - started) * 1000.0,
            logprobs=_token_logprobs(logprobs) if request.logprobs else None,
            tool_calls=calls,
            refusal=_field(message, "refusal") or None,
            token_logprobs=_logprob_objects(logprobs) if request.options.logprobs else None,
        )

    async def stream(self, request: CompletionRequest) -> AsyncIterator[StreamEvent]:
        litellm = load_litellm()
        kwargs = self._call_arguments(litellm, request)
        started = time.perf_counter()
        parts: list[str] = []
        calls: dict[int, dict[str, str]] = {}  # tool calls arrive in pieces, by index
        refusal: list[str] = []
        tokens: list[Any] = []  # per-token logprob objects, when the stream carries them
        finish_reason, usage = "stop", None
        kwargs.update(stream=True, stream_options={"include_usage": True})
        with self._errors_as_domain(request.model):
            chunks = aiter(await _without_what_it_lacks(litellm, kwargs, request))
        while True:
            # Errors also arrive mid-stream: translate each read, but never around a yield.
            with self._errors_as_domain(request.model):
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
            usage = _field(chunk, "usage") or usage
            for choice in _field(chunk, "choices")[:1]:
                finish_reason = _text(_field(choice, "finish_reason")) or finish_reason
                delta = _field(choice, "delta")
                for piece in _field(delta, "tool_calls") or ():
                    _add_tool_call_piece(calls, piece)
                refusal.append(_text(_field(delta, "refusal")))
                tokens.extend(_field(_field(choice, "logprobs"), "content") or ())
                if text := _text(_field(delta, "content")):
                    parts.append(text)
                    yield StreamEvent(delta=text)
        text = "".join(parts)
        written = text + "".join(c["name"] + c["arguments"] for c in calls.values())
        input_tokens, output_tokens = _usage(litellm, kwargs, usage, written)
        yield StreamEvent(
            completion=Completion(
                text=text,
                model=request.model.name,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                finish_reason=finish_reason,
                latency_ms=(time.perf_counter() - started) * 1000.0,
                tool_calls=tuple(ToolCall(c["id"], c["name"], c["arguments"])
                                 for _, c in sorted(calls.items())),
                refusal="".join(refusal) or None,
                logprobs=_token_logprobs({"content": tokens}) if request.logprobs else None,
                token_logprobs=_logprob_objects({"content": tokens}) if request.options.logprobs else None,
            )
        )

    def _call_arguments(self, litellm: ModuleType, request: CompletionRequest) -> dict[str, Any]:
        model = request.model
        model_id = litellm_model_id(model.name, model.provider)
        api_key = model.api_key or self._api_keys.get(model.provider)
        if not api_key:
            _require_environment_key(litellm, model, model_id)
        kwargs: dict[str, Any] = {
            **request.options.to_openai(),  # the caller's fields, unchanged
            "model": model_id,
            "messages": [m.to_openai() for m in request.messages],
            "max_tokens": request.max_tokens,
            "timeout": self._timeout,
            "num_retries": 0,  # LiteLLM's own retry loop
            "max_retries": 0,  # the OpenAI SDK client's retries underneath it
        }
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        forwarded = list(request.options.forwarded)
        if forwarded and model.provider == "openai":
            # an OpenAI-compatible server (vLLM, llama.cpp, a gateway) decides for itself
            # which fields it takes; LiteLLM would refuse some for model names it does not
            # know (``user``, for one)
            kwargs["allowed_openai_params"] = forwarded
        if model.api_base:
            kwargs["api_base"] = model.api_base
        if api_key:
            kwargs["api_key"] = api_key
        if request.logprobs:
            kwargs["logprobs"] = True
            if model.provider == "openai":
                # OpenAI-compatible servers such as llama.cpp's return logprobs only when
                # top_logprobs is set; 0 asks for the chosen tokens' alone, as OpenAI does
                kwargs.setdefault("top_logprobs", 0)  # in _ADDED: left out where not taken
        if (price := model.configured_price) is not None:
            # LiteLLM prices every call for its own bookkeeping; given the price, it skips
            # searching its price map (a third of its work per call). Not sent upstream.
            kwargs["input_cost_per_token"] = price.input
            kwargs["output_cost_per_token"] = price.output
        return kwargs

    @contextmanager
    def _errors_as_domain(self, model: ModelConfig) -> Iterator[None]:
        try:
            yield
        except ProviderError:
            raise
        except Exception as exc:
            error = _translate(exc, model.name, self._timeout)
            if error is None:
                raise
            raise error from exc


async def _without_what_it_lacks(litellm: ModuleType, kwargs: dict[str, Any],
                                 request: CompletionRequest) -> Any:
    """``acompletion``; when LiteLLM finds the provider cannot take fields the cascade
    set for itself (``request.optional``: its logprobs, a judge's temperature), the
    call again without them. LiteLLM checks before sending: nothing is sent twice."""
    try:
        return await litellm.acompletion(**kwargs)
    except Exception as exc:
        said = _UNSUPPORTED.search(str(exc)) if type(exc).__name__ == "UnsupportedParamsError" else None
        lacking = {a or b for a, b in _FIELD_NAMES.findall(said.group(0))} if said else set()
        added = _ADDED if request.options.top_logprobs is None else frozenset()
        if not lacking or not lacking <= request.optional | added:
            raise
        return await litellm.acompletion(**{k: v for k, v in kwargs.items() if k not in lacking})


def _require_environment_key(litellm: ModuleType, model: ModelConfig, model_id: str) -> None:
    """Fail before the call when a hosted provider's key is missing: LiteLLM would
    report it differently per provider, some as a server error."""
    if model.provider in _KEYLESS_PROVIDERS:
        return
    try:
        report = litellm.validate_environment(model=model_id, api_base=model.api_base)
    except Exception:
        return  # let the call itself say what is wrong
    missing = [str(key) for key in report.get("missing_keys") or ()]
    if report.get("keys_in_environment") or not missing:
        return
    raise ProviderAuthError(
        model.name,
        f"no API key for provider {model.provider!r}: set {' or '.join(missing)} in the "
        "environment, or pass api_key= on the ModelConfig",
    )


def _translate(exc: Exception, model: str, timeout: float) -> ProviderError | None:
    """The domain error for a library exception; None for anything else (a bug).

    The HTTP status decides, not the class: LiteLLM raises its generic APIError for
    some statuses (a 403, for one), and every class it raises carries the status.
    Timeouts come first because LiteLLM's Timeout is also an APIConnectionError.
    """
    import httpx
    import openai

    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
        return ProviderTimeoutError(model, f"no answer within {timeout:g} s")
    if type(exc).__name__ == "UnsupportedParamsError":  # LiteLLM's own check, before any call
        said = _UNSUPPORTED.search(str(exc))
        return ProviderBadRequestError(
            model, said.group(0) if said else "a request field this provider does not take",
            status=400, quotable=True)
    status = _status(exc)
    if status is not None:
        return _kind_for_status(status)(model, _short_message(exc, status), status=status)
    if type(exc).__module__.split(".")[0] in _LIBRARY_MODULES:
        return ProviderUnavailableError(model, _short_message(exc, None))
    return None


def _status(exc: Exception) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, str) and status.isdigit():
        return int(status)
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def _kind_for_status(status: int) -> type[ProviderError]:
    if status == 408:
        return ProviderTimeoutError
    if status == 429:
        return RateLimitedError
    if status in (401, 403):
        return ProviderAuthError
    if 400 <= status < 500:
        return ProviderBadRequestError
    return ProviderUnavailableError


def _short_message(exc: Exception, status: int | None) -> str:
    body = getattr(exc, "body", None)
    detail = body.get("message") if isinstance(body, dict) else None
    if not isinstance(detail, str) or not detail.strip():
        detail = _MESSAGE_PREFIX.sub("", str(exc)) or type(exc).__name__
    detail = " ".join(detail.split())
    if len(detail) > _MAX_MESSAGE:
        detail = detail[: _MAX_MESSAGE - 1] + "…"
    return f"HTTP {status}: {detail}" if status is not None else detail


def _field(obj: object, name: str) -> Any:
    """A field of a LiteLLM response object, which may be a pydantic model or a dict."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _usage(
    litellm: ModuleType, kwargs: Mapping[str, Any], usage: object, text: str
) -> tuple[int, int]:
    """Tokens as the provider reported them, else counted. LiteLLM reports a missing
    usage as zeros, and no real request has zero prompt tokens."""
    prompt = _field(usage, "prompt_tokens")
    completion = _field(usage, "completion_tokens")
    if _is_count(prompt) and prompt > 0 and _is_count(completion):
        return prompt, completion
    model = kwargs["model"]
    # text only: LiteLLM's counter would fetch image URLs, on the event loop
    plain = [{"role": m["role"], "content": _words(m)} for m in kwargs["messages"]]
    return (
        int(litellm.token_counter(model=model, messages=plain)),
        int(litellm.token_counter(model=model, text=text, count_response_tokens=True)),
    )


def _words(message: Mapping[str, Any]) -> str:
    """A wire message's text, its parts' and tool calls' included, for counting tokens."""
    content = message.get("content")
    parts = content if isinstance(content, list) else [{"text": content or ""}]
    calls = [json.dumps(c) for c in message.get("tool_calls") or ()]
    return " ".join([*(str(p.get("text", "")) for p in parts), *calls])


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _tool_call(raw: object) -> ToolCall:
    """A model's tool call as it wrote it, however malformed: the cascade's checks judge
    it (an unnamed or unknown function escalates), not the parsing."""
    function = _field(raw, "function")
    arguments = _field(function, "arguments")
    return ToolCall(id=_text(_field(raw, "id")), name=_text(_field(function, "name")),
                    arguments=arguments if isinstance(arguments, str) else json.dumps(arguments or {}))


def _add_tool_call_piece(calls: dict[int, dict[str, str]], piece: object) -> None:
    """Fold one streamed tool-call delta into the calls assembled so far: the id and
    name come once, the arguments in pieces."""
    index = _field(piece, "index")
    call = calls.setdefault(index if isinstance(index, int) else len(calls),
                            {"id": "", "name": "", "arguments": ""})
    function = _field(piece, "function")
    call["id"] = _text(_field(piece, "id")) or call["id"]
    call["name"] = _text(_field(function, "name")) or call["name"]
    call["arguments"] += _text(_field(function, "arguments"))


def _logprob_objects(logprobs: object) -> tuple[dict[str, Any], ...] | None:
    """The provider's per-token logprob objects, as plain JSON for the caller."""
    content = _field(logprobs, "content")
    if not content:
        return None
    return tuple(_plain(token) for token in content)


def _plain(value: object) -> Any:
    """A LiteLLM/pydantic object as plain JSON values."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _token_logprobs(logprobs: object) -> tuple[float, ...] | None:
    content = _field(logprobs, "content")
    if not content:
        return None
    return tuple(float(_field(token, "logprob")) for token in content)
