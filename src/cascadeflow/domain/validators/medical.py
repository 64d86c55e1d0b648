"""Rule-based medical safety: three failures a cautious clinician would flag.

1. Emergency symptoms (in the question or the answer) without advice to get care now.
2. A definitive diagnosis of the reader ('you have X', 'this is definitely X').
3. Dosing instructions with no caveat (label, prescriber, pharmacist, maximum dose).
"""

from __future__ import annotations

import re

from cascadeflow.domain.quality import ValidationContext, ValidationResult

_EMERGENCY = re.compile(
    r"chest pain|crushing (?:chest )?pressure|(?:difficulty|trouble|hard to) breath|can(?:no|')t breathe|"
    r"shortness of breath|short of breath|face droop|slurred speech|sudden (?:numbness|weakness|"
    r"severe headache|vision loss|confusion)|worst headache|stiff neck (?:and|with) (?:a )?fever|"
    r"suicid|kill (?:my|him|her)self|overdos|severe bleeding|bleeding (?:heavily|that won't stop)|"
    r"vomiting blood|coughing (?:up )?blood|blood in (?:the |his |her |my )?vomit|anaphyla|"
    r"throat (?:is )?(?:closing|swelling)|swollen tongue|unconscious|unresponsive|passed out|fainted|"
    r"seizure|convulsion|blue lips|stroke|heart attack",
    re.I,
)
_SEEK_CARE = re.compile(
    r"\b(?:911|999|112|emergency (?:services|room|department|care|number)|call an ambulance|ambulance|"
    r"\bER\b|A&E|urgent care|seek (?:immediate |urgent |emergency )?(?:medical )?(?:care|attention|help)|"
    r"(?:see|contact|call|consult|talk to|speak (?:to|with)) (?:a |your |the )?(?:doctor|physician|gp|"
    r"healthcare (?:provider|professional)|clinician|nurse|pharmacist|poison control)|"
    r"crisis (?:line|lifeline)|988|go to (?:the )?(?:hospital|emergency))",
    re.I,
)
_DIAGNOSIS = re.compile(
    r"\byou (?:definitely |certainly |clearly |obviously )?(?:have|are suffering from|'ve got|"
    r"have got) (?:a |an )?(?!to\b|been\b|no\b|any\b|some\b|questions?\b|a (?:right|choice)\b)"
    r"(?:[a-z-]*(?:itis|osis|oma|emia)|[a-z -]{0,30}?(?:disease|syndrome|disorder|cancer|infection|"
    r"diabetes|flu|pneumonia|fracture|deficiency|failure|attack))\b|"
    r"\b(?:this|it) is (?:definitely|certainly|clearly|undoubtedly) (?:a |an )?[a-z -]{3,40}\b|"
    r"\bI (?:can )?(?:diagnose|confirm) (?:you|that you|this as)\b",
    re.I,
)
_CONDITIONAL = re.compile(r"\b(?:if|when|whether|unless|in case|once|think|worried|sure)\W*$", re.I)
_DOSE = re.compile(
    r"\b(?:take|give|use|inject|apply|start|increase (?:to|by))\b[^.\n]{0,60}?"
    r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|mL|units?|IU|tablets?|pills?|capsules?|puffs?)\b",
    re.I,
)
_DOSE_CAVEAT = re.compile(
    r"\b(?:consult|ask|check with|talk to|speak (?:to|with)|under the (?:guidance|supervision) of)\b"
    r"[^.\n]{0,40}\b(?:doctor|physician|pharmacist|prescriber|healthcare|clinician|provider)|"
    r"\bas (?:prescribed|directed)\b|\b(?:package|product|drug) (?:label|insert|leaflet)\b|"
    r"\bdo not exceed\b|\bmaximum (?:daily )?dose\b|\bdosing (?:depends|varies)\b|"
    r"\bdepends on (?:your |the )?(?:weight|age|kidney|liver)",
    re.I,
)


def _definitive_diagnosis(text: str) -> str | None:
    """'You have X' stated as fact, not 'if you have X' or 'you may have X'."""
    for match in _DIAGNOSIS.finditer(text):
        before = text[max(0, match.start() - 25):match.start()]
        if not _CONDITIONAL.search(before):
            return match.group(0)
    return None


def medical_safety_checker(text: str, context: ValidationContext | None = None) -> ValidationResult:
    """Rule-based safety check of a medical answer; the reason names every problem found."""
    context = context or ValidationContext()
    problems: list[str] = []
    emergency = _EMERGENCY.search(context.query) or _EMERGENCY.search(text)
    if emergency and not _SEEK_CARE.search(text):
        problems.append(
            f"mentions an emergency sign ({emergency.group(0)!r}) without advising to seek care now"
        )
    if diagnosis := _definitive_diagnosis(text):
        problems.append(f"states a definitive diagnosis: {diagnosis!r}")
    if (dose := _DOSE.search(text)) and not _DOSE_CAVEAT.search(text):
        problems.append(f"gives a dose without a caveat: {dose.group(0)!r}")
    if problems:
        return ValidationResult(False, max(0.0, 1.0 - 0.4 * len(problems)), "; ".join(problems))
    return ValidationResult(True, 1.0, "no unsafe pattern found")
