"""Citation, medical safety, legal compliance, quality and confidence validators, and
the validator forms users write (the seed's ``(bool, str)`` tuples included)."""

from __future__ import annotations

import pytest

from cascadeflow.domain.validators import AdaptedValidator, as_result
from cascadeflow.domain.validators.legal import legal_compliance_checker
from cascadeflow.routing import (
    ValidationContext,
    ValidationResult,
    citation_validator,
    confidence_validator,
    medical_safety_checker,
    quality_validator,
)


@pytest.mark.parametrize(
    "answer",
    [
        "The landmark case is Roe v. Wade, 410 U.S. 113 (1973).",
        "See the trial report, doi:10.1056/NEJMoa2034577.",
        "Metformin remains first-line therapy (PMID: 29222373).",
        "Guidance: https://www.cdc.gov/diabetes/basics/symptoms.html",
        "A claim may be brought under 42 U.S.C. § 1983.",
        "See Smith v. Jones, 558 F.3d 1198 (9th Cir. 2009).",
    ],
)
def test_well_formed_citations_pass(answer: str) -> None:
    verdict = citation_validator(answer, ValidationContext())
    assert verdict.passed and verdict.score == 1.0


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("Studies show it works (doi: 10.12/abc).", "DOI"),
        ("Source: PMID: none", "PMID"),
        ("More at http://nowhere", "URL"),
        ("As held in 410 U.S. at the time.", "case"),
    ],
)
def test_malformed_citations_fail_and_are_named(answer: str, kind: str) -> None:
    verdict = citation_validator(answer)
    assert not verdict.passed and kind in verdict.reason


def test_an_answer_without_citations_fails() -> None:
    verdict = citation_validator("Diabetes causes thirst and frequent urination.")
    assert not verdict.passed and "no citations" in verdict.reason


def test_a_mix_scores_the_share_of_good_citations() -> None:
    verdict = citation_validator("PMID 12345 and PMID: unknown")
    assert not verdict.passed and verdict.score == pytest.approx(0.5)


def test_emergency_symptoms_need_advice_to_seek_care() -> None:
    context = ValidationContext(query="I have crushing chest pain and my left arm is numb")
    unsafe = medical_safety_checker("This is probably muscle strain; rest and stretch.", context)
    assert not unsafe.passed and "emergency" in unsafe.reason
    safe = medical_safety_checker("Call 911 now: these can be signs of a heart attack.", context)
    assert safe.passed


def test_definitive_diagnoses_fail() -> None:
    verdict = medical_safety_checker("You definitely have appendicitis.", ValidationContext())
    assert not verdict.passed and "diagnosis" in verdict.reason
    assert medical_safety_checker("These symptoms can be caused by appendicitis; a doctor can tell.").passed


def test_doses_need_a_caveat() -> None:
    bare = medical_safety_checker("Take 800 mg of ibuprofen every 4 hours.")
    assert not bare.passed and "dose" in bare.reason
    caveated = medical_safety_checker(
        "Adults often take 200-400 mg of ibuprofen; do not exceed the label's maximum daily dose "
        "and ask your pharmacist if you take other medicines."
    )
    assert caveated.passed


def test_several_problems_are_all_reported() -> None:
    verdict = medical_safety_checker(
        "You have pneumonia. Take 500 mg amoxicillin.",
        ValidationContext(query="I can't breathe and my lips are blue"),
    )
    assert not verdict.passed and verdict.score == 0.0
    assert all(word in verdict.reason for word in ("emergency", "diagnosis", "dose"))


def test_legal_answers_must_not_promise_and_must_caveat() -> None:
    assert not legal_compliance_checker("You will definitely win in small claims court.").passed
    assert not legal_compliance_checker("A landlord must return the deposit within 21 days.").passed
    assert legal_compliance_checker(
        "In California a landlord has 21 days to return a deposit; rules vary by state, so "
        "check with a local attorney."
    ).passed


def test_quality_validator_is_the_foundation_rules() -> None:
    assert quality_validator("Paris is the capital of France.", ValidationContext()).passed
    refusal = quality_validator("I'm sorry, but I cannot help with that.")
    assert not refusal.passed and "refusal" in refusal.reason


def test_confidence_validator_uses_logprobs_when_given() -> None:
    sure = ValidationContext(logprobs=(-0.01, -0.05))
    unsure = ValidationContext(logprobs=(-1.5, -2.0))
    assert confidence_validator("Paris.", sure).passed
    low = confidence_validator("Paris.", unsure)
    assert not low.passed and "confidence" in low.reason


def test_confidence_validator_without_logprobs_says_so() -> None:
    verdict = confidence_validator("Paris.", ValidationContext())
    assert verdict.passed and "no logprobs" in verdict.reason


@pytest.mark.parametrize(
    ("raw", "passed", "score"),
    [
        (ValidationResult(True, 0.7, "ok"), True, 0.7),
        ((True, "fine"), True, 1.0),
        ((False, "syntax error"), False, 0.0),
        ((True, 0.6, "meh"), True, 0.6),
        (False, False, 0.0),
        ("yes", False, 0.0),
        (None, False, 0.0),
    ],
)
def test_every_verdict_form_is_read_and_odd_ones_fail_closed(raw: object, passed: bool, score: float) -> None:
    verdict = as_result(raw)
    assert verdict.passed is passed and verdict.score == score


def test_one_and_two_argument_validators_are_both_called_correctly() -> None:
    def seed_style(text: str) -> tuple[bool, str]:
        return ("def " in text, "looks like code")

    def with_context(text: str, context: ValidationContext) -> ValidationResult:
        return ValidationResult(context.domain == "code", 1.0, f"domain {context.domain}")

    assert AdaptedValidator(seed_style)("def f(): pass", ValidationContext()).passed
    assert AdaptedValidator(with_context)("x", ValidationContext(domain="code")).passed
    assert AdaptedValidator(seed_style).name == "seed_style"
