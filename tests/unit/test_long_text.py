"""Long answers and queries are read through a bounded window: cues at the start or the
end still count, lengths still count every character."""

from __future__ import annotations

import math

from cascadeflow.domain.complexity import ComplexityAnalyzer
from cascadeflow.domain.draft_features import draft_features
from cascadeflow.domain.long_text import HEAD, TAIL, window
from cascadeflow.domain.quality import QualityConfig, QualityValidator, ValidationContext

FILLER = "The printing press spread across Europe within decades. " * 2_000  # ~112k chars
ASK = ValidationContext(query="Tell me about the printing press.")


def test_a_short_text_is_read_whole_and_a_long_one_at_both_ends() -> None:
    assert window("short") == "short"
    long = "a" * HEAD + "b" * 50_000 + "c" * TAIL
    assert window(long) == "a" * HEAD + "\n" + "c" * TAIL


def test_a_refusal_at_the_start_or_a_hedge_at_the_end_of_a_long_answer_is_caught() -> None:
    checks = QualityValidator(QualityConfig())
    refused = checks.validate("I'm sorry, but I cannot help with that. " + FILLER, ASK)
    hedged = checks.validate(FILLER + " Honestly, I'm not sure about any of this.", ASK)
    assert not refused.passed and "refusal" in refused.reason
    assert not hedged.passed and "hedging" in hedged.reason
    assert checks.validate(FILLER, ASK).passed


def test_lengths_and_word_counts_measure_the_whole_text() -> None:
    features = draft_features("Q?", FILLER)
    assert features["log_length"] == math.log1p(len(FILLER))
    assert ComplexityAnalyzer().analyze(FILLER)["words"] > 10_000  # scaled from the window


def test_the_cheap_word_checks_never_hide_a_match_of_the_patterns() -> None:
    from cascadeflow.domain import draft_features as df

    samples = ["WAIT, that is wrong", "Actually no", "OOPS", "My Mistake", "I made a mistake",
               "Let me recalculate", "re-evaluating", "Let me try again", "Correction:",
               "I apologise", "I APOLOGIZE", "That's not right", "that is incorrect",
               "APPROXIMATELY 3", "roughly", "Rounded up", "rounding", "to the nearest", "Estimate"]
    for text in samples:
        lowered = text.lower()
        if df._SELF_CORRECTION.search(text):
            assert df._mentions(lowered, df._SELF_CORRECTION_WORDS), text
        if df._APPROXIMATION.search(text):
            assert df._mentions(lowered, df._APPROXIMATION_WORDS), text
    assert sum(bool(df._SELF_CORRECTION.search(t) or df._APPROXIMATION.search(t)) for t in samples) == len(samples)
