"""DomainDetector on queries written for these tests, and its extension points."""

from __future__ import annotations

import pytest

from cascadeflow import ConfigurationError
from cascadeflow.routing import DomainDetector, DomainRule, Pattern, WordForm

from .routing_queries import LABELLED

DETECTOR = DomainDetector()


@pytest.mark.parametrize("domain", sorted(LABELLED))
def test_each_domain_is_recognised_in_queries_it_has_not_seen(domain: str) -> None:
    queries = LABELLED[domain]
    wrong = {q: DETECTOR.detect(q)[0] for q in queries if DETECTOR.detect(q)[0] != domain}
    assert len(wrong) <= len(queries) // 8, wrong


@pytest.mark.parametrize("query", ["", "hello", "ok thanks!", "asdf qwerty zxcv", "???"])
def test_queries_without_evidence_fall_back_to_general(query: str) -> None:
    domain, confidence = DETECTOR.detect(query)
    assert domain == "general" and 0 < confidence < 1


def test_a_single_weak_hint_is_not_enough() -> None:
    # one incidental word ('settlement', 'hospital') does not reach the threshold
    assert DETECTOR.detect("How did the Rhine shape settlement in Europe?")[0] == "general"
    assert DETECTOR.detect("Our team runs a charity 10K for the children's hospital.")[0] == "general"


def test_writing_tasks_stay_general_despite_a_technical_word() -> None:
    assert DETECTOR.detect("Write a short poem about a lonely python in the zoo.")[0] == "general"


def test_confidence_grows_with_evidence() -> None:
    _, thin = DETECTOR.detect("Is this contract valid?")
    _, strong = DETECTOR.detect(
        "My landlord kept my security deposit and says the lease lets him. Can I sue in small claims court?"
    )
    assert 0 < thin < strong <= 1


def test_explain_lists_the_evidence_and_every_score() -> None:
    found = DETECTOR.explain("What are the side effects of metformin?")
    assert found.domain == "medical"
    assert set(found.scores) >= {"code", "math", "medical", "legal", "general"}
    assert any("side effects" in e for e in found.evidence)
    assert any("metformin" in e for e in found.evidence)  # a drug stem, not a listed name


def test_users_add_a_domain_with_keywords() -> None:
    detector = DomainDetector()
    detector.add_keywords("finance", {"stock": 3, "dividend": 4, "portfolio": 3, "etf": 4})
    assert detector.detect("Should I rebalance my ETF portfolio before the dividend date?")[0] == "finance"
    assert "finance" in detector.domains
    assert detector.detect("Write a function to reverse a list in Python")[0] == "code"


def test_users_strengthen_a_builtin_domain_and_add_patterns() -> None:
    detector = DomainDetector()
    query = "What does the DSA Art. 16 say about takedown requests?"
    assert detector.detect(query)[0] == "general"
    detector.add_patterns("legal", {r"\bArt\.\s?\d+": 3})
    detector.add_keywords("legal", ["takedown"])
    assert detector.detect(query)[0] == "legal"


def test_rules_can_replace_the_builtin_ones() -> None:
    detector = DomainDetector(rules=[DomainRule("cooking", {"recipe": 4, "bake": 3},
                                                patterns=(Pattern(r"\d+\s?°C", 2),))])
    assert detector.domains == ("general", "cooking")
    assert detector.detect("A recipe to bake bread at 220 °C")[0] == "cooking"
    assert detector.detect("Write a Python function")[0] == "general"


def test_thresholds_are_tunable() -> None:
    strict = DomainDetector(min_score=20)
    assert strict.detect("What are the side effects of metformin?")[0] == "general"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: DomainRule("", {"x": 1}),
        lambda: DomainRule("x", {"one two three four": 1}),
        lambda: DomainRule("x", {"word": float("nan")}),
        lambda: Pattern("(unclosed", 1),
        lambda: DomainDetector(min_score=0),
    ],
)
def test_bad_rules_are_rejected_clearly(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        bad()  # type: ignore[operator]


def test_only_strings_are_detected() -> None:
    with pytest.raises(ConfigurationError, match="string"):
        DETECTOR.detect(42)  # type: ignore[arg-type]


def test_word_forms_hold_while_the_memo_of_words_fills_and_empties() -> None:
    from cascadeflow.domain.detection import compiled_rules

    detector = DomainDetector(rules=[DomainRule("med", word_forms=(WordForm(4, suffixes=("itis",)),))],
                              min_score=3.5, min_margin=0)
    query = "Is my tendinitis getting worse?"
    assert detector.detect(query)[0] == "med"
    index = detector._index
    limit = compiled_rules._FORM_CACHE_LIMIT
    for batch in range(limit // 100 + 20):  # past the memo's limit: it is emptied, never grows without end
        detector.detect(" ".join(f"w{batch}x{i}" for i in range(200)))
        assert len(index.form_cache) + len(index.formless) <= limit
    assert len(index.formless) < limit // 2  # it was emptied at least once
    assert detector.detect(query)[0] == "med"
    assert detector.detect("Is my tendon getting worse?")[0] == "general"


def test_a_word_seen_without_a_form_gains_one_when_a_rule_adds_it() -> None:
    detector = DomainDetector(rules=[DomainRule("med", {"pain": 1})])
    assert detector.detect("Is my tendinitis getting worse?")[0] == "general"
    detector.add_rule(DomainRule("med", word_forms=(WordForm(4, suffixes=("itis",)),)))
    assert detector.detect("Is my tendinitis getting worse?")[0] == "med"


def test_a_word_exactly_as_long_as_a_form_asks_has_it() -> None:
    detector = DomainDetector(rules=[DomainRule("med", word_forms=(WordForm(4, suffixes=("itis",), min_length=6),))],
                              min_score=3.5, min_margin=0)
    assert detector.detect("Is it otitis?")[0] == "med"  # six letters
    assert detector.detect("Is it ititis?")[0] == "med"
    assert detector.detect("Is it titis?")[0] == "general"  # five: too short for the form
