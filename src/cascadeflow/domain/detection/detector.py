"""DomainDetector: which domain a query belongs to, from weighted evidence.

Each domain's rule scores the query (keywords, phrases, word forms, regexes; each
piece of evidence once). The best-scoring domain wins when its score reaches
``min_score`` and beats the evidence for ``general`` (everyday writing, trivia,
chit-chat) by ``min_margin``; otherwise the query is ``general``. A query with no
evidence at all is therefore ``general``, with the confidence of a fallback.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cascadeflow.domain.detection.builtin_rules import BUILTIN_RULES
from cascadeflow.domain.detection.rules import WORD, DomainRule, Pattern, WordForm
from cascadeflow.domain.errors import ConfigurationError

GENERAL = "general"
# Long posts state their subject early; reading further costs time, not accuracy.
MAX_CHARS = 2500
_FORM_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class DomainDetection:
    domain: str
    confidence: float
    scores: Mapping[str, float]
    evidence: tuple[str, ...] = ()


Weights = tuple[tuple[int, float], ...]


class _Index:
    """The rules compiled for lookup: one dict per phrase length, the word forms, and
    the patterns with the characters their preconditions look for."""

    def __init__(self, rules: Mapping[str, DomainRule]) -> None:
        self.domains = tuple(rules)
        unigrams: dict[str, list[tuple[int, float]]] = {}
        phrases: dict[tuple[str, ...], list[tuple[int, float]]] = {}
        self.forms: list[tuple[int, WordForm]] = []
        self.patterns: list[tuple[int, Pattern]] = []
        for index, rule in enumerate(rules.values()):
            for phrase, weight in rule.keywords.items():
                parts = tuple(phrase.split(" "))
                if len(parts) == 1:
                    unigrams.setdefault(parts[0], []).append((index, weight))
                else:
                    phrases.setdefault(parts, []).append((index, weight))
            self.forms.extend((index, form) for form in rule.word_forms)
            self.patterns.extend((index, pattern) for pattern in rule.patterns)
        self.unigrams = {k: tuple(v) for k, v in unigrams.items()}
        self.bigrams = {k: tuple(v) for k, v in phrases.items() if len(k) == 2}
        self.trigrams = {k: tuple(v) for k, v in phrases.items() if len(k) == 3}
        self.phrase_firsts = frozenset(k[0] for k in (*self.bigrams, *self.trigrams))
        self.trigram_firsts = frozenset(k[0] for k in self.trigrams)
        self.gate_chars = "".join(sorted({c for _, p in self.patterns for c in p.requires_chars}))
        self.min_form_length = min((f.min_length for _, f in self.forms), default=0)
        self.form_cache: dict[str, tuple[int, ...]] = {}

    def phrases_in(self, tokens: list[str], distinct: set[str]) -> list[tuple[object, Weights]]:
        """Known two- and three-word phrases, looked up only where one can start."""
        found: list[tuple[object, Weights]] = []
        starts = distinct & self.phrase_firsts
        if not starts:
            return found
        seen: set[tuple[str, ...]] = set()
        last = len(tokens) - 1
        for i in [i for i, word in enumerate(tokens) if word in starts]:
            if i == last:
                break
            pair = (tokens[i], tokens[i + 1])
            weights = self.bigrams.get(pair)
            if weights is not None and pair not in seen:
                seen.add(pair)
                found.append((pair, weights))
            if i + 1 < last and tokens[i] in self.trigram_firsts:
                triple = (*pair, tokens[i + 2])
                weights = self.trigrams.get(triple)
                if weights is not None and triple not in seen:
                    seen.add(triple)
                    found.append((triple, weights))
        return found

    def forms_of(self, word: str) -> tuple[int, ...]:
        """Indexes of the word forms ``word`` has; memoised, words recur across queries."""
        found = self.form_cache.get(word)
        if found is None:
            found = tuple(i for i, (_, form) in enumerate(self.forms) if form.matches(word))
            if len(self.form_cache) >= _FORM_CACHE_LIMIT:
                self.form_cache.clear()
            self.form_cache[word] = found
        return found


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
        min_margin: float = 0.5,
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
        self._index = _Index(self._rules)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self._rules)

    def add_rule(self, rule: DomainRule) -> None:
        """Add a domain, or more evidence for an existing one."""
        self._merge(rule)
        self._index = _Index(self._rules)

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
        tokens = WORD.findall(lower)
        distinct = set(tokens)
        totals = [0.0] * len(names)
        hits: list[tuple[object, Weights]] = [(w, index.unigrams[w]) for w in distinct & index.unigrams.keys()]
        hits += index.phrases_in(tokens, distinct)
        for key, weights in hits:
            for domain, weight in weights:
                totals[domain] += weight
                if evidence is not None:
                    evidence.append(f"{names[domain]} +{weight:g} {_label(key)!r}")
        if index.forms:
            counts = [0] * len(index.forms)
            for word in distinct:
                if len(word) >= index.min_form_length:
                    for i in index.forms_of(word):
                        counts[i] += 1
                        if evidence is not None:
                            evidence.append(f"{names[index.forms[i][0]]} word form {word!r}")
            for (domain, form), count in zip(index.forms, counts):
                totals[domain] += form.weight * min(count, form.cap)
        present = {c for c in index.gate_chars if c in text}
        for domain, pattern in index.patterns:
            if pattern.requires_chars and present.isdisjoint(pattern.requires_chars):
                continue
            if pattern.requires_words and distinct.isdisjoint(pattern.requires_words):
                continue
            if pattern.fires(lower if pattern.lowercase else text):
                totals[domain] += pattern.weight
                if evidence is not None:
                    evidence.append(f"{names[domain]} +{pattern.weight:g} /{pattern.regex}/")
        return dict(zip(names, totals))


def _label(key: object) -> str:
    return " ".join(key) if isinstance(key, tuple) else str(key)


def _confidence(scores: Mapping[str, float], winner: str, floor: float) -> float:
    """A softmax over the scores, general counting at least the winning threshold:
    near 1 when one domain's evidence dominates, lower when it is thin or contested."""
    adjusted = {d: max(s, 0.0) for d, s in scores.items()}
    adjusted[GENERAL] = max(adjusted.get(GENERAL, 0.0), floor)
    peak = max(adjusted.values())
    weights = {d: math.exp((s - peak) / 2.0) for d, s in adjusted.items()}
    return round(weights[winner] / sum(weights.values()), 4)
