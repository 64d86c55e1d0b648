from __future__ import annotations

from collections.abc import Iterator

import pytest

from .openai_server import OpenAIServer


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1; fails the test if a model was
    called that nothing was scripted for."""
    server = OpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.unscripted, f"requests with nothing scripted: {server.unscripted}"
