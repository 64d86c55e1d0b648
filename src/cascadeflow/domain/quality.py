"""Rule-based answer quality: is a draft good enough to stop the cascade?"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from cascadeflow.domain.complexity import ComplexityAnalyzer
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.long_text import CaseBlind, scaled_count, window


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """A verdict. It unpacks and indexes as the plan's ``(is_valid, reason)`` pair
    (``is_valid, reason = validator(text)``, ``validator(text)[0]``); the score stays on
    ``.score``."""

    passed: bool
    score: float
    reason: str

    def __iter__(self) -> Iterator[bool | str]:
        return iter((self.passed, self.reason))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> bool | str:
        return (self.passed, self.reason)[index]


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What a validator may know beyond the answer text."""

    query: str = ""
    finish_reason: str | None = None
    logprobs: tuple[float, ...] | None = None
    domain: str | None = None
    confidence: float | None = None  # the answer's confidence: reported, or from logprobs

    @property
    def known_confidence(self) -> float | None:
        if self.confidence is not None:
            return self.confidence
        if not self.logprobs:
            return None
        return math.exp(sum(self.logprobs) / len(self.logprobs))


REFUSAL_PATTERNS: tuple[str, ...] = (
    r"\bI(?:'m| am) (?:sorry|afraid),? (?:but )?I (?:can(?:'|no)t|cannot|won't|am unable)",
    r"\bI (?:can(?:'|no)t|cannot|won't) (?:help|assist|answer|provide|comply)",
    r"\bI(?:'m| am) (?:not able|unable) to (?:help|assist|answer|provide|comply)",
    r"\bas an AI(?: language)? model\b",
    r"\bI do not have (?:access|the ability)\b",
)

HEDGING_PATTERNS: tuple[str, ...] = (
    r"\bI(?:'m| am) not (?:sure|certain)\b",
    r"\bI don't know\b",
    r"\bI do not know\b",
    r"\bI(?:'m| am) unsure\b",
    r"\bI can(?:'|no)t be (?:sure|certain)\b",
    r"\bit(?:'s| is) (?:hard|difficult|impossible) to (?:say|tell|know)\b",
)

# Lowercase words one of which every match of the patterns above contains: a text with
# none of them is not searched (tests/unit/test_long_text.py checks each pattern).
REFUSAL_CUES = ("can't", "cannot", "won't", "unable", "not able", "as an ai", "do not have")
HEDGING_CUES = ("not sure", "not certain", "don't know", "do not know", "unsure", "be sure",
                "be certain", "to say", "to tell", "to know")


class DraftScorer(Protocol):
    """Gives a draft that broke no rule a score in [0, 1] (ScoreModel, LearnedScorer)."""

    def score(self, text: str, context: ValidationContext) -> float: ...


class QueryRouter(Protocol):
    """Decides before any call that a query is too hard for the cheap model (PreRouter)."""

    def skip_draft(self, query: str) -> bool: ...


COMPLEXITIES = ("simple", "medium", "high")
_COMPLEXITY = ComplexityAnalyzer()  # the routing's notion of a hard query


