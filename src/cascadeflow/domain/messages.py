"""What goes to a model and what comes back, in OpenAI's chat shape: roles system,
developer, user, assistant and tool; content as text, null or a list of parts (text,
image_url, input_audio, file…, carried to the provider unchanged); tool calls; and the
caller's options for the call (tools, response format, sampling fields)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.models import ModelConfig

Role = Literal["system", "developer", "user", "assistant", "tool"]
ROLES: tuple[Role, ...] = ("system", "developer", "user", "assistant", "tool")
Part = Mapping[str, Any]
Content = str | tuple[Part, ...] | None


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call a model asked for; ``arguments`` is the JSON text it wrote."""

    id: str
    name: str
    arguments: str

    def to_openai(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function",
                "function": {"name": self.name, "arguments": self.arguments}}

    @classmethod
    def from_openai(cls, raw: object) -> ToolCall:
        """From OpenAI's ``{"id", "type": "function", "function": {"name", "arguments"}}``."""
        function = _get(raw, "function")
        name, arguments, call_id = _get(function, "name"), _get(function, "arguments"), _get(raw, "id")
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"a tool call needs a function name, got {raw!r}")
        if arguments is None:
            arguments = ""
        if not isinstance(arguments, str):
            raise ConfigurationError(f"tool call {name!r}: arguments must be a JSON string")
        return cls(id=call_id if isinstance(call_id, str) else "", name=name, arguments=arguments)


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message. ``content`` is text, None (an assistant message that only calls
    tools) or a sequence of OpenAI content parts, kept as given."""

    role: Role
    content: Content
    name: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    # other OpenAI message fields (an assistant's refusal or audio reference…), carried
    # to the provider unchanged
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigurationError(
                f"Message role must be one of {', '.join(ROLES)}, got {self.role!r}"
            )
        content = self.content
        if content is None:
            if self.role != "assistant":
                raise ConfigurationError(f"a {self.role} message needs content (only an "
                                         "assistant message may have none)")
        elif not isinstance(content, str):
            if not isinstance(content, Sequence) or isinstance(content, (bytes, bytearray)):
                raise ConfigurationError(
                    f"Message content must be a string, None or a list of parts, got {content!r}")
            parts = tuple(content)
            for part in parts:
                if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
                    raise ConfigurationError(
                        f"each content part must be an object with a 'type', got {part!r}")
            object.__setattr__(self, "content", parts)
        calls = tuple(self.tool_calls)
        if calls and self.role != "assistant":
            raise ConfigurationError(f"only assistant messages carry tool_calls, not {self.role}")
        object.__setattr__(self, "tool_calls", calls)
        if self.role == "tool" and not self.tool_call_id:
            raise ConfigurationError("a tool message needs the tool_call_id it answers")
        clash = set(self.extra) & _MESSAGE_FIELDS
        if clash:
            raise ConfigurationError(f"extra repeats message field(s): {', '.join(sorted(clash))}")
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    @property
    def text(self) -> str:
        """The message's text: its content, or its text parts joined ("" when None)."""
        if isinstance(self.content, str):
            return self.content
        if self.content is None:
            return ""
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")

    def to_openai(self) -> dict[str, Any]:
        """OpenAI's wire form of this message."""
        body: dict[str, Any] = {"role": self.role}
        content = self.content
        body["content"] = [dict(p) for p in content] if isinstance(content, tuple) else content
        if self.name is not None:
            body["name"] = self.name
        if self.tool_calls:
            body["tool_calls"] = [c.to_openai() for c in self.tool_calls]
        if self.tool_call_id is not None:
            body["tool_call_id"] = self.tool_call_id
        return {**self.extra, **body}

    @classmethod
    def from_openai(cls, raw: Mapping[str, Any]) -> Message:
        """From OpenAI's wire form. Other fields are kept in ``extra`` and sent on, except
        null ones (an echoed ``refusal: null`` means no refusal)."""
        calls = raw.get("tool_calls") or ()
        if not isinstance(calls, Sequence) or isinstance(calls, str):
            raise ConfigurationError("tool_calls must be a list")
        extra = {k: v for k, v in raw.items() if k not in _MESSAGE_FIELDS and v is not None}
        return cls(role=raw.get("role"), content=raw.get("content"),  # type: ignore[arg-type]
                   name=raw.get("name"), tool_calls=tuple(ToolCall.from_openai(c) for c in calls),
                   tool_call_id=raw.get("tool_call_id"), extra=extra)


