"""The HTTP routes: parse, authorize, hand over to the Gateway, shape the answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import Receive, Scope, Send

from cascadeflow import __version__
from cascadeflow.entrypoints.rest import responses
from cascadeflow.entrypoints.rest.auth import Caller, acting_user, require_admin
from cascadeflow.entrypoints.rest.gateway import Answered, Gateway, Streaming
from cascadeflow.entrypoints.rest.schemas import (
    BudgetBody,
    BudgetState,
    BudgetView,
    CalibrationView,
    ChatCompletion,
    ChatCompletionRequest,
    ErrorBody,
    Health,
    ModelCard,
    ModelList,
    UsageView,
    UserId,
)

router = APIRouter()
_bearer = HTTPBearer(auto_error=False, description="A gateway API key (see docs/gateway.md)")
_DOMAIN_HINT = r"^[a-z][a-z0-9_-]{0,31}$"


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


_AUTHED = _errors(400, 401, 403, 404, 413, 503)


class _AnswerStream(StreamingResponse):
    """A streamed answer that, however the response ends (the client gone before its
    body started included, when the body's own cleanup never runs), stops the cascade
    and corrects the rate limits' count once."""

    def __init__(self, streaming: Streaming, content: AsyncIterator[str], **options: Any) -> None:
        super().__init__(content, **options)
        self._streaming = streaming

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await asyncio.shield(self._closed())

    async def _closed(self) -> None:
        body = self.body_iterator
        if isinstance(body, AsyncGenerator):
            await body.aclose()  # its own cleanup first: it knows whether the answer came
        await self._streaming.abandon()


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


# async: a key lookup is a hash and a dict read; FastAPI would run a plain function on
# its thread pool, a hop per dependency per request
async def _caller(request: Request,
                  _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    return _gateway(request).keys.caller(request.headers.get("authorization"))


async def _admin(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    return require_admin(caller)


_STREAM = {"text/event-stream": {"schema": {"type": "string"}}}


@router.post("/v1/chat/completions", response_model=ChatCompletion,
             responses={200: {"content": _STREAM}, **_AUTHED, **_errors(429, 502, 504)})
async def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    caller: Annotated[Caller, Depends(_caller)],
    x_cascadeflow_domain: Annotated[str | None, Header(pattern=_DOMAIN_HINT)] = None,
    x_cascadeflow_user_tier: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    """OpenAI's chat completion, answered by the cascade. ``model`` names a virtual model
    (``cascadeflow``, ``cascadeflow:<domain>``), a preset or one configured model."""
    gateway = _gateway(request)
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        streaming = await gateway.stream(caller, body, x_cascadeflow_domain, x_cascadeflow_user_tier)

        async def finish(done: Answered) -> BudgetState:
            return await gateway.finish(done, caller)

        return _AnswerStream(streaming, responses.live_chunks(streaming, finish, include_usage),
                             media_type="text/event-stream",
                             headers={"X-Cascadeflow-Model-Used": streaming.model})
    done = await gateway.answer(caller, body, x_cascadeflow_domain, x_cascadeflow_user_tier)
    budget = await gateway.finish(done, caller)
    headers = {"X-Cascadeflow-Model-Used": done.result.model_used,
               "X-Cascadeflow-Cost": f"{done.result.total_cost:.8f}"}
    return JSONResponse(responses.completion(done, budget).model_dump(), headers=headers)


@router.get("/v1/models", response_model=ModelList, responses=_errors(401, 503))
def list_models(request: Request, _: Annotated[Caller, Depends(_caller)]) -> ModelList:
    return ModelList(data=[ModelCard(id=name) for name in _gateway(request).model_ids()])


@router.get("/v1/usage", response_model=UsageView, responses=_AUTHED)
def usage(request: Request, caller: Annotated[Caller, Depends(_caller)],
          user: Annotated[UserId | None, Query()] = None) -> UsageView:
    """The caller's spend per window (admins may ask about any ``user``)."""
    gateway = _gateway(request)
    who = acting_user(caller, user)
    return gateway.budgets.usage(who, gateway.tier_of(who, caller))


@router.get("/v1/usage/calibration", response_model=CalibrationView, responses=_AUTHED)
def calibration(request: Request, _: Annotated[Caller, Depends(_admin)]) -> CalibrationView:
    """What online calibration has learnt, shared by every replica on the database."""
    return _gateway(request).calibration_view()


@router.get("/v1/budgets/{user}", response_model=BudgetView, responses=_AUTHED)
def get_budget(request: Request, user: UserId,
               _: Annotated[Caller, Depends(_admin)]) -> BudgetView:
    gateway = _gateway(request)
    return gateway.budgets.view(user, gateway.tier_of(user))


@router.put("/v1/budgets/{user}", response_model=BudgetView, responses=_AUTHED)
def put_budget(request: Request, user: UserId, body: BudgetBody,
               _: Annotated[Caller, Depends(_admin)]) -> BudgetView:
    """Set a user's limits (USD per window); every replica applies them at once."""
    gateway = _gateway(request)
    return gateway.budgets.put(user, body, gateway.tier_of(user))


@router.get("/v1/export", responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                                       "application/json": {}}}, **_AUTHED})
def export(request: Request, _: Annotated[Caller, Depends(_admin)],
           format: Literal["csv", "json"] = "json",
           user: Annotated[UserId | None, Query()] = None,
           since: Annotated[datetime | None, Query(description="ISO date or time, UTC")] = None,
           ) -> Response:
    """Every stored cost entry, optionally for one user and from a time on."""
    start = since.replace(tzinfo=UTC) if since is not None and since.tzinfo is None else since
    data = _gateway(request).export(format, user, start)
    media = "text/csv" if format == "csv" else "application/json"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="cascadeflow.{format}"'})


@router.get("/health", response_model=Health, responses=_errors(503))
def health(request: Request) -> Health:
    gateway = _gateway(request)
    gateway.ping()
    return Health(version=__version__, models=len(gateway.models))