@dataclass(frozen=True, slots=True)
class QualityConfig:
    """Thresholds of the rule-based validator.

    ``min_score`` is the acceptance threshold on the final score in [0, 1]; without
    logprobs the score of an answer that breaks no rule is 1.0, with logprobs it is the
    geometric-mean token probability, and with a ``scorer`` it is the scorer's score.
    ``thresholds_by_complexity`` (keys simple/medium/high) replaces ``min_score`` for
    queries of that complexity. ``pre_router`` sends queries it judges too hard straight
    to the strongest model. The named presets are in ``quality_presets``.
    """

    min_length_chars: int = 1
    min_words: int = 1
    reject_refusals: bool = True
    reject_hedging: bool = True
    reject_truncated: bool = True
    min_confidence: float = 0.3
    min_score: float = 0.0
    refusal_patterns: tuple[str, ...] = REFUSAL_PATTERNS
    hedging_patterns: tuple[str, ...] = HEDGING_PATTERNS
    # left out of hash() (a config stays usable as a cache key), kept in ==
    scorer: DraftScorer | None = field(default=None, hash=False)
    thresholds_by_complexity: Mapping[str, float] = field(default_factory=dict, hash=False)
    pre_router: QueryRouter | None = field(default=None, hash=False)
    name: str = "custom"
    _compiled: tuple[CaseBlind, CaseBlind] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for label in ("min_confidence", "min_score"):
            value = getattr(self, label)
            if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
                raise ConfigurationError(f"QualityConfig: {label} must be in [0, 1], got {value!r}")
        for label in ("min_length_chars", "min_words"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigurationError(
                    f"QualityConfig: {label} must be an integer >= 0, got {value!r}"
                )
        for label, value in self.thresholds_by_complexity.items():
            if label not in COMPLEXITIES or not 0.0 <= value <= 1.0:
                raise ConfigurationError(
                    f"QualityConfig: thresholds_by_complexity maps {', '.join(COMPLEXITIES)} to "
                    f"a score in [0, 1], got {label!r}: {value!r}"
                )
        object.__setattr__(self, "thresholds_by_complexity", dict(self.thresholds_by_complexity))
        try:
            compiled = (
                _either(self.refusal_patterns, REFUSAL_PATTERNS, REFUSAL_CUES),
                _either(self.hedging_patterns, HEDGING_PATTERNS, HEDGING_CUES),
            )
        except re.error as exc:
            raise ConfigurationError(f"QualityConfig: a pattern is not a valid regex: {exc}") from exc
        object.__setattr__(self, "_compiled", compiled)

    def with_threshold(self, min_score: float) -> QualityConfig:
        """The same checks with one threshold for every query."""
        return replace(self, min_score=min_score, thresholds_by_complexity={})

    def threshold_for(self, query: str) -> float:
        if not self.thresholds_by_complexity:
            return self.min_score
        level = str(_COMPLEXITY.analyze(query)["complexity"])
        return self.thresholds_by_complexity.get(level, self.min_score)


def _either(patterns: tuple[str, ...], defaults: tuple[str, ...], cues: tuple[str, ...]) -> CaseBlind:
    """One case-blind pattern matching any of ``patterns``; the cues serve the defaults."""
    return CaseBlind("|".join(f"(?:{p})" for p in patterns) or r"(?!)",
                     cues=cues if tuple(patterns) == defaults else ())


class QualityValidator:
    """Rejects empty, short, refusing, hedging, truncated and low-confidence answers."""

    def __init__(self, config: QualityConfig | None = None) -> None:
        self.config = config or QualityConfig()

    def __call__(self, text: str, context: ValidationContext | None = None) -> ValidationResult:
        return self.validate(text, context or ValidationContext())

    def validate(self, text: str, context: ValidationContext) -> ValidationResult:
        cfg = self.config
        refusal, hedging = cfg._compiled
        stripped = text.strip()
        if not stripped:
            return ValidationResult(False, 0.0, "empty answer")
        view = window(stripped)  # a long answer is read at its start and end (long_text.py)
        words = scaled_count(len(view.split()), len(view), len(stripped))
        if len(stripped) < cfg.min_length_chars or words < cfg.min_words:
            return ValidationResult(False, 0.0, f"too short ({len(stripped)} chars, {words} words)")
        if cfg.reject_truncated and context.finish_reason == "length":
            return ValidationResult(False, 0.0, "cut off at max_tokens")
        lowered = view.lower()
        if cfg.reject_refusals and (match := refusal.search(view, lowered)) is not None:
            return ValidationResult(False, 0.0, f"refusal: {match!r}")
        if cfg.reject_hedging and (match := hedging.search(view, lowered)) is not None:
            return ValidationResult(False, 0.1, f"hedging: {match!r}")
        score = 1.0
        confidence = context.known_confidence
        if confidence is not None:
            score = confidence
            if score < cfg.min_confidence:
                return ValidationResult(False, score, f"low confidence {score:.2f}")
        if cfg.scorer is not None:
            score = min(1.0, max(0.0, cfg.scorer.score(stripped, context)))
        threshold = cfg.threshold_for(context.query)
        if score < threshold:
            return ValidationResult(False, score, f"score {score:.2f} below {threshold:.2f}")
        return ValidationResult(True, score, "passed quality checks")