_MESSAGE_FIELDS = frozenset({"role", "content", "name", "tool_calls", "tool_call_id"})
ToolChoice = Literal["none", "auto", "required"] | Mapping[str, Any]
_RESPONSE_FORMATS = ("text", "json_object", "json_schema")


@dataclass(frozen=True, slots=True)
class CallOptions:
    """What a caller asks of a model beyond the messages, in OpenAI's terms: the tools it
    may call and how (``tool_choice``), the answer's format, whether to return token
    logprobs, and every other request field (``stop``, ``seed``, ``top_p``, penalties,
    ``logit_bias``, ``user``…) in ``forwarded``, sent to each model unchanged. The
    cascade checks a draft against ``tools``, ``tool_choice`` and ``response_format``
    before accepting it."""

    tools: tuple[Mapping[str, Any], ...] = ()
    tool_choice: ToolChoice | None = None
    response_format: Mapping[str, Any] | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    forwarded: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        tools = tuple(self.tools)
        object.__setattr__(self, "tools", tools)
        object.__setattr__(self, "forwarded", MappingProxyType(dict(self.forwarded)))
        names = [_tool_name(tool) for tool in tools]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"tool names must be unique, got {names}")
        choice = self.tool_choice
        if isinstance(choice, str):
            if choice not in ("none", "auto", "required"):
                raise ConfigurationError(
                    f"tool_choice must be 'none', 'auto', 'required' or a function, got {choice!r}")
            if choice == "required" and not tools:
                raise ConfigurationError("tool_choice 'required' needs tools")
        elif choice is not None:
            wanted = self.forced_tool
            if wanted not in names:
                raise ConfigurationError(f"tool_choice names {wanted!r}, which is not among the "
                                         f"tools ({', '.join(names) or 'none'})")
        fmt = self.response_format
        if fmt is not None:
            kind = fmt.get("type") if isinstance(fmt, Mapping) else None
            if kind not in _RESPONSE_FORMATS:
                raise ConfigurationError(
                    f"response_format type must be one of {', '.join(_RESPONSE_FORMATS)}, got {fmt!r}")
            if kind == "json_schema" and not isinstance(_get(fmt.get("json_schema"), "name"), str):
                raise ConfigurationError("response_format json_schema needs json_schema.name")
        if self.top_logprobs is not None and not 0 <= self.top_logprobs <= 20:
            raise ConfigurationError(f"top_logprobs must be between 0 and 20, got {self.top_logprobs}")

    @property
    def forced_tool(self) -> str | None:
        """The function tool_choice names, if it names one."""
        if isinstance(self.tool_choice, Mapping):
            name = _get(self.tool_choice.get("function"), "name")
            if not isinstance(name, str):
                raise ConfigurationError(f"tool_choice must name a function, got {self.tool_choice!r}")
            return name
        return None

    def tool(self, name: str) -> Mapping[str, Any] | None:
        """The function definition of tool ``name``, if the caller offered it."""
        for tool in self.tools:
            if _tool_name(tool) == name:
                function: Mapping[str, Any] = tool["function"]
                return function
        return None

    @property
    def schema(self) -> Mapping[str, Any] | None:
        """The JSON Schema the answer must follow (response_format json_schema)."""
        fmt = self.response_format
        if fmt is None or fmt.get("type") != "json_schema":
            return None
        schema = _get(fmt.get("json_schema"), "schema")
        return schema if isinstance(schema, Mapping) else {}

    @property
    def wants_json(self) -> bool:
        return self.response_format is not None and self.response_format.get("type") != "text"

    def to_openai(self) -> dict[str, Any]:
        """The request fields these options add, in OpenAI's wire form."""
        body: dict[str, Any] = dict(self.forwarded)
        if self.tools:
            body["tools"] = [dict(t) for t in self.tools]
        if self.tool_choice is not None:
            body["tool_choice"] = self.tool_choice
        if self.response_format is not None:
            body["response_format"] = dict(self.response_format)
        if self.logprobs:
            body["logprobs"] = True
        if self.top_logprobs is not None:
            body["top_logprobs"] = self.top_logprobs
        return body


NO_OPTIONS = CallOptions()

