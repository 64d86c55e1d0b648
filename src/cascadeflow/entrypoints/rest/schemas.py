"""HTTP bodies: OpenAI's chat completion schema, plus the gateway's own resources."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cascadeflow.entrypoints.gateway_config import USER_ID

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


class TextPart(BaseModel):
    type: Literal["text"]
    text: Text


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant"]
    content: Text | list[TextPart]

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else "".join(p.text for p in self.content)


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; fields the cascade does not use (top_p, stop, seed…) are accepted
    and ignored so that existing clients work unchanged."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=0.7, ge=0, le=2)
    n: Literal[1] = 1
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: UserId | None = None


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: str = "stop"
    logprobs: None = None


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
