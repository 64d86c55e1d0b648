"""cascadeflow.integrations.litellm: the nine providers, their request shapes through
LiteLLM against a server on 127.0.0.1, and prices of their flagship models."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.adapters.litellm_loader import litellm_model_id, load_litellm
from cascadeflow.domain.errors import (
    ConfigurationError,
    UnknownModelPriceError,
    UnsupportedProviderError,
)
from cascadeflow.integrations.litellm import SUPPORTED_PROVIDERS, LiteLLMCostProvider

# A flagship model of each provider, as LiteLLM's price map names it.
FLAGSHIPS = [
    ("openai", "gpt-4o"),
    ("anthropic", "claude-sonnet-4-5"),
    ("groq", "openai/gpt-oss-120b"),
    ("ollama", "llama3"),
    ("fireworks_ai", "accounts/fireworks/models/llama-v3p1-70b-instruct"),
    ("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
    ("deepseek", "deepseek-chat"),
    ("vertex_ai", "gemini-2.5-pro"),
    ("cohere", "command-a-03-2025"),
]


def test_the_nine_providers_with_why_each_one() -> None:
    assert list(SUPPORTED_PROVIDERS) == [p for p, _ in FLAGSHIPS]
    info = LiteLLMCostProvider().get_provider_info("groq")
    assert info == {"value": "Ultra-fast inference (10x faster)",
                    "cost_range": "Free tier, $0.0-0.001/1K tokens",
                    "speed": "Ultra-fast (0.5-1s)", "use_case": "Perfect drafter"}


@pytest.mark.parametrize(("alias", "name"), [("fireworks", "fireworks_ai"),
                                             ("together", "together_ai"),
                                             ("google", "vertex_ai"), ("OpenAI", "openai")])
def test_aliases_are_accepted(alias: str, name: str) -> None:
    assert LiteLLMCostProvider().validate_provider(alias) == name


def test_other_providers_get_the_plans_explanation() -> None:
    with pytest.raises(UnsupportedProviderError) as raised:
        LiteLLMCostProvider().validate_provider("mistral")
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert "Provider 'mistral' not supported" in message
    assert "9 strategic providers (not 100+)" in message and "docs/providers.md" in message


@pytest.mark.parametrize(("provider", "model"), FLAGSHIPS)
def test_flagship_models_are_priced_from_the_litellm_map(provider: str, model: str) -> None:
    entry = load_litellm().model_cost.get(litellm_model_id(model, provider)) or (
        load_litellm().model_cost[model])
    costs = LiteLLMCostProvider()

    cost = costs.calculate_cost(model, provider, input_tokens=1000, output_tokens=500)

    expected = 1000 * entry["input_cost_per_token"] + 500 * entry["output_cost_per_token"]
    assert cost == pytest.approx(expected)
    per_1k = (entry["input_cost_per_token"] + entry["output_cost_per_token"]) * 500
    assert costs.get_model_cost(model, provider) == pytest.approx(per_1k)
    assert (cost == 0) == (provider == "ollama")


def test_an_unknown_model_says_how_to_price_it_unless_a_fallback_is_given() -> None:
    with pytest.raises(UnknownModelPriceError, match="cost="):
        LiteLLMCostProvider().calculate_cost("my-finetune-7b", "together", 10, 10)
    priced = LiteLLMCostProvider(fallback_cost_per_1k={"my-finetune-7b": 2.0})
    assert priced.calculate_cost("my-finetune-7b", "together", 500, 500) == pytest.approx(2.0)


def test_a_fallback_gives_way_to_the_maps_price_but_not_to_a_zero_placeholder() -> None:
    entry = load_litellm().model_cost["gpt-4o-mini"]
    costs = LiteLLMCostProvider(fallback_cost_per_1k={"gpt-4o-mini": 9.0, "omni-moderation-latest": 1.0})
    assert costs.get_model_price("gpt-4o-mini", "openai").input == entry["input_cost_per_token"]
    assert costs.get_model_price("omni-moderation-latest", "openai").input == pytest.approx(1e-3)


def test_token_counts_must_be_whole_and_non_negative() -> None:
    with pytest.raises(ConfigurationError, match="input_tokens"):
        LiteLLMCostProvider().calculate_cost("gpt-4o", "openai", -1, 10)


class ProviderServer:
    """Answers each provider's own wire format on 127.0.0.1 and records each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    (self.path, body, {k.lower(): v for k, v in self.headers.items()}))
                data = json.dumps(_answer(self.path, body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _answer(path: str, body: dict[str, Any]) -> dict[str, Any]:
    if path.endswith("/api/generate"):  # Ollama's native API
        return {"model": body["model"], "created_at": "2026-01-01T00:00:00Z",
                "response": "Paris.", "done": True, "done_reason": "stop",
                "prompt_eval_count": 11, "eval_count": 2}
    if path.endswith("/v1/messages"):  # Anthropic's Messages API
        return {"id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
                "content": [{"type": "text", "text": "Paris."}], "stop_reason": "end_turn",
                "stop_sequence": None, "usage": {"input_tokens": 11, "output_tokens": 2}}
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"], "service_tier": "on_demand",  # Groq's parser needs it
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Paris."}}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13}}


@pytest.fixture
def provider_server() -> Iterator[ProviderServer]:
    server = ProviderServer()
    yield server
    server.stop()


# (provider, model, path under the server the api_base points to, path that must be hit,
#  header carrying the key)
SHAPES = [
    ("openai", "gpt-4o", "/v1", "/v1/chat/completions", "authorization"),
    ("groq", "openai/gpt-oss-120b", "/openai/v1", "/openai/v1/chat/completions", "authorization"),
    ("deepseek", "deepseek-chat", "/v1", "/v1/chat/completions", "authorization"),
    ("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "/v1", "/v1/chat/completions",
     "authorization"),
    ("fireworks_ai", "accounts/fireworks/models/llama-v3p1-70b-instruct", "/inference/v1",
     "/inference/v1/chat/completions", "authorization"),
    ("anthropic", "claude-sonnet-4-5", "", "/v1/messages", "x-api-key"),
    ("ollama", "llama3", "", "/api/generate", None),
]


@pytest.mark.parametrize(("provider", "model", "base_path", "path", "key_header"), SHAPES)
def test_each_provider_is_called_in_its_own_request_shape(
    provider_server: ProviderServer, provider: str, model: str, base_path: str, path: str,
    key_header: str | None,
) -> None:
    config = ModelConfig(name=model, provider=provider, api_base=provider_server.base + base_path,
                         api_key=f"key-{provider}")
    agent = CascadeAgent(models=[config])

    result = agent.run_sync("What is the capital of France?", max_tokens=16, temperature=0.0)

    assert result.content == "Paris."
    assert (result.input_tokens, result.output_tokens) == (11, 2)
    [(sent_path, body, headers)] = provider_server.requests
    assert sent_path == path
    assert body["model"] == model  # the provider prefix is LiteLLM's routing, not sent
    if provider == "ollama":
        assert "What is the capital of France?" in body["prompt"]
        assert body["options"]["num_predict"] == 16
    elif provider == "anthropic":  # content blocks, as the Messages API defines them
        assert body["messages"][-1] == {"role": "user", "content": [
            {"type": "text", "text": "What is the capital of France?"}]}
        assert body["max_tokens"] == 16
    else:
        assert body["messages"][-1] == {"role": "user",
                                        "content": "What is the capital of France?"}
        assert body["max_tokens"] == 16
    if key_header == "authorization":
        assert headers["authorization"] == f"Bearer key-{provider}"
    elif key_header is not None:
        assert headers[key_header] == f"key-{provider}"
    expected = LiteLLMCostProvider().calculate_cost(model, provider, 11, 2)
    assert result.total_cost == pytest.approx(expected)
