"""Fakes for testing code that uses cascadeflow, without a network or real time.

    from cascadeflow import CascadeAgent, ModelConfig
    from cascadeflow.testing import FakeProvider

    fake = FakeProvider({"small": ["I'm not sure."], "big": ["Paris."]})
    agent = CascadeAgent(models=[...], provider=fake)
"""

from collections.abc import Iterator
from contextlib import contextmanager

from cascadeflow.adapters.chance import HashChance
from cascadeflow.adapters.configured_pricing import ConfiguredPricing
from cascadeflow.adapters.memory_calibration import InMemoryCalibrationStore
from cascadeflow.adapters.fakes import FakeClock, FakeProvider, FakeReply, SequentialIds
from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.adapters.postgres_scratch import scratch_schema
from cascadeflow.adapters.replay_provider import ReplayProvider
from cascadeflow.application.ports import CompletionProvider, PricingCatalog, UsageStore
from cascadeflow.bootstrap import reset_overrides, set_overrides

__all__ = [
    "override",
    "ConfiguredPricing",
    "FakeClock",
    "FakeProvider",
    "FakeReply",
    "HashChance",
    "InMemoryCalibrationStore",
    "InMemoryUsageStore",
    "ReplayProvider",
    "SequentialIds",
    "scratch_schema",
]


@contextmanager
def override(*, provider: CompletionProvider | None = None,
             pricing: PricingCatalog | None = None,
             store: UsageStore | str | None = None) -> Iterator[None]:
    """Every agent and ``CostTracker`` built inside the block uses these instead of the
    production adapters, unless given its own: run code that builds its agents itself
    (a preset's ``to_agent_config()``, a pasted example) against fakes without editing
    it. ``store`` is a UsageStore, or ``"memory"`` for a fresh in-process one.

        with override(provider=FakeProvider(default="Paris."), store="memory"):
            agent = CascadeAgent(models=[ModelConfig(name="gpt-4o-mini")],
                                 cost_tracker=CostTracker(user_budgets={...}))
            agent.run_sync("Capital of France?")      # no network, no key, no file

    The block holds for the thread or task that entered it (a context variable).
    """
    token = set_overrides(provider=provider, pricing=pricing, store=store)
    try:
        yield
    finally:
        reset_overrides(token)
