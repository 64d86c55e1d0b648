"""Importing cascadeflow makes a later ``import litellm`` offline too (the plan's
integration example imports LiteLLM itself): no price-map fetch from the network."""

from __future__ import annotations

import os
import subprocess
import sys


def test_litellm_imported_after_cascadeflow_never_fetches_its_price_map() -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network refused by the test')\n"
        "socket.getaddrinfo = refuse\n"
        "socket.socket.connect = refuse\n"
        "import cascadeflow\n"
        "import logging, io\n"
        "log = io.StringIO()\n"
        "logging.getLogger('LiteLLM').addHandler(logging.StreamHandler(log))\n"
        "import litellm\n"
        "assert 'fetch' not in log.getvalue().lower(), log.getvalue()\n"
        "print('offline ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "offline ok" in ran.stdout
    assert "fetch" not in ran.stderr.lower(), ran.stderr[-2000:]
