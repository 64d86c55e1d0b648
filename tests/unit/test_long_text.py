"""Long answers and queries are read through a bounded window: cues at the start or the
end still count, lengths still count every character."""

from __future__ import annotations

import math
import re

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


REFUSALS = ["I'm sorry, but I can't", "I AM AFRAID I cannot", "I am sorry I won't",
            "I'm sorry, I am unable", "I cannot help", "I can't assist", "I won't answer",
            "I cannot provide", "i cannot comply", "I'm not able to help", "I am unable to answer",
            "As an AI model", "as an AI language model", "I do not have access",
            "I do not have the ability"]
HEDGES = ["I'm not sure", "I am not certain", "I don't know", "I DO NOT KNOW", "I'm unsure",
          "I can't be sure", "I cannot be certain", "It's hard to say", "it is difficult to tell",
          "It is impossible to know"]
SELF_CORRECTIONS = ["WAIT, that is wrong", "Actually no", "OOPS", "My Mistake", "I made a mistake",
                    "Let me recalculate", "re-evaluating", "Let me try again", "Correction:",
                    "I apologise", "I APOLOGIZE", "That's not right", "that is incorrect"]
APPROXIMATIONS = ["APPROXIMATELY 3", "roughly", "Rounded up", "rounding", "to the nearest",
                  "Estimate"]


def test_the_cue_words_never_hide_a_match_of_their_patterns() -> None:
    from cascadeflow.domain import draft_features as df
    from cascadeflow.domain import scoring

    checks = QualityConfig()._compiled
    cases = [(checks[0], REFUSALS), (checks[1], HEDGES), (scoring._REFUSAL_OR_HEDGE, REFUSALS + HEDGES),
             (df._SELF_CORRECTION, SELF_CORRECTIONS), (df._APPROXIMATION, APPROXIMATIONS),
             (df._ANSWER_IS, ["The ANSWER is 4", "total is: $5", "The result is **6"])]
    for pattern, samples in cases:
        assert pattern.cues
        for text in samples:
            framed = f"Well. {text} here."
            assert pattern.blind.search(framed), text  # the sample is one of its matches
            assert pattern.search(framed) == pattern.blind.search(framed).group(0), text


def test_a_case_blind_pattern_finds_what_ignorecase_finds_at_the_same_place() -> None:
    import random
    import re

    from cascadeflow.domain.long_text import CaseBlind

    patterns = [r"\bI(?:'m| am) not (?:sure|certain)\b", r"[A-Z]{2}\d", r"\bTotal\s+(\w+)",
                r"(?P<Word>AB)c(?P=Word)", r"\Wx[^a-c]"]
    rng = random.Random(3)
    alphabet = "abcABCxXI'm not sure tTotal 12 é"
    for source in patterns:
        pattern, reference = CaseBlind(source), re.compile(source, re.I)
        assert pattern.lowered is not None, source
        for _ in range(400):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            found = reference.search(text)
            assert pattern.search(text) == (found.group(0) if found else None), (source, text)
            assert [str(x).lower() for x in pattern.findall(text)] == [
                str(x).lower() for x in reference.findall(text)], (source, text)


def test_a_pattern_whose_lowercase_means_something_else_keeps_ignorecase() -> None:
    from cascadeflow.domain.long_text import CaseBlind

    for source in (r"\x41b", r"(?-i:AB)c", r"\N{LATIN CAPITAL LETTER A}", r"caf\u00C9", "né", r"[Z-a]"):
        pattern = CaseBlind(source)
        assert pattern.lowered is None, source
    assert CaseBlind(r"\x41b").search("xAB") == "AB"
    assert CaseBlind(r"(?-i:AB)c").search("abC ABC") == "ABC"


def test_inline_equations_are_found_as_a_scan_of_the_whole_text_finds_them() -> None:
    import random

    from cascadeflow.domain import draft_features as df

    rng = random.Random(11)
    alphabet = "0123456789 +-*/x=$,.()%ab"
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 600)))
        whole = [(m.span(), m.groups()) for m in df._INLINE.finditer(text)]
        assert [(m.span(), m.groups()) for m in df._inline_equations(text)] == whole, text
        assert df._NUMBER_RE.findall(text) == re.findall(df._NUMBER, text), text
