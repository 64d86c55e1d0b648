"""Fixtures every test directory may use."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cascadeflow.testing import scratch_schema

POSTGRES_ENV = "CASCADEFLOW_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema, dropped afterwards, so that
    repeated runs on one database never see each other's rows."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV}=postgresql+psycopg://user@host:5432/db")
    with scratch_schema(base, "cascadeflow_test") as url:
        yield url
