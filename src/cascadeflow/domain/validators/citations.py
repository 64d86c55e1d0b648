"""Citations: are there any, and is every one well formed?

Recognised: DOIs (10.NNNN/suffix), PubMed ids (PMID 12345678), PMC ids, URLs, US case
reporters ('410 U.S. 113', '558 F.3d 1198', '123 S. Ct. 456'), the U.S. Code
('42 U.S.C. § 1983') and section references. Text that starts a citation and breaks
off ('doi: 10.12/', 'PMID: abc', '410 U.S.') counts as malformed.
"""

from __future__ import annotations

import re

from cascadeflow.domain.quality import ValidationContext, ValidationResult

_REPORTERS = (
    r"U\.\s?S\.|S\.\s?Ct\.|L\.\s?Ed\.(?:\s?2d)?|F\.(?:\s?(?:2d|3d|4th))?|F\.\s?Supp\.(?:\s?(?:2d|3d))?|"
    r"A\.(?:\s?(?:2d|3d))?|N\.E\.(?:\s?(?:2d|3d))?|N\.W\.(?:\s?2d)?|S\.E\.(?:\s?2d)?|S\.W\.(?:\s?(?:2d|3d))?|"
    r"So\.(?:\s?(?:2d|3d))?|P\.(?:\s?(?:2d|3d))?|Cal\.(?:\s?(?:App\.)?\s?(?:2d|3d|4th|5th))?|"
    r"N\.Y\.(?:\s?(?:2d|3d))?|B\.R\.|Fed\.\s?Cl\."
)

WELL_FORMED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DOI", re.compile(r"\b10\.\d{4,9}/[-._;()/:A-Za-z0-9]+[A-Za-z0-9]")),
    ("PMID", re.compile(r"\bPMID:?\s*\d{1,8}\b")),
    ("PMCID", re.compile(r"\bPMC\d{4,8}\b")),
    ("URL", re.compile(r"\bhttps?://(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:/[^\s)\]>\"']*)?")),
    ("case", re.compile(rf"\b\d{{1,4}}\s(?:{_REPORTERS})\s\d{{1,5}}\b")),
    ("statute", re.compile(r"\b\d{1,3}\s+U\.\s?S\.\s?C\.\s*(?:§§?\s*)?\d+[a-z0-9-]*")),
    ("section", re.compile(r"§§?\s*\d+[a-z0-9.()-]*")),
)

MALFORMED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DOI", re.compile(r"(?<![/\w])doi:?+\s*+(?!10\.\d{4,9}/[-._;()/:A-Za-z0-9]*[A-Za-z0-9])\S+", re.I)),
    ("DOI", re.compile(r"\bdoi\.org/(?!10\.\d{4,9}/[-._;()/:A-Za-z0-9]*[A-Za-z0-9])\S*", re.I)),
    ("PMID", re.compile(r"\bPMID:?+\s*+(?!\d{1,8}\b)\S+")),
    ("URL", re.compile(r"\bhttps?://(?![A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\S*")),
    ("case", re.compile(rf"\b\d{{1,4}}\s(?:U\.\s?S\.|S\.\s?Ct\.|F\.\s?(?:2d|3d|4th))(?!\s\d)(?!\s?C\.)")),
)


def find_citations(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(well-formed, malformed) citations as (kind, text) pairs."""
    good: list[tuple[str, str]] = []
    for kind, pattern in WELL_FORMED:
        good.extend((kind, m.group(0)) for m in pattern.finditer(text))
    bad: list[tuple[str, str]] = []
    for kind, pattern in MALFORMED:
        bad.extend((kind, m.group(0)) for m in pattern.finditer(text))
    return good, bad


def citation_validator(text: str, context: ValidationContext | None = None) -> ValidationResult:
    """Passes when the answer cites at least one source and every citation it starts
    is well formed; the score is the share of well-formed citations."""
    good, bad = find_citations(text)
    if not good and not bad:
        return ValidationResult(
            False, 0.0, "no citations: expected a DOI, PMID, URL, case or statute reference"
        )
    score = len(good) / (len(good) + len(bad))
    if bad:
        shown = "; ".join(f"{kind} {snippet!r}" for kind, snippet in bad[:3])
        return ValidationResult(False, score, f"malformed citation(s): {shown}")
    kinds = sorted({kind for kind, _ in good})
    return ValidationResult(True, 1.0, f"{len(good)} well-formed citation(s): {', '.join(kinds)}")
