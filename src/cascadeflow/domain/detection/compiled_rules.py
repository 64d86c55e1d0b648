"""The rules of every domain compiled for lookup: one dict per phrase length, the word
forms with a memo of the words that have them, and the patterns indexed by their
preconditions, so that a query only runs the regexes whose characters or words it
contains."""

from __future__ import annotations

import re
from collections.abc import Mapping

from cascadeflow.domain.detection.rules import (
    Combination,
    DomainRule,
    Pattern,
    WordForm,
    words_of_lowered,
)

Weights = tuple[tuple[int, float], ...]
_FORM_CACHE_LIMIT = 50_000
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand million half twice thrice dozen triple double".split()
)
_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


def quantities(tokens: list[str]) -> int:
    """How many numbers a text states, in digits or in words; years ('2017') and
    ordinals ('3rd') are not quantities."""
    return sum(
        1 for t in tokens
        if t in _NUMBER_WORDS or (t.isdigit() and not (len(t) == 4 and _YEAR.match(t)))
    )
_OPTION_MARKERS = (("\nA.", "\nB."), ("\nA)", "\nB)"), ("\n(A)", "\n(B)"), ("\na)", "\nb)"),
                   ("\n(a)", "\n(b)"))


def options_start(text: str) -> int | None:
    """Where the answer options of a multiple-choice query begin ('\\nA. ... \\nB. ...')."""
    for first, second in _OPTION_MARKERS:
        at = text.find(first)
        if at >= 0 and text.find(second, at) > at:
            return at
    return None


