"""Rule-based compliance of a legal answer: it informs, it does not promise outcomes,
and it says that the law varies and when to see a lawyer."""

from __future__ import annotations

import re

from cascadeflow.domain.quality import ValidationContext, ValidationResult

_GUARANTEE = re.compile(
    r"\byou (?:will|would) (?:definitely |certainly |surely )?(?:win|be acquitted|get (?:full|all)|"
    r"not be (?:convicted|charged|liable))\b|\bguaranteed? (?:to win|outcome|result)\b|"
    r"\b(?:100%|completely) (?:legal|safe from|certain)\b|\bno (?:court|judge) would ever\b",
    re.I,
)
_CAVEAT = re.compile(
    r"\b(?:not (?:legal advice|a lawyer|an attorney)|(?:consult|speak (?:to|with)|talk to|contact|hire|"
    r"see) (?:a |an |your )?(?:local )?(?:lawyer|attorney|solicitor|legal aid|legal professional)|"
    r"depend(?:s|ing)? on (?:your |the )?(?:jurisdiction|state|country|local law)|"
    r"(?:laws?|rules?) (?:vary|varies|differ)|in (?:most|many|some) (?:states|jurisdictions))",
    re.I,
)


def legal_compliance_checker(text: str, context: ValidationContext | None = None) -> ValidationResult:
    """Fails on promised outcomes and on advice given with no jurisdiction or lawyer caveat."""
    problems = []
    if promise := _GUARANTEE.search(text):
        problems.append(f"promises an outcome: {promise.group(0)!r}")
    if not _CAVEAT.search(text):
        problems.append("no caveat that the law varies by jurisdiction or that a lawyer should be consulted")
    if problems:
        return ValidationResult(False, 0.5 if len(problems) == 1 else 0.0, "; ".join(problems))
    return ValidationResult(True, 1.0, "informs without promising outcomes, with a jurisdiction caveat")
