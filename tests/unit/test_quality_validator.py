from __future__ import annotations

import math

import pytest

from cascadeflow import ConfigurationError, QualityConfig, QualityValidator
from cascadeflow.domain.quality import ValidationContext

validator = QualityValidator()


def test_plain_answer_passes_with_full_score() -> None:
    result = validator("The capital of France is Paris.", ValidationContext(query="Capital?"))
    assert result.passed and result.score == 1.0


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_answer_fails(text: str) -> None:
    result = validator(text)
    assert not result.passed and result.reason == "empty answer"


def test_too_short_is_configurable() -> None:
    strict = QualityValidator(QualityConfig(min_words=5))
    assert not strict("Paris.").passed
    assert "too short" in strict("Paris.").reason
    assert validator("Paris.").passed


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but I can't help with that request.",
        "As an AI language model, I do not have opinions.",
        "I cannot assist with that.",
    ],
)
def test_refusals_fail(text: str) -> None:
    result = validator(text)
    assert not result.passed and result.reason.startswith("refusal")


@pytest.mark.parametrize("text", ["I'm not sure, but maybe 42.", "Honestly I don't know the answer."])
def test_hedging_fails(text: str) -> None:
    result = validator(text)
    assert not result.passed and result.reason.startswith("hedging")


def test_hedging_check_can_be_switched_off() -> None:
    lenient = QualityValidator(QualityConfig(reject_hedging=False))
    assert lenient("I'm not sure, but maybe 42.").passed


def test_answer_cut_off_at_max_tokens_fails() -> None:
    result = validator("The first three steps are", ValidationContext(finish_reason="length"))
    assert not result.passed and "max_tokens" in result.reason


def test_logprobs_give_the_score_and_low_confidence_fails() -> None:
    confident = validator("Paris.", ValidationContext(logprobs=(-0.01, -0.05)))
    assert confident.passed
    assert confident.score == pytest.approx(math.exp(-0.03))
    unsure = validator("Lyon.", ValidationContext(logprobs=(-2.0, -3.0)))
    assert not unsure.passed and "low confidence" in unsure.reason


def test_threshold_applies_to_score() -> None:
    picky = QualityValidator(QualityConfig().with_threshold(0.99))
    result = picky("Paris.", ValidationContext(logprobs=(-0.05,)))
    assert not result.passed and "below" in result.reason


@pytest.mark.parametrize(
    "kwargs", [{"min_score": 1.5}, {"min_confidence": -0.1}, {"min_words": -1},
               {"refusal_patterns": ("(unclosed",)}]
)
def test_bad_config_is_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        QualityConfig(**kwargs)  # type: ignore[arg-type]
