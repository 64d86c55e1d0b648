"""A pytest fixture for code that uses cascadeflow, registered when cascadeflow is
installed (the ``pytest11`` entry point):

    def test_my_app(cascadeflow_fake):
        cascadeflow_fake.script("gpt-4o-mini", "Paris.")
        assert my_app.answer("Capital of France?") == "Paris."   # builds its own agent

Inside the test every agent built without a provider of its own answers from the
``FakeProvider`` (scripted per model; "A fake answer." by default) and every
``CostTracker`` without a store keeps its spend in memory: no network, no key, no file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cascadeflow.testing import FakeProvider, override

DEFAULT_ANSWER = "A fake answer."


@pytest.fixture
def cascadeflow_fake() -> Iterator[FakeProvider]:
    fake = FakeProvider(default=DEFAULT_ANSWER)
    with override(provider=fake, store="memory"):
        yield fake
