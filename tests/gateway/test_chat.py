"""The official openai client against `cascadeflow serve`'s app on loopback, with the
cascade calling a fake OpenAI upstream through LiteLLM."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ADMIN_KEY, ThreadServer, client, gateway_config

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def test_a_rejected_draft_escalates_and_only_the_accepted_answer_is_returned(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("I'm not sure.", completion_tokens=4))
    upstream.script("fake-big", Reply("Paris is the capital of France.", completion_tokens=7))
    gateway = serve(gateway_config(upstream))

    answer = client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION)

    assert answer.choices[0].message.content == "Paris is the capital of France."
    assert answer.model == "fake-big" and answer.object == "chat.completion"
    report = (answer.model_extra or {})["cascadeflow"]
    assert report["model_used"] == "fake-big" and report["draft_accepted"] is False
    assert [s["verdict"] for s in report["steps"]] == ["rejected", "accepted"]
    assert report["user"] == "alice" and report["tier"] == "pro"
    assert report["budget"]["window"] == "daily" and 0 < report["budget"]["remaining"] < 1.0
    small, big = 12 * 1e-6 + 4 * 2e-6, 12 * 1e-5 + 7 * 2e-5
    assert abs(report["cost"] - (small + big)) < 1e-12
    assert answer.usage is not None and answer.usage.prompt_tokens == 24
    assert answer.usage.completion_tokens == 11


def test_streaming_sends_only_the_accepted_answer_in_openai_chunks_with_usage(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("I'm not sure, sorry.", completion_tokens=5))
    upstream.script("fake-big", Reply("Paris, on the Seine.", completion_tokens=5))
    gateway = serve(gateway_config(upstream))

    stream = client(gateway).chat.completions.create(
        model="cascadeflow", messages=QUESTION, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Paris, on the Seine."
    assert "not sure" not in text
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) == 4
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finish] == ["stop"]
    assert (finish[0].model_extra or {})["cascadeflow"]["model_used"] == "fake-big"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 12 + 5 + 12 + 5
    assert all(c.id == chunks[0].id for c in chunks)


def test_streaming_without_include_usage_sends_no_usage_chunk(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("Paris."))
    gateway = serve(gateway_config(upstream))
    chunks = list(client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION,
                                                          stream=True))
    assert all(c.choices for c in chunks) and all(c.usage is None for c in chunks)


def test_virtual_domain_model_and_domain_header_reach_the_cascade(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("def add(a, b): return a + b"), Reply("Aspirin thins blood."))
    gateway = serve(gateway_config(upstream))
    code = client(gateway).chat.completions.create(model="cascadeflow:code", messages=QUESTION)
    assert (code.model_extra or {})["cascadeflow"]["domain"] == "code"
    hinted = client(gateway).chat.completions.create(
        model="cascadeflow", messages=QUESTION, extra_headers={"X-Cascadeflow-Domain": "medical"}
    )
    assert (hinted.model_extra or {})["cascadeflow"]["domain"] == "medical"


def test_presets_and_single_models_are_listed_and_callable(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-big", Reply("Paris."))
    gateway = serve(gateway_config(upstream, presets={"premium": ["fake-big"]}))
    ids = [m.id for m in client(gateway).models.list()]
    assert ids[:2] == ["cascadeflow", "cascadeflow:code"]
    assert {"premium", "fake-small", "fake-big"} <= set(ids)
    answer = client(gateway).chat.completions.create(model="premium", messages=QUESTION)
    assert answer.model == "fake-big" and [r["model"] for r in upstream.requests] == ["fake-big"]


def test_the_tier_limits_the_models_and_admins_may_hint_a_tier(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", Reply("I'm not sure."), Reply("I'm not sure."))
    upstream.script("fake-big", Reply("Paris."))
    gateway = serve(gateway_config(upstream))
    from .conftest import BOB_KEY

    free = client(gateway, BOB_KEY).chat.completions.create(model="cascadeflow", messages=QUESTION)
    report = (free.model_extra or {})["cascadeflow"]
    assert report["tier"] == "free" and report["model_used"] == "fake-small"
    assert report["validation_passed"] is False  # its only model failed validation: flagged
    hinted = client(gateway, ADMIN_KEY).chat.completions.create(
        model="cascadeflow", messages=QUESTION, user="alice",
        extra_headers={"X-Cascadeflow-User-Tier": "free"},
    )
    assert (hinted.model_extra or {})["cascadeflow"]["tier"] == "free"
    assert (hinted.model_extra or {})["cascadeflow"]["user"] == "alice"
    assert hinted.model == "fake-small"


def test_health_needs_no_key(serve: Callable[..., ThreadServer]) -> None:
    gateway = serve(gateway_config(None))
    health = httpx.get(f"{gateway.url}/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_a_tier_cost_cap_routes_within_the_models_and_blocks_when_nothing_fits(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    import openai
    import pytest

    upstream.script("fake-small", Reply("I'm not sure."))
    tiers = {"capped": {"max_cost_per_query": 1e-3}, "broke": {"max_cost_per_query": 1e-6}}
    gateway = serve(gateway_config(upstream, tiers=tiers, users={"alice": {"tier": "capped"}}))
    answer = client(gateway).chat.completions.create(model="cascadeflow", messages=QUESTION,
                                                     max_tokens=100)
    report = (answer.model_extra or {})["cascadeflow"]
    # fake-big could cost up to ~$0.0025 here, over the cap: the draft is final, flagged
    assert [s["model"] for s in report["steps"]] == ["fake-small"] and report["tier"] == "capped"
    assert report["validation_passed"] is False
    with pytest.raises(openai.RateLimitError, match="no model of tier 'broke' fits") as blocked:
        client(gateway, ADMIN_KEY).chat.completions.create(
            model="cascadeflow", messages=QUESTION, max_tokens=100,
            extra_headers={"X-Cascadeflow-User-Tier": "broke"})
    assert blocked.value.code == "budget_exceeded"
