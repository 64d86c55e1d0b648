"""The seed plan's examples run as written, so they use the defaults a user gets:
keep those defaults away from the working directory and the network."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CostTracker() stores spend in ./cascadeflow.db unless told otherwise
    monkeypatch.setenv("CASCADEFLOW_DATABASE_URL", f"sqlite:///{tmp_path}/cascadeflow.db")
    # an OTLP endpoint in the environment would make every agent export telemetry
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
