"""The fake OpenAI upstream in a process of its own, for benchmarks whose client must not
share its interpreter (and its GIL) with the server: `with upstream_process() as url:`.

Run as a script it serves one fixed reply until its standard input closes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPLY = "The answer is 42."
# for time to first token: an answer of 20 words streamed 10 ms apart, and a hedge that
# the cascade's rules reject (so it escalates to the streaming model)
SLOW = ("fake-slow", " ".join(["word"] * 20), 0.01)
UNSURE = ("fake-unsure", "I'm not sure.")


@contextmanager
def upstream_process(model: str = "fake-small") -> Iterator[str]:
    """The base URL of a fake upstream answering ``model`` with REPLY, in a child process."""
    child = subprocess.Popen([sys.executable, __file__, model], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url:
            raise RuntimeError("the fake upstream did not start")
        yield url
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def _serve(model: str) -> None:
    sys.path.insert(0, str(ROOT))  # the fake upstream lives with the tests
    from tests.integration.openai_server import OpenAIServer, Reply

    server = OpenAIServer()
    server.start()
    server.script(model, *[Reply(REPLY)] * 400_000)
    server.script(SLOW[0], *[Reply(SLOW[1], chunk_delay=SLOW[2])] * 20_000)
    server.script(UNSURE[0], *[Reply(UNSURE[1])] * 20_000)
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the parent closes it, or exits
    server.stop()


if __name__ == "__main__":
    _serve(sys.argv[1])
