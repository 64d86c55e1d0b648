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
