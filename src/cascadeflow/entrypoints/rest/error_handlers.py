"""Every error leaves the gateway in OpenAI's shape: {"error": {message, type, param, code}}."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from cascadeflow.domain.budgets import Window, window_end
from cascadeflow.domain.enforcement import EnforcementContext
from cascadeflow.domain.rate_limits import RateLimitExceededError
from cascadeflow.domain.errors import (
    AllModelsFailedError,
    BudgetExceededError,
    CascadeflowError,
    ProviderError,
)
from cascadeflow.entrypoints.rest.error_statuses import ApiError, http_error_for, public_message
from cascadeflow.entrypoints.rest.schemas import error_body

log = logging.getLogger("cascadeflow.gateway")

_HTTP_CODES = {400: "invalid_body", 401: "invalid_api_key", 404: "not_found", 405: "method_not_allowed",
               413: "request_too_large"}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(CascadeflowError, _cascadeflow_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
    http = exc.http
    return JSONResponse(error_body(exc.message, http.type, http.code, exc.param), http.status)


async def _cascadeflow_error(request: Request, exc: CascadeflowError) -> JSONResponse:
    http = http_error_for(exc)
    message, headers = public_message(exc), {}
    if http.status >= 500 or isinstance(exc, (ProviderError, AllModelsFailedError)):
        log.warning("%s: %s", type(exc).__name__, exc)  # the providers' own words stay here
    if isinstance(exc, RateLimitExceededError):
        if math.isinf(exc.retry_after):
            headers["x-should-retry"] = "false"  # bigger than the limit: it never fits
        else:
            headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    if isinstance(exc, BudgetExceededError):
        headers["x-should-retry"] = "false"  # the same request is refused until the window ends
        if (ctx := exc.context) is not None:
            headers["X-Cascadeflow-Budget-Remaining"] = f"{ctx.budget_remaining:.6f}"
            message = budget_message(message, ctx)
            if (wait := _until_reset(ctx, _now(request))) is not None:
                headers["Retry-After"] = str(wait)
    return JSONResponse(error_body(message, http.type, http.code), http.status, headers=headers)


def _now(request: Request) -> datetime:
    """The gateway's clock (a test's fake one), else the system's."""
    gateway = getattr(request.app.state, "gateway", None)
    return gateway.tracker.clock.now() if gateway is not None else datetime.now(UTC)


def _until_reset(ctx: EnforcementContext, now: datetime) -> int | None:
    """Whole seconds until the binding window ends (None: the all-time window never does)."""
    try:
        window = Window(ctx.window.split(" ", 1)[0])
    except ValueError:
        return None
    end = window_end(window, now)
    return None if end is None else max(1, math.ceil((end - now).total_seconds()))


def budget_message(message: str, ctx: EnforcementContext) -> str:
    """The gate's message plus whose limit binds and where it stands: the user's own
    (their budget, their tier's or the default) or the global cap on all users."""
    used, limit = _usd(ctx.budget_used), _usd(ctx.budget_limit)
    if ctx.scope != "global":
        return f"{message} (user {ctx.user_id!r}: {used} used or reserved of the {limit} {ctx.window} budget)"
    name = f"global {ctx.window.removesuffix(' (all users)')} budget of all users"
    base = message.removesuffix(f" ({name})")
    if name in base:  # the gate's message already names the limit: add the figures only
        return f"{base} ({used} used or reserved of {limit})"
    if ctx.budget_remaining <= 0:
        return f"{base}: the {name} ({limit}) is used up"
    return (f"{base}: the {name} has {_usd(ctx.budget_remaining)} left of {limit}, less than "
            f"this request may cost ({_usd(ctx.current_cost)})")


def _usd(amount: float) -> str:
    return "$" + (f"{amount:.6f}".rstrip("0").rstrip(".") or "0")


async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    """A 400, as OpenAI answers every invalid request (its client raises BadRequestError
    for it): broken JSON, or JSON that breaks the schema, naming the field."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse(error_body("the request body is not valid JSON", "invalid_request_error",
                                       "invalid_json"), 400)
    fields = [".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc", ("body",))[0])
              for e in errors]
    lines = "; ".join(f"{field}: {e.get('msg')}" for field, e in zip(fields, errors, strict=True))
    return JSONResponse(error_body(lines or "invalid request", "invalid_request_error",
                                   "invalid_value", fields[0] if fields else None), 400)


async def _http_exception(request: Request, exc: HTTPException) -> JSONResponse:
    kind = "authentication_error" if exc.status_code == 401 else "invalid_request_error"
    code = _HTTP_CODES.get(exc.status_code, str(exc.status_code))
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return JSONResponse(error_body(str(exc.detail), kind, code), exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Starlette's 405 names the methods of the first route matching the path only;
    GET and PUT /v1/budgets/{user} are two routes."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return JSONResponse(error_body("internal error in the gateway; see its log", "server_error",
                                   "internal_error"), 500)
