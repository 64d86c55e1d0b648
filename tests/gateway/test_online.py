"""The gateway's default quality policy: online calibration, learnt from agreement with the
strongest model, kept in the gateway's database."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.integration.openai_server import OpenAIServer, Reply

from .conftest import ADMIN_KEY, ThreadServer, client, gateway_config

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
QUICK = {"mode": "online", "min_labels": 5, "target_quality": 0.9}


def config(upstream: OpenAIServer, **quality: object) -> dict[str, object]:
    raw = gateway_config(upstream)
    raw["quality"] = {**QUICK, **quality}
    return raw


def calibration(server: ThreadServer) -> dict[str, object]:
    response = httpx.get(f"{server.url}/v1/usage/calibration",
                         headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_first_requests_escalate_then_agreeing_drafts_are_accepted_and_the_evidence_survives_a_restart(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    upstream.script("fake-small", *[Reply("Paris.")] * 200)
    upstream.script("fake-big", *[Reply("Paris")] * 200)
    first = serve(config(upstream))
    openai = client(first)
    answers = [openai.chat.completions.create(model="cascadeflow", messages=QUESTION) for _ in range(60)]
    used = [a.model for a in answers]
    assert used[0] == "fake-big"  # no evidence yet: the strongest model answers too
    # drafts that agree end up accepted: each request draws its own shadow (10%) and
    # exploration (10%) checks, so about 32 of the last 40; 24 is 3 standard deviations
    assert used[-40:].count("fake-small") >= 24
    view = calibration(first)
    assert view["mode"] == "online" and view["target_quality"] == 0.9
    (route,) = view["routes"]
    assert route["route"] == "fake-small -> fake-big" and route["disagreements"] == 0
    assert route["labels"] >= 5 and route["accepted_share"] > 0.5
    assert route["quality_bound"] >= 0.9 - 1e-9

    # a second gateway on the same database (a replica, or a restart) starts from that evidence
    second = serve(config(upstream))
    answer = client(second).chat.completions.create(model="cascadeflow", messages=QUESTION)
    assert calibration(second)["routes"][0]["labels"] >= route["labels"]
    assert answer.model in ("fake-small", "fake-big")
    later = [client(second).chat.completions.create(model="cascadeflow", messages=QUESTION).model
             for _ in range(10)]
    assert later.count("fake-small") >= 6


def test_a_fixed_mode_has_no_calibration_and_the_route_is_for_admins(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    gateway = serve(gateway_config(upstream))  # "fast": fixed rules
    assert calibration(gateway) == {"mode": "fast", "target_quality": None, "routes": []}
    response = httpx.get(f"{gateway.url}/v1/usage/calibration",
                         headers={"Authorization": f"Bearer {client(gateway).api_key}"}, timeout=10)
    assert response.status_code == 403


def test_a_chain_gives_its_allowance_to_the_draft_that_agrees(
    upstream: OpenAIServer, serve: Callable[..., ThreadServer]
) -> None:
    # three models: the cheapest always disagrees with the strongest, the middle one agrees
    mid = {"name": "fake-mid", "provider": "openai", "api_key": "sk-upstream", "api_base": upstream.base_url,
           "input_cost_per_token": 3e-6, "output_cost_per_token": 6e-6}
    raw = config(upstream)
    raw["models"] = [raw["models"][0], mid, raw["models"][1]]  # type: ignore[index]
    upstream.script("fake-small", *[Reply("Berlin.")] * 200)
    upstream.script("fake-mid", *[Reply("Paris.")] * 200)
    upstream.script("fake-big", *[Reply("Paris")] * 200)
    gateway = serve(raw)
    openai = client(gateway)
    # a hard question: the tier's routing keeps all three models (a simple one gets two)
    hard = [{"role": "user", "content": "Design a distributed payments architecture with event sourcing and "
                                        "explain, step by step, the trade-offs of each consistency model."}]
    used = [openai.chat.completions.create(model="cascadeflow", messages=hard).model for _ in range(80)]
    # every draft of the cheapest disagrees: it may answer only within its share of the
    # 10% allowance; the agreeing middle model answers most of the rest
    assert used.count("fake-small") <= 0.1 * len(used)
    assert used[-40:].count("fake-mid") >= 24, used
    routes = {r["route"]: r for r in calibration(gateway)["routes"]}
    mid_route = routes["fake-mid -> fake-big [3-model chain]"]
    share = next(n for n in mid_route["notes"] if "chain's quality allowance" in n)
    assert int(share.split("%")[0]) >= 50  # the agreeing draft holds most of the allowance
    assert mid_route["quality_bound"] >= 1.0 - 0.1 * int(share.split("%")[0]) / 100 - 1e-9
