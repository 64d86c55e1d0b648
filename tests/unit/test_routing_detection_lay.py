"""Lay legal and medical questions (people describing their own situation in everyday
words) and the everyday requests that share their vocabulary. The set in
tests/data/lay_queries.jsonl was written for this project, not taken from a dataset;
benchmarks/detector_holdout.py reports it split into a tuning and a held-out half.

How the distractors are labelled: a writing task addressed to a landlord, boss or
doctor's office ('write an email to my landlord asking to fix the sink', 'a get well
card for my aunt after surgery') is general, since what is wanted is prose, not advice
on rights or health; it becomes legal or medical only when it asks what the law or the
body does. Arithmetic about rent or doses is math, and an app for tenants or patients
is code."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cascadeflow.domain.detection import Combination, combination
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.routing import DomainDetector, DomainRule

DETECTOR = DomainDetector()
LAY = [json.loads(line) for line in
       (Path(__file__).parents[1] / "data" / "lay_queries.jsonl").read_text().splitlines() if line]


def test_the_lay_set_is_large_enough_and_labelled():
    kinds = Counter(row["kind"] for row in LAY)
    assert kinds["lay legal"] >= 150 and kinds["lay medical"] >= 150 and kinds["distractor"] >= 150
    assert {row["domain"] for row in LAY} == {"code", "math", "medical", "legal", "general"}


@pytest.mark.parametrize("label, floor", [("legal", 0.9), ("medical", 0.85)])
def test_lay_questions_reach_their_domain(label, floor):
    rows = [r for r in LAY if r["domain"] == label]
    right = sum(DETECTOR.detect(r["query"])[0] == label for r in rows)
    assert right / len(rows) >= floor


def test_everyday_requests_with_legal_and_medical_words_stay_out_of_those_domains():
    rows = [r for r in LAY if r["kind"] == "distractor"]
    wrong = [r["query"] for r in rows if DETECTOR.detect(r["query"])[0] in ("legal", "medical")]
    assert len(wrong) / len(rows) <= 0.12, wrong


@pytest.mark.parametrize("query, expected", [
    ("My roommate moved out in March and kept the TV we bought together. Can I make him pay me back?", "legal"),
    ("The painter we hired took a $2,000 deposit and never showed up. What can we do?", "legal"),
    ("My stepdad says he gets the whole house because mom's will was never signed. Is that true?", "legal"),
    ("my wrist clicks and aches when I type, should I worry", "medical"),
    ("my 5 year old has had a cough for two weeks, is that normal", "medical"),
    ("My aunt takes four different pills for her heart. Can she take them all at once?", "medical"),
    ("Write a text to my neighbour inviting her to our barbecue on Sunday.", "general"),
    ("What's a nice thank-you gift for my landlord who let us keep a puppy?", "general"),
    ("My boss loves hiking. Suggest a trail near Denver for a team outing.", "general"),
])
def test_written_lay_examples(query, expected):
    assert DETECTOR.detect(query)[0] == expected, DETECTOR.explain(query).evidence


def test_a_combination_counts_only_when_every_group_is_present():
    detector = DomainDetector(rules=[DomainRule(
        "pets", combinations=(combination(5, "dog|cat", "vet|limping"),))])
    assert detector.scores("my dog is limping")["pets"] == 5
    assert detector.scores("my dog is lovely")["pets"] == 0
    assert detector.scores("the vet is closed")["pets"] == 0


def test_a_combination_can_require_a_word_and_skip_multiple_choice_questions():
    rule = DomainRule("pets", combinations=(
        combination(5, "dog", "limping", requires_words="my", in_multiple_choice=False),))
    detector = DomainDetector(rules=[rule])
    assert detector.scores("my dog is limping")["pets"] == 5
    assert detector.scores("a dog is limping")["pets"] == 0
    assert detector.scores("Why is my dog limping?\nA. age\nB. a thorn")["pets"] == 0
    assert "combination" in " ".join(detector.explain("my dog is limping").evidence)


def test_combinations_are_validated():
    with pytest.raises(ConfigurationError):
        Combination(1.0, (frozenset({"dog"}),))
    with pytest.raises(ConfigurationError):
        combination(1.0, "dog", "vet|a very long phrase here")
    with pytest.raises(ConfigurationError):
        combination(float("nan"), "dog", "vet")
