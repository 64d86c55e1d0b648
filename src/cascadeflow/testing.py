"""Fakes for testing code that uses cascadeflow, without a network or real time.

    from cascadeflow import CascadeAgent, ModelConfig
    from cascadeflow.testing import FakeProvider

    fake = FakeProvider({"small": ["I'm not sure."], "big": ["Paris."]})
    agent = CascadeAgent(models=[...], provider=fake)
"""

from cascadeflow.adapters.chance import HashChance
from cascadeflow.adapters.configured_pricing import ConfiguredPricing
from cascadeflow.adapters.memory_calibration import InMemoryCalibrationStore
from cascadeflow.adapters.fakes import FakeClock, FakeProvider, FakeReply, SequentialIds
from cascadeflow.adapters.memory_store import InMemoryUsageStore
from cascadeflow.adapters.postgres_scratch import scratch_schema
from cascadeflow.adapters.replay_provider import ReplayProvider

__all__ = [
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
