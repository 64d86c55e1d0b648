"""Keys map to a user, a tier and a role; users see only their own spend."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import openai
import pytest

from cascadeflow.entrypoints.rest.config import hash_key
from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ADMIN_KEY, ALICE_KEY, BOB_KEY, ThreadServer, client, gateway_config

QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]


def _error(response: httpx.Response) -> dict[str, object]:
    error: dict[str, object] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {ALICE_KEY}"}])
def test_no_key_or_a_wrong_key_is_401_everywhere_but_health(
    serve: Callable[..., ThreadServer], headers: dict[str, str]
) -> None:
    gateway = serve(gateway_config(None))
    for method, path in [("POST", "/v1/chat/completions"), ("GET", "/v1/models"),
                         ("GET", "/v1/usage"), ("GET", "/v1/budgets/alice"),
                         ("PUT", "/v1/budgets/alice"), ("GET", "/v1/export")]:
        response = httpx.request(method, gateway.url + path, headers=headers, json={})
        assert response.status_code == 401, (method, path)
        assert _error(response)["code"] == "invalid_api_key"
    assert httpx.get(gateway.url + "/health").status_code == 200


def test_the_openai_client_sees_an_authentication_error(serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(None))
    with pytest.raises(openai.AuthenticationError):
        client(gateway, "sk-not-a-gateway-key").models.list()


def test_admin_routes_need_an_admin_key(serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(None))
    alice = {"Authorization": f"Bearer {ALICE_KEY}"}
    for method, path in [("GET", "/v1/budgets/alice"), ("PUT", "/v1/budgets/alice"),
                         ("GET", "/v1/export?format=csv")]:
        response = httpx.request(method, gateway.url + path, headers=alice, json={"daily": 5})
        assert response.status_code == 403, (method, path)
        assert _error(response)["code"] == "insufficient_permissions"
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    assert httpx.get(gateway.url + "/v1/budgets/alice", headers=admin).status_code == 200


def test_a_user_sees_only_their_own_usage_and_cannot_spend_as_someone_else(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Four."))
    gateway = serve(gateway_config(upstream))
    client(gateway, ALICE_KEY).chat.completions.create(model="cascadeflow", messages=QUESTION)

    alice = httpx.get(gateway.url + "/v1/usage", headers={"Authorization": f"Bearer {ALICE_KEY}"}).json()
    bob = httpx.get(gateway.url + "/v1/usage", headers={"Authorization": f"Bearer {BOB_KEY}"}).json()
    assert alice["user"] == "alice" and alice["calls"] == 1 and alice["spend"]["daily"] > 0
    assert bob["user"] == "bob" and bob["calls"] == 0 and bob["tier"] == "free"
    peek = httpx.get(gateway.url + "/v1/usage?user=alice", headers={"Authorization": f"Bearer {BOB_KEY}"})
    assert peek.status_code == 403
    by_admin = httpx.get(gateway.url + "/v1/usage?user=alice",
                         headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    assert by_admin["calls"] == 1

    # OpenAI's user field labels the app's own end user: with a user key it is only a
    # label (sent on, stored with the costs); the key's user pays
    upstream.script("fake-small", Reply("Four."))
    client(gateway, BOB_KEY).chat.completions.create(model="cascadeflow", messages=QUESTION,
                                                     user="alice")
    assert upstream.requests[-1]["user"] == "alice"
    bob = httpx.get(gateway.url + "/v1/usage", headers={"Authorization": f"Bearer {BOB_KEY}"}).json()
    alice = httpx.get(gateway.url + "/v1/usage", headers={"Authorization": f"Bearer {ALICE_KEY}"}).json()
    assert bob["calls"] == 1 and alice["calls"] == 1


def test_only_admin_keys_may_send_a_tier_hint(serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(None))
    with pytest.raises(openai.PermissionDeniedError, match="X-Cascadeflow-User-Tier"):
        client(gateway, BOB_KEY).chat.completions.create(
            model="cascadeflow", messages=QUESTION, extra_headers={"X-Cascadeflow-User-Tier": "pro"}
        )


def test_keys_can_be_configured_by_hash_only(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Four."))
    keys = [{"user": "carol", "role": "user", "sha256": hash_key("cf-carol-secret")}]
    gateway = serve(gateway_config(upstream, keys=keys))
    answer = client(gateway, "cf-carol-secret").chat.completions.create(model="cascadeflow",
                                                                        messages=QUESTION)
    assert (answer.model_extra or {})["cascadeflow"]["user"] == "carol"
    with pytest.raises(openai.AuthenticationError):
        client(gateway, hash_key("cf-carol-secret")).models.list()  # the hash is no key
