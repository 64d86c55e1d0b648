"""HTTP bodies: OpenAI's chat completion schema, plus the gateway's own resources."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cascadeflow.entrypoints.rest.config import USER_ID

UserId = Annotated[str, Field(pattern=USER_ID)]
Usd = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def _encodable(text: str) -> str:
    """Lone surrogates survive JSON decoding but not UTF-8 encoding: refuse them here."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (it holds a lone surrogate)") from None
    return text


Text = Annotated[str, AfterValidator(_encodable)]


class ContentPart(BaseModel):
    """A content part: text, image_url, input_audio, file… carried to the model as sent."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(min_length=1)
    text: Text | None = None


class FunctionCall(BaseModel):
    name: str = Field(min_length=1)
    arguments: str


class ToolCallBody(BaseModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class _Message(BaseModel):
    # other fields (an echoed ``refusal``, an ``audio`` reference) are carried on
    model_config = ConfigDict(extra="allow")

    name: str | None = None


Parts = Annotated[list[ContentPart], Field(min_length=1)]


class SystemMessage(_Message):
    role: Literal["system"]
    content: Text | Parts


class DeveloperMessage(_Message):
    role: Literal["developer"]
    content: Text | Parts


class UserMessage(_Message):
    role: Literal["user"]
    content: Text | Parts


class AssistantMessage(_Message):
    """An earlier answer; its content may be null when it only called tools."""

    role: Literal["assistant"]
    content: Text | Parts | None = None
    tool_calls: list[ToolCallBody] | None = None


class ToolMessage(_Message):
    """A tool's result, answering the assistant's call ``tool_call_id``."""

    role: Literal["tool"]
    content: Text | Parts
    tool_call_id: str = Field(min_length=1)


ChatMessage = Annotated[SystemMessage | DeveloperMessage | UserMessage | AssistantMessage | ToolMessage,
                        Field(discriminator="role")]


class FunctionDefinition(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    description: str | None = None
    parameters: dict[str, Any] | None = None  # a JSON Schema for the arguments
    strict: bool | None = None


class Tool(BaseModel):
    type: Literal["function"]
    function: FunctionDefinition


class JsonSchemaFormat(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None


class NamedFunction(BaseModel):
    name: str = Field(min_length=1)


class NamedToolChoice(BaseModel):
    type: Literal["function"]
    function: NamedFunction


class StreamOptions(BaseModel):
    include_usage: bool = False


# the request fields the gateway itself reads; every other field goes to the models
GATEWAY_FIELDS = frozenset({"model", "messages", "max_tokens", "max_completion_tokens",
                            "temperature", "stream", "stream_options"})


class ChatCompletionRequest(BaseModel):
    """OpenAI's request. Every field besides the gateway's own is sent to each model
    called: tools, tool_choice, response_format, stop, seed, top_p, penalties,
    logit_bias, logprobs, user and the rest. A field the cascade cannot honour
    (``n`` > 1, an unknown name) is refused with a 400, never dropped."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)  # None: the model's default
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: Literal[1] | None = Field(default=None, description="1 only: a cascade gives one answer")
    # the end user's id: a label with a user key, the budgeted user with an admin key
    user: UserId | None = None
    tools: list[Tool] | None = None
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    top_p: float | None = Field(default=None, ge=0, le=1)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)

    def model_fields_for_models(self) -> dict[str, Any]:
        """The fields for the models: all that were sent, but the gateway's own."""
        sent = self.model_dump(exclude_unset=True, exclude=set(GATEWAY_FIELDS), by_alias=True)
        return {k: v for k, v in sent.items() if v is not None}


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    refusal: str | None = None
    tool_calls: list[ToolCallBody] | None = None


class Choice(BaseModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: str = "stop"
    logprobs: dict[str, Any] | None = None  # {"content": [...]} when the request asked


class CallInfo(BaseModel):
    model: str
    cost: float
    verdict: str
    reason: str
    input_tokens: int
    output_tokens: int


class BudgetState(BaseModel):
    action: str | None
    message: str | None
    window: str | None = None
    remaining: float | None = None


class CascadeInfo(BaseModel):
    """What the cascade did: the OpenAI schema has no place for it."""

    model_used: str
    cost: float
    cost_saved: float
    draft_accepted: bool
    validation_passed: bool
    steps: list[CallInfo]
    domain: str | None
    user: str
    tier: str | None
    budget: BudgetState


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    cascadeflow: CascadeInfo


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "cascadeflow"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class BudgetBody(BaseModel):
    """Limits in USD per window; an omitted window is unlimited."""

    model_config = ConfigDict(extra="forbid")

    daily: Usd | None = None
    weekly: Usd | None = None
    monthly: Usd | None = None
    total: Usd | None = None


class BudgetView(BaseModel):
    user: str
    budget: BudgetBody | None
    source: Literal["api", "config", "tier", "default", "none"]  # "tier": the user's tier's
    spend: dict[str, float]
    reserved: float
    remaining: dict[str, float]


class UsageView(BudgetView):
    tier: str | None
    calls: int


class CalibrationRoute(BaseModel):
    route: str
    draft_model: str
    reference_model: str
    queries_drafted: int
    labels: int
    disagreements: int
    draft_share: float
    accepted_share: float
    quality_estimate: float
    quality_bound: float
    threshold: float | None
    notes: list[str]


class CalibrationView(BaseModel):
    """Online calibration per route: evidence and the plan fitted from it."""

    mode: str
    target_quality: float | None
    routes: list[CalibrationRoute]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    models: int


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_body(message: str, kind: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return ErrorBody(error=ErrorDetail(message=message, type=kind, param=param, code=code)).model_dump()