class CompiledRules:
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
        self.combinations: list[tuple[int, Combination]] = [
            (index, combo) for index, rule in enumerate(rules.values()) for combo in rule.combinations
        ]
        # term -> the (combination, group) pairs it satisfies, by number of words
        self.combo_terms: tuple[dict[object, list[tuple[int, int]]], ...] = ({}, {}, {})
        for c, (_, combo) in enumerate(self.combinations):
            for g, group in enumerate(combo.groups):
                for term in group:
                    split = term.split(" ")
                    key: object = split[0] if len(split) == 1 else tuple(split)
                    self.combo_terms[len(split) - 1].setdefault(key, []).append((c, g))
        self.unigrams = {k: tuple(v) for k, v in unigrams.items()}
        self.bigrams = {k: tuple(v) for k, v in phrases.items() if len(k) == 2}
        self.trigrams = {k: tuple(v) for k, v in phrases.items() if len(k) == 3}
        # frozensets, not dicts: `set & frozenset` walks the smaller side, while
        # `set.intersection(dict)` walks the whole dict
        self.combo_word_keys = frozenset(self.combo_terms[0])
        self.pair_keys = frozenset(self.bigrams) | frozenset(self.combo_terms[1])
        self.triple_keys = frozenset(self.trigrams) | frozenset(self.combo_terms[2])
        self.min_form_length = min((f.min_length for _, f in self.forms), default=0)
        self.form_cache: dict[str, tuple[int, ...]] = {}
        # words already seen to have no form: most words, skipped in one set difference
        self.formless: set[str] = set()
        # each pattern is filed under its words when it has some (the more selective
        # precondition), else under its characters, else it runs on every query
        self.ungated: list[int] = []
        self.by_word: dict[str, list[int]] = {}
        self.by_char: dict[str, list[int]] = {}
        for i, (_, pattern) in enumerate(self.patterns):
            if pattern.requires_words:
                for word in pattern.requires_words:
                    self.by_word.setdefault(word, []).append(i)
            elif pattern.requires_chars:
                for char in pattern.requires_chars:
                    self.by_char.setdefault(char, []).append(i)
            else:
                self.ungated.append(i)
        self.by_word_keys = frozenset(self.by_word)

    def phrases_in(self, tokens: list[str]) -> tuple[list[tuple[object, Weights]], list[object]]:
        """Known two- and three-word phrases, each once (set intersections run in C):
        those with weights, and those that are terms of a combination."""
        pairs = self.pair_keys.intersection(zip(tokens, tokens[1:]))
        triples = self.triple_keys.intersection(zip(tokens, tokens[1:], tokens[2:]))
        bigrams, trigrams = self.bigrams, self.trigrams
        found: list[tuple[object, Weights]] = [(p, bigrams[p]) for p in pairs if p in bigrams]
        found += [(t, trigrams[t]) for t in triples if t in trigrams]
        combo_pairs, combo_triples = self.combo_terms[1], self.combo_terms[2]
        terms: list[object] = [p for p in pairs if p in combo_pairs]
        terms += [t for t in triples if t in combo_triples]
        return found, terms

    def combinations_firing(
        self, text: str, distinct: set[str], phrases: list[object]
    ) -> list[tuple[int, Combination]]:
        """The (domain, combination) pairs whose every group has a term in the query."""
        words, pairs, triples = self.combo_terms
        satisfied: set[tuple[int, int]] = set()
        for word in distinct & self.combo_word_keys:
            satisfied.update(words[word])
        for phrase in phrases:
            satisfied.update((pairs if len(phrase) == 2 else triples)[phrase])  # type: ignore[arg-type]
        if not satisfied:
            return []
        groups_met = [0] * len(self.combinations)
        for c, _ in satisfied:
            groups_met[c] += 1
        fired = [self.combinations[c] for c, met in enumerate(groups_met)
                 if met == len(self.combinations[c][1].groups)]
        if fired and not all(combo.in_multiple_choice for _, combo in fired):
            exam = options_start(text) is not None
            fired = [f for f in fired if f[1].in_multiple_choice or not exam]
        return [(domain, combo) for domain, combo in fired
                if not combo.requires_words or not distinct.isdisjoint(combo.requires_words)]

    def form_hits(self, distinct: set[str]) -> list[tuple[str, tuple[int, ...]]]:
        """Each word of ``distinct`` that has word forms, with their indexes. Memoised,
        since words recur across queries: the words known to have none are dropped in
        one set difference, so only new words and those with forms are looked at."""
        hits = []
        cache, formless, shortest = self.form_cache, self.formless, self.min_form_length
        for word in distinct - formless:
            found = cache.get(word)
            if found is None:
                if len(word) < shortest:
                    found = ()
                else:
                    found = tuple(i for i, (_, form) in enumerate(self.forms) if form.matches(word))
                if len(cache) + len(formless) >= _FORM_CACHE_LIMIT:
                    cache.clear()
                    formless.clear()
                if found:
                    cache[word] = found
                else:
                    formless.add(word)
            if found:
                hits.append((word, found))
        return hits

    def patterns_firing(
        self, text: str, lower: str, tokens: list[str], distinct: set[str]
    ) -> list[tuple[int, Pattern]]:
        """The (domain, pattern) pairs that match, each at most once."""
        candidates = set(self.ungated)
        for char, indexes in self.by_char.items():
            if char in text:
                candidates.update(indexes)
        for word in distinct & self.by_word_keys:
            candidates.update(self.by_word[word])
        if not candidates:
            return []
        cut = options_start(text)
        numbers: dict[bool, int] = {}  # quantities in the question alone (True) or the text
        fired = []
        for i in sorted(candidates):
            domain, pattern = self.patterns[i]
            if pattern.requires_words and pattern.requires_chars:
                if not any(c in text for c in pattern.requires_chars):
                    continue
            target = lower if pattern.lowercase else text
            stem = pattern.stem_only and cut is not None
            if stem:
                target = target[:cut]
            if pattern.min_numbers:
                if stem not in numbers:
                    numbers[stem] = quantities(words_of_lowered(lower[:cut]) if stem else tokens)
                if numbers[stem] < pattern.min_numbers:
                    continue
            if pattern.fires(target):
                fired.append((domain, pattern))
        return fired