# OpenAI chat request fields sent on to each model unchanged (besides those CallOptions
# reads itself). ``n`` other than 1, the legacy ``functions`` and anything not listed are
# refused: a field silently dropped is a bug the caller never sees.
FORWARDED_FIELDS = frozenset({
    "stop", "seed", "top_p", "frequency_penalty", "presence_penalty", "logit_bias",
    "parallel_tool_calls", "user", "reasoning_effort", "service_tier", "metadata", "store",
    "modalities", "audio", "prediction", "web_search_options", "verbosity",
    "safety_identifier", "prompt_cache_key", "prompt_cache_retention",
})
_OWN_FIELDS = ("tools", "tool_choice", "response_format", "logprobs", "top_logprobs")


def call_options(fields: Mapping[str, Any]) -> CallOptions:
    """CallOptions from OpenAI request fields (None values are left out);
    ConfigurationError naming any field the cascade cannot honour."""
    given = {k: v for k, v in fields.items() if v is not None}
    n = given.pop("n", 1)
    if n != 1:
        raise ConfigurationError(f"n={n} is not supported: a cascade returns one answer per "
                                 "request (send n requests instead)")
    if "functions" in given or "function_call" in given:
        raise ConfigurationError("functions and function_call are OpenAI's deprecated form of "
                                 "tools: send tools and tool_choice instead")
    unknown = sorted(set(given) - FORWARDED_FIELDS - set(_OWN_FIELDS))
    if unknown:
        raise ConfigurationError(f"unsupported request field(s): {', '.join(unknown)}")
    if not given:
        return NO_OPTIONS
    return CallOptions(
        tools=tuple(given.get("tools") or ()),
        tool_choice=given.get("tool_choice"),
        response_format=given.get("response_format"),
        logprobs=bool(given.get("logprobs", False)),
        top_logprobs=given.get("top_logprobs"),
        forwarded={k: v for k, v in given.items() if k in FORWARDED_FIELDS},
    )


def _tool_name(tool: object) -> str:
    if not isinstance(tool, Mapping) or tool.get("type") != "function":
        raise ConfigurationError(f"each tool must be {{'type': 'function', 'function': {{...}}}}, "
                                 f"got {tool!r}")
    name = _get(tool.get("function"), "name")
    if not isinstance(name, str) or not name:
        raise ConfigurationError(f"a tool's function needs a name, got {tool!r}")
    return name


def _get(obj: object, key: str) -> Any:
    """A key of a mapping or an attribute of an object (provider SDKs give either)."""
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """One call to one model. ``temperature`` None: the provider's default."""

    model: ModelConfig
    messages: tuple[Message, ...]
    max_tokens: int
    temperature: float | None = None
    logprobs: bool = False  # the cascade wants token logprobs (for its confidence signal)
    options: CallOptions = NO_OPTIONS
    # fields the cascade sets for itself (its logprobs, a judge's temperature): sent to a
    # provider that takes them, left out for one that does not. The caller's are never.
    optional: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Completion:
    """One model answer. ``cost_usd`` is set only when the source already knows it
    (a recorded trace); otherwise the cascade prices the tokens. ``tool_calls`` are
    the functions the model asked for (``text`` is then often empty); ``refusal`` is a
    provider's refusal message; ``token_logprobs`` the provider's per-token logprob
    objects, kept for callers who asked for them."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    finish_reason: str = "stop"
    latency_ms: float = 0.0
    logprobs: tuple[float, ...] | None = None
    cost_usd: float | None = None
    reported_confidence: float | None = None  # a confidence the source gave (a trace), in [0, 1]
    tool_calls: tuple[ToolCall, ...] = ()
    refusal: str | None = None
    token_logprobs: tuple[Mapping[str, Any], ...] | None = None

    @property
    def confidence(self) -> float | None:
        """The reported confidence, else the geometric-mean token probability from
        logprobs when the provider gave them."""
        if self.reported_confidence is not None:
            return self.reported_confidence
        if not self.logprobs:
            return None
        return math.exp(sum(self.logprobs) / len(self.logprobs))


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """A streamed text delta; the last event carries the whole Completion."""

    delta: str = ""
    completion: Completion | None = None


def billed_prompt(messages: tuple[Message, ...], options: CallOptions) -> tuple[Message, ...]:
    """The messages as a provider bills them, for budget estimates: the tool definitions
    and the response schema are part of the prompt."""
    extra = {k: v for k, v in options.to_openai().items() if k in ("tools", "response_format")}
    if not extra:
        return messages
    return (*messages, Message("system", json.dumps(extra, default=str)))


def conversation_key(messages: tuple[Message, ...]) -> str:
    """A stable key for a conversation: to look it up in a trace, or to draw its
    random choices from."""
    return "\x1e".join(f"{m.role}\x1f{m.text.strip()}" for m in messages)
