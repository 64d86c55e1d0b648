"""``import cascadeflow`` must stay light: no LiteLLM, no web or database stack."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("litellm", "openai", "fastapi", "sqlalchemy", "sqlmodel", "opentelemetry", "httpx")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_cascadeflow_imports_no_heavy_library() -> None:
    loaded = _modules_after("import cascadeflow")
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY)


def test_building_an_agent_does_not_import_litellm_until_a_model_is_called() -> None:
    loaded = _modules_after(
        "from cascadeflow import CascadeAgent, ModelConfig\n"
        "CascadeAgent(models=[ModelConfig(name='gpt-4o-mini'), ModelConfig(name='gpt-4o')])"
    )
    assert "litellm" not in loaded


def _readme_example(title: str) -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    return text[text.index(f"## {title}"):].split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readmes_fake_example_runs_without_litellm_the_web_stack_or_di() -> None:
    loaded = _modules_after(_readme_example("Testing your own code"))
    heavy = {m.split(".")[0] for m in loaded} & {*HEAVY, "dependency_injector", "pydantic",
                                                  "pydantic_settings", "starlette", "rich"}
    assert heavy == set()


def test_a_declared_price_wins_over_the_price_map_without_loading_it() -> None:
    loaded = _modules_after(
        "from cascadeflow.bootstrap import pricing_catalog\n"
        "from cascadeflow import ModelConfig\n"
        "price = pricing_catalog().price(ModelConfig(name='gpt-4o-mini', cost=2.0))\n"
        "assert (price.input, price.output) == (0.002, 0.002), price"
    )
    assert "litellm" not in loaded
