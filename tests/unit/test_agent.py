"""CascadeAgent, the Python API, with the fakes users get from cascadeflow.testing."""

from __future__ import annotations

import pytest

from cascadeflow import CascadeAgent, ConfigurationError, Message, ModelConfig
from cascadeflow.testing import ConfiguredPricing, FakeProvider

from .conftest import CHEAP, DEAR


def agent(fake: FakeProvider) -> CascadeAgent:
    # the rules alone decide ("fast"): these tests are about arguments, not the default policy
    return CascadeAgent(models=[CHEAP, DEAR], provider=fake, pricing=ConfiguredPricing(),
                        quality_validation_mode="fast")


async def test_run_accepts_a_question_string() -> None:
    fake = FakeProvider({"small": ["Paris."]})
    result = await agent(fake).run("Capital of France?", max_tokens=50, temperature=0.0, user_id="u1")
    assert result.content == "Paris." and result.user_id == "u1"
    sent = fake.requests[0]
    assert sent.messages == (Message("user", "Capital of France?"),)
    assert sent.max_tokens == 50 and sent.temperature == 0.0


async def test_run_accepts_chat_messages_as_dicts_or_objects() -> None:
    fake = FakeProvider({"small": ["Paris."]})
    await agent(fake).run([{"role": "system", "content": "Be brief."}, Message("user", "Capital?")])
    assert [m.role for m in fake.requests[0].messages] == ["system", "user"]


def test_run_sync_for_scripts() -> None:
    fake = FakeProvider({"small": ["I'm not sure."], "large": ["Paris."]})
    result = agent(fake).run_sync("Capital of France?")
    assert result.model_used == "large" and result.cascaded


def test_max_tokens_defaults_to_the_models_own_limit() -> None:
    fake = FakeProvider({"small": ["Paris."]})
    limited = ModelConfig(name="small", provider="groq", cost=0.0001, max_tokens=256)
    CascadeAgent(models=[limited, DEAR], provider=fake, pricing=ConfiguredPricing(),
                 quality_validation_mode="fast").run_sync("Hi?")
    assert fake.requests[0].max_tokens == 256


@pytest.mark.parametrize("query", ["", "   ", [], [{"role": "user"}], [{"role": "robot", "content": "x"}]])
def test_bad_queries_are_rejected_clearly(query: object) -> None:
    with pytest.raises(ConfigurationError):
        agent(FakeProvider(default="x")).run_sync(query)  # type: ignore[arg-type]


def test_bad_models_are_rejected_clearly() -> None:
    with pytest.raises(ConfigurationError, match="at least one"):
        CascadeAgent(models=[])
    with pytest.raises(ConfigurationError, match="ModelConfig"):
        CascadeAgent(models=["gpt-4o"])  # type: ignore[list-item]


async def test_run_sync_works_inside_a_running_event_loop() -> None:
    fake = FakeProvider({"small": ["Paris."]})
    result = agent(fake).run_sync("Capital of France?")  # as in a notebook cell
    assert result.content == "Paris."


async def test_by_default_drafts_are_checked_until_the_evidence_supports_them() -> None:
    from cascadeflow.domain.online_policy import OnlineSettings

    fake = FakeProvider({"small": ["Paris."], "large": ["Paris"]})
    agent = CascadeAgent(models=[CHEAP, DEAR], provider=fake, pricing=ConfiguredPricing(),
                         calibration=OnlineSettings(min_labels=10))
    assert agent.quality_config.name == "online" and agent.online is not None
    first = await agent.run("Capital of France?")
    assert first.model_used == "large" and not first.draft_accepted  # no evidence yet
    results = [await agent.run(f"Capital of France? ({i})") for i in range(150)]
    assert sum(r.draft_accepted for r in results[-50:]) > 35


def test_a_fixed_mode_turns_online_calibration_off() -> None:
    fake = FakeProvider({"small": ["Paris."]})
    agent = CascadeAgent(models=[CHEAP, DEAR], provider=fake, pricing=ConfiguredPricing(),
                         quality_validation_mode="fast")
    assert agent.online is None
    assert agent.run_sync("Capital of France?").model_used == "small"


def test_override_gives_agents_built_inside_a_fake_and_ends_with_its_block() -> None:
    import threading

    from cascadeflow.testing import FakeProvider, override

    models = [ModelConfig(name="gpt-4o-mini", cost=0.00015)]
    fake = FakeProvider(default="Paris.")
    with override(provider=fake):
        inside = CascadeAgent(models)
        seen_elsewhere: list[object] = []
        other = threading.Thread(target=lambda: seen_elsewhere.append(
            CascadeAgent(models)._container.adapters._provider))
        other.start()
        other.join()
    assert inside.run_sync("Capital of France?").content == "Paris."
    assert seen_elsewhere and seen_elsewhere[0] is not fake  # another thread's agents are not overridden
    assert CascadeAgent(models)._container.adapters._provider is not fake  # nor any after the block
