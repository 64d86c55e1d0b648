"""`cascadeflow serve` as its own process, what an operator runs: used by the gateway
tests and benchmarks/gateway_bench.py.

The server binds port 0 and the port is read from uvicorn's startup line, so two runs
on one machine can never race for a port chosen in advance."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

_RUNNING = re.compile(r"Uvicorn running on http://[^:]+:(\d+)")


class ServeProcess:
    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "-m", "cascadeflow.entrypoints.cli.main", "serve", "--port", "0",
                   "--log-level", "info", "--no-access-log", *args]
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self._port: int | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if self._port is None and (found := _RUNNING.search(line)):
                self._port = int(found.group(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def wait_ready(self, seconds: float = 60.0) -> ServeProcess:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                raise RuntimeError("serve exited:\n" + "".join(self.output))
            if self._port is not None:
                try:
                    if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer /health within {seconds} s:\n" + "".join(self.output))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
