"""What `cascadeflow serve` does to its own process before the first request, and what
an application embedding the gateway is spared."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cascadeflow.bootstrap import GEN0_THRESHOLD
from cascadeflow.entrypoints.rest.app import create_app, served_app
from cascadeflow.entrypoints.rest.config import parse_config
from cascadeflow.entrypoints.rest import GatewaySetup

from .conftest import SMALL


@pytest.fixture
def unfrozen() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite collects as usual
    gc.set_threshold(*thresholds)


def _setup(tmp_path: Path, **adapters: object) -> GatewaySetup:
    raw = {"database_url": f"sqlite:///{tmp_path / 'gateway.db'}", "models": [SMALL],
           "keys": [{"user": "admin", "role": "admin", "key": "cf-admin"}]}
    return GatewaySetup(parse_config(raw, {}), **adapters)  # type: ignore[arg-type]


def test_a_served_process_keeps_what_it_loaded_out_of_garbage_collection(
        tmp_path: Path, unfrozen: None) -> None:
    served_app(_setup(tmp_path))
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GEN0_THRESHOLD
    assert "litellm" in sys.modules  # loaded before the first request, then frozen with the rest


def test_an_embedding_application_keeps_its_own_garbage_collection(
        tmp_path: Path, unfrozen: None) -> None:
    before = gc.get_threshold()
    create_app(_setup(tmp_path))
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_a_served_replay_does_not_load_litellm_for_nothing(tmp_path: Path) -> None:
    # a provider given (a replayed trace, a fake) calls no real model: LiteLLM stays unloaded
    code = (
        "import gc, sys\n"
        "from cascadeflow.entrypoints.rest.app import served_app\n"
        "from cascadeflow.entrypoints.rest.config import parse_config\n"
        "from cascadeflow.entrypoints.rest import GatewaySetup\n"
        "from cascadeflow.testing import FakeProvider\n"
        f"raw = {{'database_url': 'sqlite:///{tmp_path / 'gateway.db'}', 'models': [{SMALL!r}],\n"
        "       'keys': [{'user': 'admin', 'role': 'admin', 'key': 'cf-admin'}]}\n"
        "served_app(GatewaySetup(parse_config(raw, {}), provider=FakeProvider({'fake-small': ['Four.']})))\n"
        "print(gc.get_freeze_count() > 0, 'litellm' in sys.modules)\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["True", "False"]
