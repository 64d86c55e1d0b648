"""Tier budgets: a user without a budget of their own spends their tier's; and the 429
says whose limit binds, the user's or the global one."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import openai
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cascadeflow.domain.enforcement import EnforcementContext
from cascadeflow.domain.errors import BudgetExceededError, ConfigurationError
from cascadeflow.entrypoints.rest.config import parse_config
from cascadeflow.entrypoints.rest.error_handlers import budget_message, install_error_handlers
from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ADMIN_KEY, BOB_KEY, ThreadServer, client, gateway_config

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]
# 12 prompt + 1000 completion tokens on fake-small: $0.002012, past the free tier's $0.001
COSTLY = Reply("Four.", completion_tokens=1000)
TIERS = {"free": {"models": ["fake-small"], "budget": {"daily": 0.001}}, "pro": {}}


def _ask(gateway: ThreadServer, key: str, **extra: object) -> None:
    client(gateway, key).chat.completions.create(model="fake-small", messages=QUESTION,
                                                 max_tokens=100, **extra)  # type: ignore[call-overload]


def test_a_free_user_without_a_budget_is_blocked_after_spending_the_tier_budget(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", COSTLY, COSTLY, COSTLY)
    gateway = serve(gateway_config(upstream, tiers=TIERS))  # bob: tier "free" in [users]

    _ask(gateway, BOB_KEY)  # fits the tier budget before the call, overspends it
    with pytest.raises(openai.RateLimitError) as blocked:
        _ask(gateway, BOB_KEY)
    assert blocked.value.code == "budget_exceeded"
    # the tier's router refuses first, as no model fits the $0 left of the tier budget
    assert "no model of tier 'free' fits" in blocked.value.message
    assert "$0.000000 left" in blocked.value.message
    usage = httpx.get(gateway.url + "/v1/usage", headers={"Authorization": f"Bearer {BOB_KEY}"})
    assert usage.json()["source"] == "tier" and usage.json()["budget"]["daily"] == 0.001

    # a "pro" user (admin tier hint) with no budget of their own spends past $0.001 freely
    pro = {"user": "carol", "extra_headers": {"X-Cascadeflow-User-Tier": "pro"}}
    _ask(gateway, ADMIN_KEY, **pro)
    _ask(gateway, ADMIN_KEY, **pro)
    assert httpx.get(gateway.url + "/v1/budgets/carol", headers=ADMIN).json()["source"] == "none"
    assert len(upstream.requests_for("fake-small")) == 3  # bob's blocked call never went out


def test_an_admin_tier_hint_picks_the_tier_budget(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", COSTLY)
    gateway = serve(gateway_config(upstream, tiers=TIERS))
    free = {"user": "dave", "extra_headers": {"X-Cascadeflow-User-Tier": "free"}}
    _ask(gateway, ADMIN_KEY, **free)
    with pytest.raises(openai.RateLimitError) as blocked:
        _ask(gateway, ADMIN_KEY, **free)
    assert blocked.value.code == "budget_exceeded"


def test_a_saved_presets_tier_budgets_apply_unless_the_tier_has_its_own() -> None:
    raw = gateway_config(None, tiers={"free": {}, "pro": {"budget": {"weekly": 5}}},
                         preset={"name": "p", "tier_budgets": {"free": {"daily": 0.5},
                                                               "pro": {"daily": 9}}})
    budgets = parse_config(raw, {}).tier_budgets()
    assert budgets["free"].limits and budgets["free"].daily == 0.5
    assert budgets["pro"].weekly == 5 and budgets["pro"].daily is None


def test_an_invalid_preset_tier_budget_names_the_field() -> None:
    raw = gateway_config(None, preset={"name": "p", "tier_budgets": {"free": {"daily": -1}}})
    with pytest.raises(ConfigurationError, match="preset.tier_budgets.free"):
        parse_config(raw, {})


def _context(scope: str, window: str, remaining: float = 0.0) -> EnforcementContext:
    return EnforcementContext(user_id="u", budget_limit=0.05, budget_remaining=remaining,
                              budget_used=0.05 - remaining, budget_pct_used=1 - remaining / 0.05,
                              current_cost=0.01, total_requests=3, window=window, scope=scope)


def test_a_users_block_over_http_names_the_user_and_window(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    gateway = serve(gateway_config(upstream, default_budget={"daily": 0}))  # root: no tier
    with pytest.raises(openai.RateLimitError) as blocked:
        _ask(gateway, ADMIN_KEY)
    assert blocked.value.body["message"] == (  # type: ignore[index]
        "Budget exceeded (user 'root': $0 used or reserved of the $0 daily budget)")
    assert blocked.value.response.headers["X-Cascadeflow-Budget-Remaining"] == "0.000000"


def test_the_429_names_the_users_own_limit() -> None:
    assert budget_message("Budget exceeded", _context("user", "daily")) == (
        "Budget exceeded (user 'u': $0.05 used or reserved of the $0.05 daily budget)")


def test_the_429_names_the_global_limit_of_all_users() -> None:
    used_up = _context("global", "total (all users)")
    assert budget_message("Budget exceeded (global total budget of all users)", used_up) == (
        "Budget exceeded: the global total budget of all users ($0.05) is used up")
    short = _context("global", "total (all users)", remaining=0.004)
    assert budget_message("blocked", short) == (
        "blocked: the global total budget of all users has $0.004 left of $0.05, less than "
        "this request may cost ($0.01)")
    named = "no model fits the $0.004 left in the global total budget of all users"
    assert budget_message(named, short) == f"{named} ($0.046 used or reserved of $0.05)"


def test_a_global_block_reaches_the_client_as_a_429_in_openai_shape() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/blocked")
    def blocked() -> None:
        raise BudgetExceededError("Budget exceeded (global total budget of all users)",
                                  _context("global", "total (all users)"))

    response = TestClient(app).get("/blocked")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "budget_exceeded"
    assert response.json()["error"]["message"] == (
        "Budget exceeded: the global total budget of all users ($0.05) is used up")
