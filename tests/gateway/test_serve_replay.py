"""`cascadeflow serve --replay gsm8k`: the whole gateway without any provider key."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from cascadeflow.bootstrap import load_trace

from .conftest import ServeProcess


def test_serve_replays_a_bundled_trace_to_the_openai_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEEPSEEK_API_KEY", "GROQ_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    server = ServeProcess("--replay", "gsm8k", cwd=tmp_path,
                          env={"CASCADEFLOW_GATEWAY_KEY": "cf-replay-admin"})
    try:
        server.wait_ready()
        gateway = openai.OpenAI(base_url=f"{server.url}/v1", api_key="cf-replay-admin", max_retries=0)
        record = load_trace("gsm8k")[0]
        messages = [{"role": m.role, "content": m.content} for m in record.messages]
        answer = gateway.chat.completions.create(model="cascadeflow", messages=messages)  # type: ignore[arg-type]
        report = (answer.model_extra or {})["cascadeflow"]
        assert answer.choices[0].message.content == record.responses[report["model_used"]].text
        assert report["user"] == "admin" and report["cost"] > 0
        with pytest.raises(openai.NotFoundError, match="no record of this query"):
            gateway.chat.completions.create(model="cascadeflow",
                                            messages=[{"role": "user", "content": "Not in the trace?"}])
    finally:
        server.stop()
    assert (tmp_path / "cascadeflow.db").exists()  # the embedded default: SQLite in the cwd
