"""What counts as evidence for a domain: weighted words, phrases, word forms and regexes."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cascadeflow.domain.errors import ConfigurationError

WORD = re.compile(r"[a-z0-9]+")
MAX_PHRASE_WORDS = 3
# every byte but a-z and 0-9 to a space: an ASCII text's words in one translate and split
_WORD_BYTES = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))


def words(text: str) -> list[str]:
    """Lowercase alphanumeric runs: 'Key-Value' and 'key value' read the same."""
    return words_of_lowered(text.lower())


def words_of_lowered(lower: str) -> list[str]:
    """``WORD.findall(lower)``, twice as fast on ASCII text."""
    if lower.isascii():
        return lower.encode("ascii").translate(_WORD_BYTES).decode("ascii").split()
    return WORD.findall(lower)


def _check_weight(owner: str, weight: object) -> None:
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
        raise ConfigurationError(f"{owner}: weight must be a finite number, got {weight!r}")


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regex searched in the query; it adds ``weight`` once when it matches at least
    ``min_count`` times.

    ``lowercase`` matches against the lowercased query; ``max_chars`` searches only its
    beginning; ``stem_only`` searches only the question of a multiple-choice query, not
    its answer options (numbers among the options say nothing about the subject);
    ``min_numbers`` counts the pattern only when that text holds at least this many
    quantities (numbers in digits or words, years such as 1999 not counted).
    ``requires_chars`` (any one of these characters), ``requires_words`` (any one of
    these words) and ``requires_match`` (a regex every match contains a match of, quick
    to search because it opens with a rare character) are cheap preconditions: the regex
    only runs when they hold, which keeps detection fast.
    """

    regex: str
    weight: float
    min_count: int = 1
    lowercase: bool = False
    requires_chars: str = ""
    requires_words: frozenset[str] = frozenset()
    max_chars: int | None = None
    stem_only: bool = False
    min_numbers: int = 0
    requires_match: str = ""
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)
    precondition: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_weight(f"Pattern({self.regex!r})", self.weight)
        if self.min_count < 1:
            raise ConfigurationError(f"Pattern({self.regex!r}): min_count must be >= 1")
        object.__setattr__(self, "requires_words", frozenset(w.lower() for w in self.requires_words))
        try:
            object.__setattr__(self, "compiled", re.compile(self.regex))
            object.__setattr__(self, "precondition",
                               re.compile(self.requires_match) if self.requires_match else None)
        except re.error as exc:
            raise ConfigurationError(f"Pattern({self.regex!r}) is not a valid regex: {exc}") from exc

    def fires(self, text: str) -> bool:
        if self.max_chars is not None:
            text = text[: self.max_chars]
        if self.precondition is not None and self.precondition.search(text) is None:
            return False
        if self.min_count == 1:
            return self.compiled.search(text) is not None
        count = 0
        for _ in self.compiled.finditer(text):
            count += 1
            if count >= self.min_count:
                return True
        return False


@dataclass(frozen=True, slots=True)
class WordForm:
    """Words recognised by their form, e.g. medical '-itis' or drug names ending in
    '-olol': each distinct matching word adds ``weight``, at most ``cap`` of them."""

    weight: float
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    min_length: int = 6
    cap: int = 3

    def __post_init__(self) -> None:
        _check_weight("WordForm", self.weight)
        object.__setattr__(self, "prefixes", tuple(p.lower() for p in self.prefixes))
        object.__setattr__(self, "suffixes", tuple(s.lower() for s in self.suffixes))

    def matches(self, word: str) -> bool:
        return len(word) >= self.min_length and (
            word.startswith(self.prefixes) or word.endswith(self.suffixes)
        )


@dataclass(frozen=True, slots=True)
class Combination:
    """Evidence that only counts together: ``weight`` is added once when the query holds
    at least one term (a word or a phrase of up to three words) of every group.

    A lone 'landlord' or 'knee' says little, but a party to a dispute with a dispute
    ('landlord' and 'kept my deposit'), or a body part with a complaint ('knee' and
    'hurts'), says a lot: co-occurrence carries the weight single keywords cannot.

    ``requires_words`` (any one of these words, e.g. 'i', 'my') must also be present.
    ``in_multiple_choice`` False ignores the combination in a query with answer options:
    the pairs that describe somebody's own situation say nothing in an exam question,
    whose reading passages mix every vocabulary.
    """

    weight: float
    groups: tuple[frozenset[str], ...]
    requires_words: frozenset[str] = frozenset()
    in_multiple_choice: bool = True

    def __post_init__(self) -> None:
        _check_weight("Combination", self.weight)
        groups = tuple(frozenset(" ".join(words(t)) for t in group) for group in self.groups)
        if len(groups) < 2 or not all(groups):
            raise ConfigurationError("Combination: give at least two non-empty groups of terms")
        for group in groups:
            for term in group:
                if not 1 <= len(term.split(" ")) <= MAX_PHRASE_WORDS:
                    raise ConfigurationError(
                        f"Combination term {term!r}: one to {MAX_PHRASE_WORDS} words"
                    )
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "requires_words", frozenset(w.lower() for w in self.requires_words))


def combination(
    weight: float, *groups: str, requires_words: str = "", in_multiple_choice: bool = True
) -> Combination:
    """``combination(3, "landlord tenant", "deposit|kept my")``: each group a string of
    terms separated by spaces, with '|' separating terms that are phrases."""
    return Combination(
        weight,
        tuple(frozenset(g.split("|")) if "|" in g else frozenset(g.split()) for g in groups),
        frozenset(requires_words.split()),
        in_multiple_choice,
    )


@dataclass(frozen=True, slots=True)
class DomainRule:
    """Evidence for one domain.

    ``keywords`` maps a word or a phrase of up to three words to a weight; phrases are
    compared word by word after lowercasing and splitting on anything that is not a
    letter or digit. Each keyword, pattern and word form counts once per query, so a
    long text cannot win on repetition alone.
    """

    domain: str
    keywords: Mapping[str, float] = field(default_factory=dict)
    patterns: tuple[Pattern, ...] = ()
    word_forms: tuple[WordForm, ...] = ()
    combinations: tuple[Combination, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.domain, str) or not self.domain.strip():
            raise ConfigurationError(f"DomainRule: domain must be a non-empty name, got {self.domain!r}")
        clean: dict[str, float] = {}
        for phrase, weight in self.keywords.items():
            owner = f"DomainRule({self.domain!r}) keyword {phrase!r}"
            _check_weight(owner, weight)
            split = words(phrase)
            if not 1 <= len(split) <= MAX_PHRASE_WORDS:
                raise ConfigurationError(
                    f"{owner}: a keyword is one to {MAX_PHRASE_WORDS} words; use a Pattern for more"
                )
            clean[" ".join(split)] = float(weight)
        object.__setattr__(self, "keywords", MappingProxyType(clean))
        object.__setattr__(self, "patterns", tuple(self.patterns))
        object.__setattr__(self, "word_forms", tuple(self.word_forms))
        object.__setattr__(self, "combinations", tuple(self.combinations))

    def merged(self, other: DomainRule) -> DomainRule:
        """This rule with ``other``'s evidence added (its weights win on a clash)."""
        return DomainRule(
            self.domain,
            {**self.keywords, **other.keywords},
            self.patterns + other.patterns,
            self.word_forms + other.word_forms,
            self.combinations + other.combinations,
        )
