"""Quality presets, the combined draft score and pre-routing, through CascadeAgent with fakes."""

from __future__ import annotations

import pytest

from cascadeflow import CascadeAgent, ConfigurationError, ModelConfig, QualityConfig
from cascadeflow.domain.quality import ValidationContext
from cascadeflow.quality import (
    DEFAULT_DRAFT_MODEL,
    DEFAULT_QUERY_MODEL,
    QUALITY_PRESETS,
    PreRouter,
    QualityValidator,
    quality_preset,
)
from cascadeflow.testing import ConfiguredPricing, FakeProvider, FakeReply

SMALL = ModelConfig(name="small", provider="groq", cost=0.0001)
LARGE = ModelConfig(name="large", provider="openai", cost=0.01)
ORDER = ("fast", "cost-optimized", "balanced", "strict")

# (query, draft, logprobs): from clean and confident to visibly doubtful
DRAFTS = [
    ("What is 12 + 30?", "12 + 30 = 42.\n#### 42", (-0.01, -0.02)),
    ("Capital of France?", "Paris is the capital of France.", None),
    ("Capital of Italy?", "Rome.", (-0.9, -1.2, -0.8)),
    ("Tom has 3 bags of 4 apples. How many apples?", "3 * 4 = 13 apples.\n#### 13", None),
    ("A shirt costs $20 and is 15% off. Price?", "Wait, actually 20 * 0.85 = 17... or about 17.5.", None),
    ("Name a prime number.", "Seven.", (-1.6, -1.9)),
    ("What is 7 * 8?", "It is 56", None),
]


def agent_for(preset: str, fake: FakeProvider) -> CascadeAgent:
    return CascadeAgent([SMALL, LARGE], provider=fake, pricing=ConfiguredPricing(),
                        quality_validation_mode=preset)


def escalations(preset: str) -> int:
    fake = FakeProvider({"large": ["A careful answer from the large model."]})
    agent = agent_for(preset, fake)
    escalated = 0
    for query, draft, logprobs in DRAFTS:
        fake.script("small", FakeReply(draft, logprobs=logprobs))
        result = agent.run_sync(query)
        escalated += result.model_used == "large"
    return escalated


def test_online_then_the_four_fixed_presets_are_quality_configs() -> None:
    assert list(QUALITY_PRESETS) == ["online", *ORDER]
    assert all(isinstance(quality_preset(n), QualityConfig) for n in ORDER)
    assert quality_preset("cost_optimized") is QUALITY_PRESETS["cost-optimized"]
    assert quality_preset("fast") == QualityConfig(name="fast")  # the rule checks alone
    # online: the rules and the prior score, with no threshold (the online plan decides)
    assert quality_preset("online").min_score == 0.0 and quality_preset("online").scorer is not None


def test_unknown_preset_says_which_exist() -> None:
    with pytest.raises(ConfigurationError, match="fast, cost-optimized, balanced, strict"):
        quality_preset("paranoid")


def test_stricter_presets_escalate_more() -> None:
    counts = [escalations(name) for name in ORDER]
    assert counts == sorted(counts), dict(zip(ORDER, counts))
    assert counts[0] < counts[-1]


def test_thresholds_rise_with_query_complexity() -> None:
    balanced = quality_preset("balanced")
    simple = "What is 2 + 2?"
    hard = ("Design and implement a rate limiter, then prove it is fair. Compare token bucket "
            "and leaky bucket. Analyze the trade-offs step by step.\n1. correctness\n2. speed")
    assert balanced.threshold_for(simple) < balanced.threshold_for(hard)
    assert QualityConfig().threshold_for(hard) == 0.0


def test_combined_score_is_in_unit_interval_and_follows_logprobs() -> None:
    validator = QualityValidator(QualityConfig(scorer=DEFAULT_DRAFT_MODEL))
    sure = validator("The answer is 42.", ValidationContext(query="6 * 7?", logprobs=(-0.01,)))
    unsure = validator("The answer is 42.", ValidationContext(query="6 * 7?", logprobs=(-1.1,)))
    plain = validator("The answer is 42.", ValidationContext(query="6 * 7?"))
    assert 0.0 <= unsure.score < plain.score < sure.score <= 1.0


def test_wrong_arithmetic_lowers_the_score() -> None:
    validator = QualityValidator(QualityConfig(scorer=DEFAULT_DRAFT_MODEL))
    query = "Tom has 3 bags of 4 apples. How many apples?"
    right = validator("3 * 4 = <<3*4=12>>12 apples.\n#### 12", ValidationContext(query=query))
    wrong = validator("3 * 4 = <<3*4=13>>13 apples.\n#### 13", ValidationContext(query=query))
    assert wrong.score < right.score


HARD = ("Implement a lock-free queue in C++ and prove it linearizable. Explain why each memory "
        "ordering is needed, compare it with a mutex queue, analyze the trade-offs and design "
        "tests.\n```cpp\nstruct Node;\n```\n1. correctness?\n2. performance?\n3. portability?")


def test_pre_routing_skips_the_draft_of_a_query_too_hard_for_it() -> None:
    fake = FakeProvider({"small": ["draft"], "large": ["A careful answer from the large model."]})
    result = agent_for("balanced", fake).run_sync(HARD)
    assert fake.calls_to("small") == 0 and result.model_used == "large"
    assert not result.cascaded


def test_fast_preset_never_pre_routes() -> None:
    fake = FakeProvider({"small": ["A draft that passes the rules."], "large": ["x"]})
    result = agent_for("fast", fake).run_sync(HARD)
    assert fake.calls_to("small") == 1 and result.model_used == "small"


def test_pre_router_is_configurable() -> None:
    never = QualityConfig(pre_router=PreRouter(DEFAULT_QUERY_MODEL, 0.0))
    fake = FakeProvider({"small": ["A draft that passes the rules."], "large": ["x"]})
    agent = CascadeAgent([SMALL, LARGE], never, fake, pricing=ConfiguredPricing())
    assert agent.run_sync(HARD).model_used == "small"
    with pytest.raises(ConfigurationError):
        PreRouter(DEFAULT_QUERY_MODEL, 1.5)
    with pytest.raises(ConfigurationError):
        PreRouter(DEFAULT_DRAFT_MODEL, 0.3)


def test_quality_config_and_mode_are_exclusive() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        CascadeAgent([SMALL, LARGE], QualityConfig(), FakeProvider(default="x"),
                     quality_validation_mode="strict")


def test_bad_complexity_threshold_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="simple, medium, high"):
        QualityConfig(thresholds_by_complexity={"hard": 0.5})


def test_online_scores_a_draft_by_its_own_confidence_when_it_has_one() -> None:
    from cascadeflow.domain.quality import QualityValidator, ValidationContext
    from cascadeflow.domain.quality_presets import ONLINE_QUALITY, quality_config_from_dict, quality_config_to_dict

    validator = QualityValidator(ONLINE_QUALITY)
    query = "Tom has 3 apples and buys 4 more. How many now?"
    sure = validator.validate("He has 7.", ValidationContext(query=query, confidence=0.93))
    unsure = validator.validate("He has 7.", ValidationContext(query=query, confidence=0.31))
    assert (sure.score, unsure.score) == (0.93, 0.31) and sure.passed and unsure.passed
    # without a confidence, the prior's text signals score it
    plain = validator.validate("He has 7.", ValidationContext(query=query))
    assert 0.0 < plain.score < 1.0 and plain.score not in (0.93, 0.31)
    assert quality_config_from_dict(quality_config_to_dict(ONLINE_QUALITY)) == ONLINE_QUALITY
