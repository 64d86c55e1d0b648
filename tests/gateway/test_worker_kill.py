"""A gateway process killed with SIGKILL under load loses no committed cost entry, and
the reservations of the requests it was serving lapse within one lease (20 s), where
they used to hold the user's budget for ten minutes."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import yaml

from cascadeflow.adapters.sqlmodel_store import SQLModelUsageStore
from tests.integration.openai_server import OpenAIServer, Reply, Stall

from .conftest import ALICE_KEY, ServeProcess, gateway_config

ANSWERED, STALLED = 12, 8


async def _kill_after_answers(server: ServeProcess) -> int:
    body = {"model": "fake-small", "max_tokens": 16, "messages": [{"role": "user", "content": "Hi?"}]}
    headers = {"Authorization": f"Bearer {ALICE_KEY}"}
    async with httpx.AsyncClient(timeout=60) as http:
        tasks = [asyncio.create_task(http.post(f"{server.url}/v1/chat/completions", json=body,
                                               headers=headers))
                 for _ in range(ANSWERED + STALLED)]
        answered = 0
        for finished in asyncio.as_completed(tasks):
            if (await finished).status_code == 200:
                answered += 1
            if answered == ANSWERED:
                break
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        await asyncio.gather(*tasks, return_exceptions=True)  # the rest die with the process
    return answered


def test_sigkill_keeps_committed_entries_and_reservations_expire(
    tmp_path: Path, upstream: OpenAIServer
) -> None:
    upstream.script("fake-small", *[Reply("Hello there.")] * ANSWERED, *[Stall(30)] * STALLED)
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    config = gateway_config(upstream, database_url=url)
    (tmp_path / "gateway.yaml").write_text(yaml.safe_dump(config))
    server = ServeProcess("--config", str(tmp_path / "gateway.yaml"), cwd=tmp_path).wait_ready()
    try:
        answered = asyncio.run(_kill_after_answers(server))
    finally:
        server.stop()

    store = SQLModelUsageStore(url)
    now = datetime.now(UTC)
    assert answered == ANSWERED and len(store.entries("alice")) == ANSWERED
    assert store.reserved("alice", now) > 0  # the stalled requests still hold theirs…
    # …for one lease at most (20 s): their process no longer renews them
    assert store.reserved("alice", now + timedelta(seconds=20)) == 0
    assert store.verify_totals() == []
