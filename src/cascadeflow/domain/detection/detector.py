"""DomainDetector: which domain a query belongs to, from weighted evidence.

Each domain's rules score the query (keywords, phrases, word forms, regexes; each
piece of evidence once). The best-scoring domain wins when its score reaches
``min_score`` and beats the evidence for ``general`` (everyday writing, trivia,
chit-chat) by ``min_margin``; otherwise the query is ``general``. A query with no
evidence at all is therefore ``general``, with the confidence of a fallback.

The defaults (3.5 and 2.0) were chosen on the development data and the tuning half
of benchmarks/detector_holdout.py: a specialised domain has to beat everyday
evidence clearly, since one stray technical word in a general request is commoner
than a specialised request with everyday words only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from cascadeflow.domain.detection.builtin_rules import BUILTIN_RULES
from cascadeflow.domain.detection.compiled_rules import CompiledRules, Weights
from cascadeflow.domain.detection.rules import DomainRule, Pattern, words_of_lowered
from cascadeflow.domain.errors import ConfigurationError

GENERAL = "general"
# Long posts state their subject early; reading further costs time, not accuracy.
MAX_CHARS = 2500


@dataclass(frozen=True, slots=True)
class DomainDetection:
    domain: str
    confidence: float
    scores: Mapping[str, float]
    evidence: tuple[str, ...] = ()


class Detector(Protocol):
    """What routing needs of a detector (DomainDetector, SemanticDomainDetector)."""

    def detect(self, query: str) -> tuple[str, float]: ...


class DomainDetector:
    """Rule-based domain detection: ``detect(query) -> (domain, confidence)``.

    Built-in domains: code, math, medical, legal, and general for everything else.
    Add evidence to a built-in domain or a new one with ``add_keywords``,
    ``add_patterns`` or ``add_rule``; pass ``rules`` to replace the built-in ones.
    """

    def __init__(
        self,
        rules: Iterable[DomainRule] | None = None,
        *,
        extra_rules: Iterable[DomainRule] = (),
        min_score: float = 3.5,
        min_margin: float = 2.0,
    ) -> None:
        if min_score <= 0 or min_margin < 0:
            raise ConfigurationError(
                f"DomainDetector: min_score must be > 0 and min_margin >= 0, "
                f"got {min_score} and {min_margin}"
            )
        self.min_score = float(min_score)
        self.min_margin = float(min_margin)
        self._rules: dict[str, DomainRule] = {GENERAL: DomainRule(GENERAL)}
        for rule in (*(BUILTIN_RULES if rules is None else rules), *extra_rules):
            self._merge(rule)
        self._index = CompiledRules(self._rules)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self._rules)

    def add_rule(self, rule: DomainRule) -> None:
        """Add a domain, or more evidence for an existing one."""
        self._merge(rule)
        self._index = CompiledRules(self._rules)

    def add_keywords(
        self, domain: str, keywords: Mapping[str, float] | Iterable[str], weight: float = 3.0
    ) -> None:
        """``add_keywords("finance", ["stock", "dividend"])``, or a weight per keyword."""
        if isinstance(keywords, str):
            keywords = [keywords]
        if not isinstance(keywords, Mapping):
            keywords = {k: weight for k in keywords}
        self.add_rule(DomainRule(domain, keywords))

    def add_patterns(self, domain: str, patterns: Mapping[str, float]) -> None:
        """Regexes searched in the raw query, each with its weight."""
        self.add_rule(DomainRule(domain, patterns=tuple(Pattern(r, w) for r, w in patterns.items())))

    def _merge(self, rule: DomainRule) -> None:
        known = self._rules.get(rule.domain)
        self._rules[rule.domain] = known.merged(rule) if known else rule

    def detect(self, query: str) -> tuple[str, float]:
        scores = self._score(query, None)
        domain = self._decide(scores)
        return domain, _confidence(scores, domain, self.min_score)

    def explain(self, query: str) -> DomainDetection:
        """The decision, every domain's score and the evidence found, to see why a
        query went where it did."""
        evidence: list[str] = []
        scores = self._score(query, evidence)
        domain = self._decide(scores)
        return DomainDetection(
            domain, _confidence(scores, domain, self.min_score), scores, tuple(evidence)
        )

    def scores(self, query: str) -> dict[str, float]:
        return self._score(query, None)

    def _decide(self, scores: Mapping[str, float]) -> str:
        best, top = GENERAL, 0.0
        for domain, score in scores.items():
            if domain != GENERAL and score > top:
                best, top = domain, score
        if top < self.min_score or top < scores.get(GENERAL, 0.0) + self.min_margin:
            return GENERAL
        return best

    def _score(self, query: str, evidence: list[str] | None) -> dict[str, float]:
        if not isinstance(query, str):
            raise ConfigurationError(f"DomainDetector.detect needs a string, got {query!r}")
        index = self._index
        names = index.domains
        text = query[:MAX_CHARS]
        lower = text.lower()
        tokens = words_of_lowered(lower)
        distinct = set(tokens)
        totals = [0.0] * len(names)
        hits: list[tuple[object, Weights]] = [(w, index.unigrams[w]) for w in distinct & index.unigrams.keys()]
        phrases, combo_phrases = index.phrases_in(tokens)
        hits += phrases
        for key, weights in hits:
            for domain, weight in weights:
                totals[domain] += weight
                if evidence is not None:
                    evidence.append(f"{names[domain]} +{weight:g} {_label(key)!r}")
        if index.forms:
            counts = [0] * len(index.forms)
            for word, found in index.form_hits(distinct):
                for i in found:
                    counts[i] += 1
                    if evidence is not None:
                        evidence.append(f"{names[index.forms[i][0]]} word form {word!r}")
            for (domain, form), count in zip(index.forms, counts):
                if count:
                    totals[domain] += form.weight * min(count, form.cap)
        for domain, pattern in index.patterns_firing(text, lower, tokens, distinct):
            totals[domain] += pattern.weight
            if evidence is not None:
                evidence.append(f"{names[domain]} +{pattern.weight:g} /{pattern.regex}/")
        for domain, combo in index.combinations_firing(query, distinct, combo_phrases):
            totals[domain] += combo.weight
            if evidence is not None:
                evidence.append(f"{names[domain]} +{combo.weight:g} combination "
                                f"{' & '.join('/'.join(sorted(g)[:3]) for g in combo.groups)}")
        return dict(zip(names, totals))


def _label(key: object) -> str:
    return " ".join(key) if isinstance(key, tuple) else str(key)


def _confidence(scores: Mapping[str, float], winner: str, floor: float) -> float:
    """A softmax over the scores, general counting at least the winning threshold:
    near 1 when one domain's evidence dominates, lower when it is thin or contested.
    (Written for speed: it runs on every query.)"""
    values = {d: (s if s > floor else floor) if d == GENERAL else (s if s > 0.0 else 0.0)
              for d, s in scores.items()}
    values.setdefault(GENERAL, floor)
    peak = max(values.values())
    exp = math.exp
    total = 0.0
    for value in values.values():
        total += exp((value - peak) / 2.0)
    return round(exp((values[winner] - peak) / 2.0) / total, 4)
