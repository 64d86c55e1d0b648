from __future__ import annotations

import pytest

from cascadeflow import ModelConfig

CHEAP = ModelConfig(name="small", provider="groq", cost=0.0001)
MID = ModelConfig(name="medium", provider="together", cost=0.001)
DEAR = ModelConfig(name="large", provider="openai", cost=0.01)


@pytest.fixture
def models() -> tuple[ModelConfig, ModelConfig, ModelConfig]:
    return CHEAP, MID, DEAR
