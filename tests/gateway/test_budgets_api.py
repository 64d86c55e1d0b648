"""Budgets set over REST persist in the database and bind every replica at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import openai
import pytest

from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ADMIN_KEY, ThreadServer, client, gateway_config

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]


def test_put_then_get_a_budget_and_config_budgets_show_their_source(
    serve: Callable[..., ThreadServer]
) -> None:
    gateway = serve(gateway_config(None, default_budget={"monthly": 3.0}))
    alice = httpx.get(gateway.url + "/v1/budgets/alice", headers=ADMIN).json()
    assert alice["source"] == "config" and alice["budget"]["daily"] == 1.0
    dave = httpx.get(gateway.url + "/v1/budgets/dave", headers=ADMIN).json()
    assert dave["source"] == "default" and dave["remaining"] == {"monthly": 3.0}

    put = httpx.put(gateway.url + "/v1/budgets/dave", headers=ADMIN, json={"daily": 0.5, "total": 9})
    assert put.status_code == 200
    assert put.json()["budget"] == {"daily": 0.5, "weekly": None, "monthly": None, "total": 9.0}
    assert httpx.get(gateway.url + "/v1/budgets/dave", headers=ADMIN).json()["source"] == "api"


@pytest.mark.parametrize("body", [{"daily": -1}, {"hourly": 1}, {"daily": "lots"}, []])
def test_invalid_budgets_are_400(serve: Callable[..., ThreadServer], body: object) -> None:
    gateway = serve(gateway_config(None))
    response = httpx.put(gateway.url + "/v1/budgets/alice", headers=ADMIN, json=body)
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"


def test_a_budget_put_on_one_replica_blocks_on_another(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer], tmp_path: Path
) -> None:
    upstream.script("fake-small", Reply("Four."))
    shared = {"database_url": f"sqlite:///{tmp_path / 'shared.db'}"}
    first, second = serve(gateway_config(upstream, **shared)), serve(gateway_config(upstream, **shared))
    client(second).chat.completions.create(model="cascadeflow", messages=QUESTION)  # spends a bit

    assert httpx.put(first.url + "/v1/budgets/alice", headers=ADMIN, json={"daily": 1e-9}).status_code == 200
    with pytest.raises(openai.RateLimitError) as blocked:
        client(second).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert blocked.value.code == "budget_exceeded"
    assert httpx.get(second.url + "/v1/budgets/alice", headers=ADMIN).json()["source"] == "api"


def test_on_postgresql_the_stored_budget_is_read_in_the_reservation_itself(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer], postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cascadeflow.adapters.sqlmodel_budgets import SQLModelBudgetStore

    async def no_separate_read(*_: object) -> None:
        raise AssertionError("the budget was read in a round trip of its own")

    monkeypatch.setattr(SQLModelBudgetStore, "get_async", no_separate_read)
    upstream.script("fake-small", *[Reply("Four.")] * 3)
    shared = {"database_url": postgres_url}
    first, second = serve(gateway_config(upstream, **shared)), serve(gateway_config(upstream, **shared))
    client(second).chat.completions.create(model="cascadeflow", messages=QUESTION)  # config: 1.0 a day

    assert httpx.put(first.url + "/v1/budgets/alice", headers=ADMIN, json={"daily": 1e-9}).status_code == 200
    with pytest.raises(openai.RateLimitError) as blocked:
        client(second).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert blocked.value.code == "budget_exceeded"

    assert httpx.put(first.url + "/v1/budgets/alice", headers=ADMIN, json={"daily": 5.0}).status_code == 200
    answered = client(second).chat.completions.with_raw_response.create(model="cascadeflow",
                                                                        messages=QUESTION)
    assert answered.http_response.json()["cascadeflow"]["budget"]["remaining"] > 4.9  # of the 5.0 stored


def test_export_gives_every_entry_as_csv_or_json(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("I'm not sure."))
    upstream.script("fake-big", Reply("Four."))
    gateway = serve(gateway_config(upstream))
    client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)

    as_csv = httpx.get(gateway.url + "/v1/export?format=csv", headers=ADMIN)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["model"] for r in rows] == ["fake-small", "fake-big"]
    assert {r["user_id"] for r in rows} == {"alice"}
    as_json = httpx.get(gateway.url + "/v1/export?format=json&user=alice", headers=ADMIN).json()
    assert [e["model"] for e in as_json] == ["fake-small", "fake-big"]
    later = httpx.get(gateway.url + "/v1/export?since=2999-01-01", headers=ADMIN).json()
    assert later == []
    assert httpx.get(gateway.url + "/v1/export?format=xml", headers=ADMIN).status_code == 400
