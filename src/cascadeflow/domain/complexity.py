"""How hard a query looks, from cheap features: length, structure, reasoning words,
code, math notation and questions with several parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.long_text import scaled_count, window

Complexity = Literal["simple", "medium", "high"]
COMPLEXITY_LEVELS: Final[tuple[Complexity, ...]] = ("simple", "medium", "high")

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_ENUMERATION = re.compile(r"(?m)^\s*(?:\d+[.)]|[-*•]|\(?[a-z]\))\s+\S")
_CODE = re.compile(r"```|`[^`\n]+`|^\s*(?:def|class|import|function|public|#include)\b|[{};]\s*$", re.M)
_MATH = re.compile(r"\$[^$\n]+\$|\\(?:frac|sqrt|sum|int|lim)|\b\d*[a-z]\^\d|[a-z]\s*=\s*[-\d(]|∫|∑|√")

# Verbs and nouns that ask for reasoning, synthesis or design rather than recall.
_REASONING: Final = {
    "explain": 1.5, "why": 1.0, "compare": 1.5, "contrast": 1.5, "analyze": 1.5,
    "analyse": 1.5, "analysis": 1.0, "evaluate": 1.5, "assess": 1.0, "critique": 1.5,
    "justify": 1.5, "prove": 2.0, "derive": 2.0, "design": 1.5, "architecture": 1.5,
    "architect": 1.5, "optimize": 1.5, "optimise": 1.5, "tradeoffs": 1.5, "trade-offs": 1.5,
    "trade-off": 1.5, "implications": 1.0, "strategy": 1.0, "plan": 0.5, "debug": 1.0,
    "refactor": 1.5, "scalable": 1.5, "scalability": 1.5, "distributed": 1.5,
    "microservices": 1.5, "concurrency": 1.5, "algorithm": 1.0, "complexity": 1.0,
    "comprehensive": 1.0, "detailed": 1.0, "in-depth": 1.0, "step-by-step": 1.0,
    "implement": 1.0, "diagnose": 1.0, "differential": 1.0, "mechanism": 1.0,
    "simulate": 1.0, "model": 0.5, "framework": 1.0, "recommend": 0.5,
    "pros": 0.5, "cons": 0.5, "quantum": 1.0, "theory": 0.5, "proof": 1.5,
}


@dataclass(frozen=True, slots=True)
class ComplexityAnalyzer:
    """``analyze(query)`` -> ``{"complexity": "simple" | "medium" | "high", ...signals}``.

    Each signal adds to a score; ``medium_at`` and ``high_at`` are the score
    thresholds. A short factual question scores near 0; an explanation request about
    1.5; a multi-part design or proof question 3.5 and more.
    """

    medium_at: float = 1.5
    high_at: float = 3.5

    def __post_init__(self) -> None:
        if not 0 < self.medium_at < self.high_at:
            raise ConfigurationError(
                "ComplexityAnalyzer: need 0 < medium_at < high_at, "
                f"got medium_at={self.medium_at}, high_at={self.high_at}"
            )

    def analyze(self, query: str) -> dict[str, Any]:
        if not isinstance(query, str):
            raise ConfigurationError(f"ComplexityAnalyzer.analyze needs a string, got {query!r}")
        length = len(query)
        query = window(query)  # a long query is read at its start and end (long_text.py)
        words = _WORD.findall(query)
        word_count = scaled_count(len(words), len(query), length)
        lowered = [w.lower() for w in words]
        reasoning = sorted({w for w in lowered if w in _REASONING})
        questions = query.count("?")
        parts = max(questions, 1) + len(_ENUMERATION.findall(query))
        has_code = _CODE.search(query) is not None
        has_math = _MATH.search(query) is not None
        score = (
            _length_points(word_count)
            + min(sum(_REASONING[w] for w in reasoning), 4.5)
            + min(parts - 1, 3) * 0.75
            + (1.0 if has_code else 0.0)
            + (1.0 if has_math else 0.0)
        )
        label: Complexity = (
            "high" if score >= self.high_at else "medium" if score >= self.medium_at else "simple"
        )
        return {
            "complexity": label,
            "score": round(score, 2),
            "words": word_count,
            "sentences": max(len(_SENTENCE_END.findall(query)), 1),
            "questions": questions,
            "parts": parts,
            "multi_part": parts > 1,
            "reasoning_terms": reasoning,
            "has_code": has_code,
            "has_math": has_math,
        }


def _length_points(words: int) -> float:
    if words < 10:
        return 0.0
    if words < 30:
        return 0.5
    if words < 80:
        return 1.0
    if words < 200:
        return 2.0
    return 3.0


def check_complexity(value: str) -> Complexity:
    if value not in COMPLEXITY_LEVELS:
        raise ConfigurationError(
            f"complexity must be one of {', '.join(COMPLEXITY_LEVELS)}, got {value!r}"
        )
    return value
